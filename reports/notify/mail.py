"""E-mail: each team its own summary, the overview to `notify.email.overview`. HTML from the
report's own Jinja2 macros with the CSS written into each element (mail clients drop
<style> and never run scripts), plus a plain-text part; sent over SMTP with STARTTLS, TLS
or neither, logging in with credentials from the environment."""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import lxml.html

from ground.errors import ConfigError
from ground.urls import origin
from reports.grouping import FindingGroup, group_findings
from reports.i18n import Translator
from reports.notify.config import EmailConfig
from reports.notify.news import News, TeamNews, counts_line, verdict_line
from reports.writers.html import Linker, environment

# The report's classes as inline styles (report.css's colours, no variables, no layout
# that mail clients ignore): applied in order, so a later class adds to an earlier one.
_STYLES = {
    "mail": "margin:0;padding:16px;background:#f6f7f9;color:#101828;"
    "font:15px/1.5 -apple-system,'Segoe UI',Roboto,Arial,sans-serif",
    "top": "background:#101828;color:#ffffff;padding:12px 16px;border-radius:10px",
    "meta": "color:#cfd4dc;font-size:13px;margin:2px 0 0",
    "verdict": "border:1px solid;border-radius:10px;padding:12px 16px;margin:16px 0",
    "pass": "background:#ecfdf3;border-color:#abefc6",
    "fail": "background:#fef3f2;border-color:#fecdca",
    "cards": "margin:16px 0",
    "card": "display:inline-block;background:#ffffff;border:1px solid #e4e7ec;"
    "border-radius:10px;padding:8px 12px;margin:0 8px 8px 0;min-width:90px",
    "error": "color:#b42318",
    "warning": "color:#a15c07",
    "good": "color:#067647",
    "new": "color:#1849a9",
    "rows": "border-collapse:collapse;width:100%;background:#ffffff",
    "num": "text-align:right;white-space:nowrap",
    "url": "word-break:break-all",
    "muted": "color:#5d6679",
    "sev": "display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;font-weight:600",
    "info": "color:#475467",
    "badge": "display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;"
    "font-weight:600",
    "blocking": "background:#b42318;color:#ffffff",
    "action": "margin:20px 0",
}
_TAG_STYLES = {
    "h1": "font-size:20px;margin:0",
    "h2": "font-size:17px;margin:20px 0 8px",
    "th": "text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7ec;font-size:12px;"
    "color:#5d6679;text-transform:uppercase",
    "td": "text-align:left;padding:6px 8px;border-bottom:1px solid #e4e7ec;vertical-align:top",
    "a": "color:#1849a9",
    "b": "display:block;font-size:22px",
}


@dataclass(frozen=True)
class Mail:
    """One message, ready to send or to show (`--dry-run`)."""

    to: list[str]
    subject: str
    text: str
    html: str

    def preview(self) -> str:
        return f"E-mail to {', '.join(self.to)}: {self.subject}\n\n{self.text}"


def team_mail(found: News, team: TeamNews, t: Translator) -> Mail:
    counts = team.team.counts
    subject = t.gettext("[shoplint] %(team)s: %(errors)s, %(new)s new, release gate %(verdict)s")
    subject %= {
        "team": team.team.name,
        "errors": f"{t.number(counts['error'])} {t.severity_count('error', counts['error'])}",
        "new": t.number(team.new_findings),
        "verdict": _verdict_word(found, t),
    }
    fixed = sum(g.pages for g in _fixed_of(found, team.team.id))
    html = _render("mail_team.html.j2", found, t, subject=subject, news=team, fixed=fixed)
    lines = [
        team.team.name,
        _run_line(found, t),
        "",
        verdict_line(found, t),
        counts_line(counts, t),
    ]
    for title, groups in (
        (t.gettext("What blocks the release"), team.blocking),
        (_new_title(found, t), team.new),
        (t.gettext("Biggest problems"), team.biggest),
    ):
        lines += _listed(title, groups, t)
    if team.link:
        lines += ["", t.gettext("The team's report: %(link)s") % {"link": team.link}]
    return Mail(team.team.email, subject, "\n".join(lines) + "\n", html)


