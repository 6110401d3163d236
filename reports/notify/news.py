"""What a run's notifications say, whichever channel carries them: each team's counts, what
is new, what blocks the release and its biggest problems; the overview's verdict and counts
per team; and whether `notify.when` lets them go at all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from reports.data import ReportData
from reports.grouping import FindingGroup, biggest_first, group_findings
from reports.i18n import Translator
from reports.writers.html import TeamSummary, open_by_team, team_summaries

LISTED = 5  # groups per list in a mail: "the five biggest problems"


@dataclass(frozen=True)
class TeamNews:
    team: TeamSummary
    blocking: list[FindingGroup]  # what blocks the release, biggest first
    new: list[FindingGroup]  # new since the compared run (empty: nothing to compare with)
    biggest: list[FindingGroup]
    link: str | None  # its page of the published report
    new_findings: int  # open and new since the compared run (all, without one)


@dataclass(frozen=True)
class News:
    data: ReportData
    teams: list[TeamNews]
    link: str | None  # the published overview

    @property
    def new_findings(self) -> int:
        """Open findings new since the compared run; every one, when there is none."""
        return sum(1 for f in self.data.findings if f.new and not f.accepted)


def verdict_line(found: News, t: Translator) -> str:
    """ "Release gate failed (errors)": the verdict every channel leads with."""
    gate = found.data.gate
    verdict = t.gettext("Release gate passed") if gate.passed else t.gettext("Release gate failed")
    return f"{verdict} ({gate.policy})"


def counts_line(counts: Counter[str], t: Translator) -> str:
    """ "3 errors, 1 warning, 0 info, 2 blocking": a team's counts in one line."""
    parts = [
        f"{t.number(counts[s])} {t.severity_count(s, counts[s])}"
        for s in ("error", "warning", "info")
    ]
    parts.append(t.gettext("%(n)s blocking") % {"n": t.number(counts["blocking"])})
    return ", ".join(parts)


def news(data: ReportData, report_url: str | None) -> News:
    by_team = open_by_team(data)
    accepted = [f for f in data.findings if f.accepted]
    teams = []
    for team in team_summaries(data, by_team, accepted):
        findings = by_team.get(team.id, [])
        groups = biggest_first(group_findings(findings, data.gate))
        new = [g for g in groups if g.new] if data.compared is not None else []
        teams.append(
            TeamNews(
                team,
                [g for g in groups if g.blocking][:LISTED],
                new[:LISTED],
                groups[:LISTED],
                f"{report_url}owner-{team.id}.html" if report_url else None,
                sum(1 for f in findings if f.new),
            )
        )
    return News(data, teams, f"{report_url}index.html" if report_url else None)


def overview_wanted(when: str, found: News) -> bool:
    if when == "gate-failed":
        return not found.data.gate.passed
    if when == "new-findings":
        return found.new_findings > 0
    return True


def team_wanted(when: str, team: TeamNews, found: News) -> bool:
    """A team hears of a failed gate when its own findings block it, of new findings when
    it has some of its own."""
    if when == "gate-failed":
        return not found.data.gate.passed and team.team.counts["blocking"] > 0
    if when == "new-findings":
        return team.new_findings > 0
    return True
