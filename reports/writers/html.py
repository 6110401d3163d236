"""The HTML report: index.html, the overview for the head of digital, and one page per team
(owner-TEAM.html), its to-do list. Rendered with Jinja2, everything escaped by autoescape;
only http(s) addresses become links. A Content-Security-Policy allows no script or style but
the report's own (by hash), so the report opens offline and from a CI artifact, and crawled
text can never run as a script even if a template slipped."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from checks.checkout.findings import SCREENSHOT_NOTE
from checks.registry import FAMILY_PREFIXES, Rule
from ground.urls import origin
from reports.data import SEVERITIES, SEVERITY_RANK, ReportData, ReportedFinding, TrendPoint
from reports.grouping import FindingGroup, biggest_first, group_findings
from reports.i18n import N_, translator
from reports.writers.base import ReportWriter

_LISTED = 25  # groups listed in the overview's new, fixed and biggest sections
_ACCEPTED_LISTED = 500  # accepted findings listed; findings.csv has them all


def _asset(name: str) -> tuple[Markup, str]:
    """A static asset inlined into every page, and its CSP hash."""
    text = files("reports").joinpath("templates", name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return Markup(text), f"'sha256-{digest}'"


_STYLE, _STYLE_HASH = _asset("report.css")
_SCRIPT, _SCRIPT_HASH = _asset("report.js")
_CSP = (
    f"default-src 'none'; style-src {_STYLE_HASH}; script-src {_SCRIPT_HASH}; img-src data:;"
    " base-uri 'none'; form-action 'none'"
)


class Linker:
    """Addresses as links, shown relative to the site so the path stands out; only http(s)
    addresses become links, anything else (javascript:, a malformed href) is text."""

    def __init__(self, origin: str):
        self.origin = origin
        self._made: dict[str, Markup] = {}  # a page is linked from many rows and lists

    def __call__(self, url: str | None) -> Markup:
        if not url:
            return Markup("")
        made = self._made.get(url)
        if made is None:
            made = self._made[url] = self._link(url)
        return made

    def _link(self, url: str) -> Markup:
        href = escape(url)
        if not url.startswith(("http://", "https://")):
            return Markup(f'<span class="raw">{href}</span>')
        shown = url[len(self.origin) :] if url.startswith(self.origin + "/") else url
        return Markup(
            f'<a href="{href}" title="{href}" rel="noopener noreferrer" target="_blank">'
            f"{escape(shown)}</a>"
        )


def evidence_html(evidence: str) -> Markup:
    """A finding's evidence, escaped; the screenshot of a failed browser step (a file of
    the report folder, `screenshots/NAME.png`, nothing else) becomes a link to it."""
    if "screenshot: " not in evidence:  # nearly every finding's
        return escape(evidence)
    parts, last = [], 0
    for match in SCREENSHOT_NOTE.finditer(evidence):
        path = escape(match.group(1))
        parts += [escape(evidence[last : match.start(1)]), Markup(f'<a href="{path}">{path}</a>')]
        last = match.end(1)
    parts.append(escape(evidence[last:]))
    return Markup("").join(parts)


class PageList:
    """Every page of a group, as the items of a list, each with its own evidence where it
    differs from the group's: written here rather than in the template, as a large run's
    team page is mostly these lists (a slip on a thousand pages), and a template loop
    costs several times more an item."""

    def __init__(self, link: Linker, evidence: Callable[[str], Markup]):
        self.link = link
        self.evidence = evidence

    def __call__(self, group: FindingGroup) -> Markup:
        link, evidence = self.link, self.evidence
        shown = group.first.finding.evidence
        items = []
        for item in group.items:
            f = item.finding
            if f.evidence != shown and f.evidence:
                items.append(f"<li>{link(f.url)} <code>{evidence(f.evidence)}</code></li>")
            else:
                items.append(f"<li>{link(f.url)}</li>")
        return Markup("".join(items))


SKIP_REASONS = (  # the crawl's skipped_* counters, as the overview names them
    N_("seen"),
    N_("excluded"),
    N_("too long"),
    N_("repeated parameter"),
    N_("repeated path"),
    N_("endless path"),
    N_("path token"),
    N_("query variants"),
    N_("max pages"),
    N_("robots"),
)


@cache
def environment(language: str) -> Environment:
    """The templates in one language: gettext for their words, Babel for their numbers."""
    t = translator(language)
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]

    def days(age: int | None) -> str:
        if age is None:
            return ""
        return (
            t.gettext("today")
            if age == 0
            else t.ngettext("%(n)s day", "%(n)s days", age) % {"n": t.number(age)}
        )

    env.filters.update(  # the few days and numbers of a report, each written once (Babel)
        days=cache(days),
        number=cache(t.number),
        day=cache(t.day),
        moment=t.moment,
        severity=t.severity,
        severities=lambda severity, n: t.severity_count(str(severity), n),
        family=t.family,
        rule_name=t.rule_name,
        summary=t.summary,
        explanation=t.explanation,
        text=t.text,
        evidence=lambda evidence: evidence_html(t.text(evidence)),
    )
    env.globals.update(
        style=_STYLE, script=_SCRIPT, csp=_CSP, severities=SEVERITIES, language=language
    )
    return env


@dataclass
class RuleSection:
    code: str
    rule: Rule | None
    severity: str
    groups: list[FindingGroup]

    @property
    def findings(self) -> int:
        return sum(g.pages for g in self.groups)

    @cached_property
    def has_target(self) -> bool:
        """Asked for every row of the rule's table: worked out once (it reads every group)."""
        return any(g.first.finding.target for g in self.groups)

    @property
    def blocking(self) -> int:
        return sum(g.pages for g in self.groups if g.blocking)


