"""findings.csv: one row per finding, for a spreadsheet. Cells that a spreadsheet would run
as a formula (crawled text starting with = + - @) are quoted with a leading apostrophe."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import TextIO

from reports.data import ReportData, ReportedFinding
from reports.i18n import N_, translator
from reports.writers.base import ReportWriter

COLUMNS = (  # the header row in English; report.language translates it
    N_("check"),
    N_("code"),
    N_("severity"),
    N_("owner"),
    N_("owner_name"),
    N_("url"),
    N_("target"),
    N_("message"),
    N_("evidence"),
    N_("fingerprint"),
    N_("first_seen"),
    N_("status"),
    N_("accepted_by"),
    N_("accepted_until"),
    N_("blocking"),
)
_FORMULA_STARTS = frozenset("=+-@\t\r")  # a cell's first character


class CsvWriter(ReportWriter):
    name = "csv"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self.path = self.out_dir / "findings.csv"
        self._file: TextIO = self.path.open("w", encoding="utf-8-sig", newline="")  # BOM: Excel
        self._csv = csv.writer(self._file)
        self._t = t = translator(data.language)
        self._severity = cache(t.severity)  # the few words of a large file, each found once
        self._team_name = cache(data.team_name)
        self._csv.writerow(t.gettext(column) for column in COLUMNS)
        self._words = {  # the values that are words
            "new": t.gettext("new"),
            "existing": t.gettext("existing"),
            True: t.gettext("yes"),
            False: t.gettext("no"),
        }

    def handle(self, finding: ReportedFinding) -> None:
        f = finding.finding
        active = finding.acceptance if finding.accepted else None
        self._csv.writerow(
            [
                "'" + value if value[:1] in _FORMULA_STARTS else value  # inert: see above
                for value in (
                    f.check,
                    f.code,
                    self._severity(f.severity),
                    f.owner,
                    self._team_name(f.owner),
                    f.url,
                    f.target or "",
                    self._t.text(f.message),
                    self._t.text(f.evidence),
                    f.fingerprint,
                    finding.first_seen.isoformat() if finding.first_seen else "",
                    self._words["new" if finding.new else "existing"],
                    active.by if active else "",
                    active.until.isoformat() if active and active.until else "",
                    self._words[self.data.gate.blocks(finding)],
                )
            ]
        )

    def finish(self) -> list[Path]:
        self._file.close()
        return [self.path]