def overview_mail(found: News, to: list[str], t: Translator) -> Mail:
    data = found.data
    totals: Counter[str] = sum((team.team.counts for team in found.teams), Counter())
    subject = t.gettext("[shoplint] %(site)s: release gate %(verdict)s, %(errors)s, %(new)s new")
    subject %= {
        "site": data.run.start_url,
        "verdict": _verdict_word(found, t),
        "errors": f"{t.number(totals['error'])} {t.severity_count('error', totals['error'])}",
        "new": t.number(found.new_findings),
    }
    biggest = sorted(
        (group for team in found.teams for group in team.biggest),
        key=lambda g: (not g.blocking, -g.pages),
    )[:5]
    html = _render(
        "mail_overview.html.j2",
        found,
        t,
        subject=subject,
        teams=[team.team for team in found.teams],
        totals=totals,
        accepted_total=sum(1 for f in data.findings if f.accepted),
        biggest=biggest,
        report_link=found.link,
    )
    lines = [_run_line(found, t), "", verdict_line(found, t)]
    lines += [f"  {reason}" for reason in data.gate.reasons[:10]]
    lines += ["", t.gettext("Teams") + ":"]
    lines += [f"- {team.team.name}: {counts_line(team.team.counts, t)}" for team in found.teams]
    if found.link:
        lines += ["", t.gettext("The report: %(link)s") % {"link": found.link}]
    return Mail(to, subject, "\n".join(lines) + "\n", html)


def send(mails: list[Mail], config: EmailConfig, env: Mapping[str, str]) -> None:
    """Every mail over one SMTP session; raises OSError or smtplib.SMTPException."""
    smtp_config = config.smtp
    username = _secret(env, smtp_config.username_env)
    password = _secret(env, smtp_config.password_env)
    context = ssl.create_default_context()
    port, timeout = smtp_config.effective_port, smtp_config.timeout
    if smtp_config.security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp_config.host, port, timeout=timeout, context=context
        )
    else:
        server = smtplib.SMTP(smtp_config.host, port, timeout=timeout)
    with server:
        if smtp_config.security == "starttls":
            server.starttls(context=context)
        if username and password:
            server.login(username, password)
        for mail in mails:
            server.send_message(_message(mail, config.sender))


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _secret(env: Mapping[str, str], name: str | None) -> str | None:
    if name is None:
        return None
    value = env.get(name)
    if not value:
        raise ConfigError(f"notify.email.smtp: environment variable {name} is not set")
    return value


def _render(template: str, found: News, t: Translator, **context: object) -> str:
    data = found.data
    base = found.link.removesuffix("index.html") if found.link else None
    html = (
        environment(t.language)
        .get_template(template)
        .render(
            data=data,
            run=data.run,
            link=Linker(origin(data.run.start_url)),
            team_href=lambda team_id: f"{base}owner-{team_id}.html" if base else None,
            **context,
        )
    )
    return _inline_styles(html)


def _inline_styles(html: str) -> str:
    """The styles of each element's tag and classes, written into its style attribute."""
    root = lxml.html.document_fromstring(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        styles = [_TAG_STYLES.get(element.tag, "")]
        styles += [_STYLES.get(name, "") for name in (element.get("class") or "").split()]
        style = ";".join(s for s in styles if s)
        if style:
            element.set("style", style)
        element.attrib.pop("data-label", None)
    return "<!doctype html>\n" + lxml.html.tostring(root, encoding="unicode")


def _fixed_of(found: News, team_id: str) -> list[FindingGroup]:
    return group_findings(f for f in found.data.fixed if f.finding.owner == team_id)


def _verdict_word(found: News, t: Translator) -> str:
    return t.gettext("passed") if found.data.gate.passed else t.gettext("failed")


def _run_line(found: News, t: Translator) -> str:
    run = found.data.run
    pages = run.counters.get("pages", 0)
    checked = t.ngettext("%(count)s page checked", "%(count)s pages checked", pages)
    return f"{run.start_url} · {t.day(run.today)} · " + checked % {"count": t.number(pages)}


def _new_title(found: News, t: Translator) -> str:
    compared = found.data.compared
    return t.gettext("New since run %(id)s") % {"id": compared.id} if compared else ""


def _listed(title: str, groups: list[FindingGroup], t: Translator) -> list[str]:
    if not groups:
        return []
    lines = ["", title + ":"]
    for group in groups:
        f = group.first.finding
        rule = f"{f.code} {t.rule_name(group.rule)}" if group.rule else f.code
        pages = t.ngettext("%(count)s page", "%(count)s pages", group.pages)
        where = f.target or f.url
        lines.append(
            f"- {rule}: {t.text(f.message)} ({pages % {'count': t.number(group.pages)}}) {where}"
        )
    return lines