@dataclass
class FamilySection:
    family: str
    rules: list[RuleSection] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return sum(r.findings for r in self.rules)


@dataclass
class TeamSummary:
    id: str
    name: str
    email: list[str]
    counts: Counter[str]  # severity, "new", "blocking", "accepted" -> findings
    by_family: dict[str, Counter[str]]  # family -> severity -> open findings

    @property
    def open(self) -> int:
        return sum(self.counts[s.value] for s in SEVERITIES)


class HtmlWriter(ReportWriter):
    name = "html"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self._open: defaultdict[str, list[ReportedFinding]] = defaultdict(list)
        self._accepted: list[ReportedFinding] = []
        for stale in self.out_dir.glob("owner-*.html"):  # teams of an earlier config
            stale.unlink()

    def handle(self, finding: ReportedFinding) -> None:
        if finding.accepted:
            self._accepted.append(finding)
        else:
            self._open[finding.finding.owner].append(finding)

    def finish(self) -> list[Path]:
        data = self.data
        teams = team_summaries(data, self._open, self._accepted)
        open_findings = [f for f in data.findings if not f.accepted]  # most severe first
        link = Linker(origin(data.run.start_url))
        page_list = PageList(link, environment(data.language).filters["evidence"])
        common = {
            "data": data,
            "run": data.run,
            "teams": teams,
            "has": self._files_written(),
            "link": link,
            "team_href": lambda team_id: f"owner-{team_id}.html",
        }
        paths = [
            self._render(
                "index.html",
                "index.html.j2",
                **common,
                trend=trend_chart(data.trend),
                totals=sum((team.counts for team in teams), Counter()),
                family_names=list(FAMILY_PREFIXES),
                biggest=biggest_first(self._groups(open_findings, by_owner=False))[:_LISTED],
                new=self._new_groups(open_findings),
                fixed=group_findings(data.fixed, by_owner=False),
                accepted=self._accepted[:_ACCEPTED_LISTED],
                accepted_total=len(self._accepted),
                expired=[f for f in data.findings if f.acceptance and not f.accepted],
                checkout_findings=sum(1 for f in open_findings if f.finding.check == "checkout"),
                listed=_LISTED,
            )
        ]
        for team in teams:
            findings = self._open.get(team.id, [])
            paths.append(
                self._render(
                    f"owner-{team.id}.html",
                    "owner.html.j2",
                    **common,
                    team=team,
                    page_list=page_list,
                    families=self._families(findings),
                    accepted=[f for f in self._accepted if f.finding.owner == team.id],
                    fixed=group_findings(
                        (f for f in data.fixed if f.finding.owner == team.id), by_owner=False
                    ),
                )
            )
        return paths

    def _render(self, filename: str, template: str, **context: Any) -> Path:
        path = self.out_dir / filename
        with path.open("w", encoding="utf-8") as out:
            environment(self.data.language).get_template(template).stream(**context).dump(out)
        return path

    def _files_written(self) -> set[str]:
        """The other formats of this run, linked from the overview when written."""
        names = {"findings.json", "findings.csv", "junit.xml", "summary.md"}
        return {name for name in names if (self.out_dir / name).exists()}

    def _groups(self, findings: list[ReportedFinding], by_owner: bool) -> list[FindingGroup]:
        return group_findings(findings, self.data.gate, by_owner=by_owner)

    def _new_groups(self, open_findings: list[ReportedFinding]) -> list[FindingGroup]:
        if self.data.compared is None:
            return []
        return biggest_first(self._groups([f for f in open_findings if f.new], by_owner=False))

    def _families(self, findings: list[ReportedFinding]) -> list[FamilySection]:
        """Family by family, rule by rule, most severe first; groups blocking first, then
        those on the most pages."""
        by_rule: defaultdict[str, list[FindingGroup]] = defaultdict(list)
        for group in self._groups(findings, by_owner=True):
            by_rule[group.code].append(group)
        families: dict[str, FamilySection] = {}
        for code, groups in by_rule.items():
            first = groups[0].first.finding
            section = RuleSection(code, groups[0].rule, first.severity.value, biggest_first(groups))
            families.setdefault(first.check, FamilySection(first.check)).rules.append(section)
        for family in families.values():
            family.rules.sort(key=lambda r: (-SEVERITY_RANK[r.severity], -r.blocking, -r.findings))
        order = list(FAMILY_PREFIXES)
        return sorted(
            families.values(),
            key=lambda f: (
                -max(SEVERITY_RANK[r.severity] for r in f.rules),
                order.index(f.family) if f.family in order else len(order),
            ),
        )


