"""Sending what `notify.when` lets through over every configured channel; a failure is a
warning line with the secrets blanked out."""

from __future__ import annotations

from collections.abc import Mapping

from reports.data import ReportData
from reports.i18n import translator
from reports.notify import chat, mail
from reports.notify.config import NotifyConfig
from reports.notify.news import news, overview_wanted, team_wanted


def notify(
    data: ReportData,
    config: NotifyConfig,
    report_url: str | None,
    env: Mapping[str, str],
    dry_run: bool = False,
) -> list[str]:
    """Send what `config.when` lets through; returns the lines to print: what was sent (or,
    with dry_run, what would be), and a warning line per delivery that failed."""
    t = translator(data.language)
    found = news(data, report_url)
    mails: list[mail.Mail] = []
    if config.email is not None:
        mails += [
            mail.team_mail(found, team, t)
            for team in found.teams
            if team.team.email and team_wanted(config.when, team, found)
        ]
        if config.email.overview and overview_wanted(config.when, found):
            mails.append(mail.overview_mail(found, config.email.overview, t))
    posts = (
        [chat.chat_post(webhook, found, t) for webhook in config.webhooks]
        if overview_wanted(config.when, found)
        else []
    )
    if dry_run:
        return [m.preview() for m in mails] + [p.preview() for p in posts]
    secrets = _secrets(config, env)
    lines = []
    if mails:
        assert config.email is not None
        try:
            mail.send(mails, config.email, env)
            lines += [f"Notified by e-mail: {', '.join(m.to)}" for m in mails]
        except Exception as exc:  # a delivery never fails the run
            lines.append(_warning(f"e-mail via {config.email.smtp.host}", exc, secrets))
    for post in posts:
        try:
            chat.post(post, env)
            lines.append(f"Notified: {post.name}")
        except Exception as exc:
            lines.append(_warning(post.name, exc, secrets))
    return lines


def _secrets(config: NotifyConfig, env: Mapping[str, str]) -> list[str]:
    """The values of the variables the config names: the SMTP credentials, webhook URLs."""
    names = [webhook.url_env for webhook in config.webhooks]
    if config.email is not None:
        names += [config.email.smtp.username_env, config.email.smtp.password_env]
    return [env[name] for name in names if name and env.get(name)]


def _warning(what: str, exc: Exception, secrets: list[str]) -> str:
    """One line naming the channel and the failure, with every secret blanked out."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    for secret in sorted(secrets, key=len, reverse=True):
        detail = detail.replace(secret, "***")
    return f"shoplint: warning: {what} not delivered: {detail[:300]}"
