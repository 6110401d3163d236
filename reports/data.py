"""What every report is written from: one run, its findings and its crawl summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from shoplint.model import Finding, RunInfo


@dataclass(frozen=True)
class ReportData:
    run: RunInfo
    findings: list[Finding]
    status_counts: dict[str, int] = field(default_factory=dict)  # "200", "404", "failed: dns"

    @property
    def skipped(self) -> dict[str, int]:
        """URLs the crawl did not fetch, by reason (trap guards, max_pages, robots.txt)."""
        return {
            name.removeprefix("skipped_").replace("_", " "): count
            for name, count in sorted(self.run.counters.items())
            if name.startswith("skipped_")
        }