def team_summaries(
    data: ReportData,
    open_by_team: Mapping[str, list[ReportedFinding]],
    accepted: list[ReportedFinding],
) -> list[TeamSummary]:
    """Each team's counts: the declared teams in order, then any other owner found."""
    team_ids = list(data.teams) + sorted(set(open_by_team) - set(data.teams))
    summaries = []
    blocking = data.gate.blocking
    for team_id in team_ids:
        findings = [f.finding for f in open_by_team.get(team_id, [])]
        counts: Counter[str] = Counter()
        by_family: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for (family, severity), n in Counter((f.check, f.severity.value) for f in findings).items():
            counts[severity] += n
            by_family[family][severity] += n
        if data.compared is not None and (new := sum(f.new for f in open_by_team.get(team_id, []))):
            counts["new"] += new
        if n_blocking := sum(f.fingerprint in blocking for f in findings):
            counts["blocking"] += n_blocking
        counts["accepted"] = sum(1 for f in accepted if f.finding.owner == team_id)
        team = data.teams.get(team_id)
        summaries.append(
            TeamSummary(
                team_id,
                data.team_name(team_id),
                team.addresses if team else [],
                counts,
                by_family,
            )
        )
    return summaries


def open_by_team(data: ReportData) -> dict[str, list[ReportedFinding]]:
    """The findings that count (not accepted), by team, most severe first."""
    by_team: defaultdict[str, list[ReportedFinding]] = defaultdict(list)
    for f in data.findings:
        if not f.accepted:
            by_team[f.finding.owner].append(f)
    return by_team


def trend_chart(points: list[TrendPoint], height: int = 150) -> dict[str, Any] | None:
    """Stacked bars, errors at the bottom, as coordinates for the template's inline SVG."""
    if not points:
        return None
    step, bar, left, top = 56, 30, 44, 18
    peak = max(max(p.total for p in points), 1)
    scale = (height - top) / peak
    bars = []
    for index, point in enumerate(points):
        x = left + index * step
        y = height
        segments = []
        for severity in SEVERITIES:
            count = point.counts.get(severity.value, 0)
            if count:
                h = max(count * scale, 1.0)
                y -= h
                segments.append(
                    {"y": round(y, 1), "h": round(h, 1), "cls": severity.value, "n": count}
                )
        bars.append(
            {
                "x": x,
                "run": point.run_id,
                "day": point.day,
                "label": point.day[5:],
                "total": point.total,
                "top": round(y, 1),
                "segments": segments,
            }
        )
    return {
        "bars": bars,
        "width": left + len(points) * step,
        "height": height,
        "bar": bar,
        "peak": peak,
        "left": left,
        "top": top,
    }
