"""What every report is written from: one run's findings, routed, compared with an earlier
run and the baseline, and the release gate's verdict on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ground.model import Finding, FlowOutcome, RunInfo, Severity
from reports.config import TeamConfig
from reports.i18n import translator

if TYPE_CHECKING:
    from reports.baseline import Acceptance
    from reports.gate import GateResult

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)  # most severe first
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}


@dataclass(frozen=True, slots=True)
class ReportedFinding:
    """A finding as the reports show it: routed to its team, with its history."""

    finding: Finding
    first_seen: date | None  # the first run of the site that had it (None: not known)
    new: bool  # not in the run compared with (every finding is new when there is none)
    acceptance: Acceptance | None = None  # its baseline entry, expired or not
    accepted: bool = False  # an acceptance that has not expired: it never counts


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run_id: int
    day: str  # the run's `today`
    counts: dict[str, int]  # severity -> findings

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ReportData:
    run: RunInfo
    today: date  # what ages and acceptance dates are judged against
    findings: list[ReportedFinding]  # most severe first
    teams: dict[str, TeamConfig]
    gate: GateResult
    compared: RunInfo | None = None  # the run "new" and "fixed" are relative to
    fixed: list[ReportedFinding] = field(default_factory=list)  # in `compared`, gone now
    trend: list[TrendPoint] = field(default_factory=list)  # oldest first, this run last
    unmatched_acceptances: list[Acceptance] = field(default_factory=list)  # found no more
    checkout: list[FlowOutcome] = field(default_factory=list)
    rule_teams: dict[str, str] = field(default_factory=dict)  # enabled rule -> its usual team
    status_counts: dict[str, int] = field(default_factory=dict)  # "200", "404", "failed: dns"
    language: str = "en"  # report.language: the words, numbers and dates of every report

    @property
    def skipped(self) -> dict[str, int]:
        """URLs the crawl did not fetch, by reason (trap guards, max_pages, robots.txt)."""
        return {
            name.removeprefix("skipped_").replace("_", " "): count
            for name, count in sorted(self.run.counters.items())
            if name.startswith("skipped_")
        }

    def team_name(self, team_id: str) -> str:
        """As configured; the default teams' names in the report's language."""
        team = self.teams.get(team_id)
        return translator(self.language).gettext(team.name) if team else team_id
