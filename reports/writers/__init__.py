"""The output formats, one small writer each; `write_reports` drives them in one pass."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reports.data import ReportData
from reports.writers.base import ReportWriter
from reports.writers.findings_csv import CsvWriter
from reports.writers.findings_json import JsonWriter
from reports.writers.html import HtmlWriter
from reports.writers.junit import JunitWriter
from reports.writers.summary_md import MarkdownWriter

WRITERS: dict[str, type[ReportWriter]] = {
    writer.name: writer
    for writer in (JsonWriter, HtmlWriter, CsvWriter, JunitWriter, MarkdownWriter)
}

__all__ = ["WRITERS", "ReportWriter", "write_reports"]


def write_reports(data: ReportData, out_dir: Path, formats: Iterable[str]) -> list[Path]:
    """findings.json (the contract, always) and the formats named, in one pass over the
    findings, the HTML last (it links the others); returns the files written."""
    names = ["json", *sorted(set(formats) - {"json"}, key=lambda name: name == "html")]
    writers = [WRITERS[name](out_dir) for name in names]
    for writer in writers:
        writer.start(data)
    for finding in data.findings:
        for writer in writers:
            writer.handle(finding)
    return [path for writer in writers for path in writer.finish()]
