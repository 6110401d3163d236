"""The one interface every output format implements (flake8's formatter life cycle): the
writer is started with the run, handed each finding once, then finished."""

from __future__ import annotations

from pathlib import Path

from reports.data import ReportData, ReportedFinding


class ReportWriter:
    """Writes one format into `out_dir`. No writer decides pass or fail: `data.gate` did."""

    name: str  # as in the config's report.formats

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir

    def start(self, data: ReportData) -> None:
        self.data = data

    def handle(self, finding: ReportedFinding) -> None:
        """Called once per finding, most severe first."""

    def finish(self) -> list[Path]:
        """Write what is left; returns the files written."""
        raise NotImplementedError
