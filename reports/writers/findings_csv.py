"""findings.csv: one row per finding, for a spreadsheet. Cells that a spreadsheet would run
as a formula (crawled text starting with = + - @) are quoted with a leading apostrophe."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TextIO

from reports.data import ReportData, ReportedFinding
from reports.writers.base import ReportWriter

COLUMNS = (
    "check",
    "code",
    "severity",
    "owner",
    "owner_name",
    "url",
    "target",
    "message",
    "evidence",
    "fingerprint",
    "first_seen",
    "status",
    "accepted_by",
    "accepted_until",
    "blocking",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvWriter(ReportWriter):
    name = "csv"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self.path = self.out_dir / "findings.csv"
        self._file: TextIO = self.path.open("w", encoding="utf-8-sig", newline="")  # BOM: Excel
        self._csv = csv.writer(self._file)
        self._csv.writerow(COLUMNS)

    def handle(self, finding: ReportedFinding) -> None:
        f = finding.finding
        active = finding.acceptance if finding.accepted else None
        self._csv.writerow(
            _inert(value)
            for value in (
                f.check,
                f.code,
                f.severity.value,
                f.owner,
                self.data.team_name(f.owner),
                f.url,
                f.target or "",
                f.message,
                f.evidence or "",
                f.fingerprint,
                finding.first_seen.isoformat() if finding.first_seen else "",
                "new" if finding.new else "existing",
                active.by if active else "",
                active.until.isoformat() if active and active.until else "",
                "yes" if self.data.gate.blocks(finding) else "no",
            )
        )

    def finish(self) -> list[Path]:
        self._file.close()
        return [self.path]


def _inert(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
