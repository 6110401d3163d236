"""Runs written straight into a real run store, without crawling: for tests of routing,
reports and the gate that need exact findings (thousands of them, or payloads in every field).

    db = tmp_path / "shoplint.db"
    run_id = store_run(db, [finding("LNK001", "/a/", "/gone/")])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from checks.context import CheckContext
from ground.model import Finding, RunStatus
from shoplint.cli import main
from store import SqliteStore

SHOP = "https://shop.example/"
TODAY = dt.date(2026, 5, 1)


@cache
def _context(site: str) -> CheckContext:
    return CheckContext({}, site, TODAY)


def finding(
    code: str,
    path: str,
    target: str | None = None,
    message: str = "Link to a page that does not exist (404)",
    evidence: str | None = None,
    site: str = SHOP,
) -> Finding:
    """A finding of rule `code` as the checks of `site` make it (the rule's severity, team
    and fingerprint); paths are on the site, absolute addresses are kept."""
    url = path if "://" in path else site.rstrip("/") + path
    if target is not None and target.startswith("/"):
        target = site.rstrip("/") + target
    made = _context(site).finding(code, url, target, message, evidence)
    assert made is not None
    return made


def store_run(
    db: Path,
    findings: Iterable[Finding],
    today: dt.date = TODAY,
    status: RunStatus = RunStatus.COMPLETE,
    start_url: str = SHOP,
    pages: int = 10,
) -> int:
    """A finished run of `start_url` holding `findings`, recorded in the site's history."""
    store = SqliteStore(str(db))
    try:
        run_id = store.begin_run(start_url, "test", today.isoformat())
        store.add_findings(run_id, findings)
        store.finish_run(run_id, status, {"pages": pages})
        store.record_first_seen(run_id)
    finally:
        store.close()
    return run_id


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def call_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """`shoplint ARGS` in this process (commands that do not crawl: no reactor needed),
    which is many times faster than a subprocess; run it with the working folder and
    SHOPLINT_TODAY set (see the `cli` fixtures of the tests)."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return CliResult(code, out, err)
