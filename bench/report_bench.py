#!/usr/bin/env python3
"""Report benchmark: how long the reports take for a run of 100,000 findings.

Builds a real run store in a temporary folder with two runs of a synthetic shop (the one
before has ~95% of the findings, so new, fixed and first-seen have work to do), then times:
  1. assemble: reading the run from the store, routing every finding to its team, comparing
     with the run before, the baseline and the gate (what `shoplint gate` does before writing);
  2. each writer alone (findings.json, findings.csv, junit.xml, summary.md, HTML);
  3. write_reports with every format, in its single pass (what `shoplint run` does).

The findings are shaped like a real shop's: 30% come from 30 template defects (a footer link,
a header image) that show on 1,000 pages each; the rest are one-off problems spread over
product, promotion, FAQ, checkout and blog pages, so routing sends them to every team.

    python bench/report_bench.py                  # 100,000 findings
    python bench/report_bench.py --findings 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checks.context import CheckContext  # noqa: E402
from checks.registry import REGISTRY  # noqa: E402
from ground.model import Finding, RunStatus  # noqa: E402
from reports.assemble import assemble  # noqa: E402
from reports.config import REPORT_FORMATS  # noqa: E402
from reports.writers import WRITERS, write_reports  # noqa: E402
from shoplint.config import Config  # noqa: E402
from store import SqliteStore  # noqa: E402

SHOP = "https://shop.example/"
SECTIONS = ("product", "product", "product", "categorie", "blog", "acties", "faq", "afrekenen")
TEMPLATE_DEFECTS = 30  # defects in shared templates
PAGES_PER_DEFECT = 1_000


def synthetic_findings(count: int, seed: int, today: dt.date) -> Iterator[Finding]:
    rng = random.Random(seed)
    context = CheckContext({}, SHOP, today)
    codes = sorted(REGISTRY)
    pages = [f"{SHOP}{rng.choice(SECTIONS)}/item-{n}/" for n in range(count // 3)]
    shared = min(TEMPLATE_DEFECTS * PAGES_PER_DEFECT, count * 3 // 10)
    for n in range(shared):
        defect = n % TEMPLATE_DEFECTS
        code = ("LNK001", "IMG001", "PAG010")[defect % 3]
        page = pages[(n // TEMPLATE_DEFECTS) % len(pages)]
        yield _make(context, code, page, f"{SHOP}template/{defect}/", "Footer link")
    for n in range(count - shared):
        code = codes[n % len(codes)]
        page = pages[rng.randrange(len(pages))]
        yield _make(context, code, page, f"{SHOP}gone/{n}/", f"Anchor text number {n}")


def _make(context: CheckContext, code: str, page: str, target: str, evidence: str) -> Finding:
    made = context.finding(code, page, target, f"{REGISTRY[code].summary} ({target})", evidence)
    assert made is not None
    return made


def build_store(db: Path, findings: int, today: dt.date) -> int:
    """Two runs: the one before lacks 5% of today's findings (new today) and has 2% that
    are gone today (fixed)."""
    context = CheckContext({}, SHOP, today)
    store = SqliteStore(str(db))
    before = store.begin_run(SHOP, "bench", (today - dt.timedelta(days=1)).isoformat())
    store.add_findings(
        before, (f for n, f in enumerate(synthetic_findings(findings, 7, today)) if n % 20)
    )
    gone = findings // 50
    store.add_findings(
        before, (_make(context, "LNK001", f"{SHOP}old/{n}/", f"{SHOP}x/", "") for n in range(gone))
    )
    now = store.begin_run(SHOP, "bench", today.isoformat())
    store.add_findings(now, synthetic_findings(findings, 7, today))
    for run_id in (before, now):
        store.finish_run(run_id, RunStatus.COMPLETE, {"pages": findings // 3})
        store.record_first_seen(run_id)
    store.close()
    return now


def timed(label: str, action: Callable[[], Any], results: dict[str, float]) -> Any:
    start = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - start
    print(f"  {label:<32} {results[label]:7.2f} s", flush=True)
    return value


def run_writer(name: str, data: Any, out: Path) -> None:
    writer = WRITERS[name](out)
    writer.start(data)
    for finding in data.findings:
        writer.handle(finding)
    writer.finish()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()
    today = dt.date(2026, 5, 1)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        folder = Path(tmp)
        db, out = folder / "bench.db", folder / "report"
        out.mkdir()
        config = Config().with_overrides({"store": {"path": str(db)}})
        print(f"{args.findings:,} findings, {len(REGISTRY)} rules, two runs")
        run_id = timed(
            "build the store (not reporting)",
            lambda: build_store(db, args.findings, today),
            results,
        )
        store = SqliteStore(str(db))
        data = timed(
            "assemble (read, route, compare)",
            lambda: assemble(store, run_id, config, today),
            results,
        )
        store.close()
        for name in ("json", *REPORT_FORMATS):
            timed(f"writer {name}", lambda name=name: run_writer(name, data, out), results)
        timed(
            "write_reports, all formats", lambda: write_reports(data, out, REPORT_FORMATS), results
        )
        total = results["assemble (read, route, compare)"] + results["write_reports, all formats"]
        print(f"  {'report generation in all':<32} {total:7.2f} s")
        sizes = {path.name: path.stat().st_size for path in out.iterdir()}
        html = sum(size for name, size in sizes.items() if name.endswith(".html"))
        print(f"new {sum(f.new for f in data.findings):,}, fixed {len(data.fixed):,}, files:")
        for name, size in sorted(sizes.items()):
            print(f"  {name:<32} {size / 1e6:7.1f} MB")
        print(f"  {'HTML in all':<32} {html / 1e6:7.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
