"""The HTML report, rendered with Jinja2; everything crawled is escaped by autoescape."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reports.data import ReportData

_env = Environment(
    loader=PackageLoader("reports", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_index_html(data: ReportData, out_dir: Path) -> Path:
    path = out_dir / "index.html"
    html = _env.get_template("index.html.j2").render(data=data, run=data.run)
    path.write_text(html, encoding="utf-8")
    return path
