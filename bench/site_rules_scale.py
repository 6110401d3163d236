#!/usr/bin/env python3
"""Site rules at scale: their time and memory over a large run stored in PostgreSQL.

Fills a throwaway PostgreSQL (tests/services.py) with a synthetic run of N pages in the
crawl's own batches (store_bench.py's generator: ~90 references a page), adds what a crawl
of a shop also stores (an image per product, sitemap entries, a few broken links and
redirects), then runs the site rules exactly as the coordinator does after a crawl
(shoplint/runner.py `_site_findings`: checks.engine.site_findings over a SiteView), every
rule on, internal-only, in a fresh process: its wall time and peak RSS are the rules' own.
Also PostgreSQL's bytes per stored page and its CPU while the rules read.

    python bench/site_rules_scale.py                     # 10,000 and 100,000 pages
    python bench/site_rules_scale.py --pages 2000 --pages 20000
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from distributed_bench import postgres_counts, postgres_cpu_s  # noqa: E402
from measure import NOISY_CORES, wait_for_idle  # noqa: E402
from measure import _machine_busy_s as machine_busy_s  # noqa: E402
from runs import RESULTS, run_header, write_results  # noqa: E402
from services import new_database, postgres_server  # noqa: E402
from store_bench import BATCH, SHOP, Batch, page_batch  # noqa: E402

from ground.model import Fetch, Outcome, Reference, RefKind, RunStatus, SitemapEntry  # noqa: E402

REFS_PER_PAGE = 90  # store_bench's generator: one in five an <img>
START = SHOP + "/"
TODAY = "2026-05-01"
SITEMAP = SHOP + "/sitemap.xml"
RULES_TIMEOUT = 3600  # seconds for the site rules at the largest size
IMAGE_BYTES = 20_000
IDLE_WAIT = 300  # seconds to wait, at most, for an idle machine before the rules run


def image_url(n: int) -> str:
    return f"{SHOP}/img/item-{n}.png"


def shop_batch(pages: range, total: int) -> Batch:
    """store_bench's records of `pages`, made a shop of `total` pages: its links stay within
    the run (item-K becomes item-K mod total), its <img>s name each product's image, which
    is fetched; one page in ten links to a page that is gone (404) and one in ten to an old
    address that redirects (301) to a product."""
    fetches, refs, findings = page_batch(pages, REFS_PER_PAGE)
    for i, ref in enumerate(refs):
        k = int(ref.target.rstrip("/").rsplit("-", 1)[1]) % total
        target = image_url(k) if ref.kind is RefKind.IMG else f"{SHOP}/product/item-{k}/"
        refs[i] = ref._replace(raw=target[len(SHOP) :], url=target, target=target)
    for n in pages:
        page = f"{SHOP}/product/item-{n}/"
        fetches.append(
            Fetch(image_url(n), 3, Outcome.RESPONSE, 200, content_type="image/png",
                  size=IMAGE_BYTES, elapsed_ms=5)
        )  # fmt: skip
        if n % 10 == 3:
            gone = f"{SHOP}/gone/{n % 500}/"
            refs.append(Reference(page, RefKind.A, gone[len(SHOP) :], gone, gone, "Old offer"))
            fetches.append(Fetch(gone, 3, Outcome.RESPONSE, 404, content_type="text/html"))
        if n % 10 == 7:
            old, new = f"{SHOP}/old/item-{n}/", f"{SHOP}/product/item-{(n + 1) % total}/"
            refs.append(Reference(page, RefKind.A, old[len(SHOP) :], old, old, "See also"))
            fetches.append(Fetch(old, 3, Outcome.RESPONSE, 301, redirect_to=new))
    return fetches, refs, findings


def sitemap_entries(pages: range) -> list[SitemapEntry]:
    """Every product but one in twenty, and the gone addresses (shop_batch) of the pages
    in the first thousand."""
    entries = [SitemapEntry(SITEMAP, f"{SHOP}/product/item-{n}/") for n in pages if n % 20]
    entries += [
        SitemapEntry(SITEMAP, f"{SHOP}/gone/{n}/") for n in pages if n < 500 and n % 10 == 3
    ]
    return entries


def fill(url: str, pages: int) -> tuple[int, float]:
    """A run of `pages` pages written batch by batch; its id and the seconds it took."""
    from store import open_store

    store = open_store(url)
    started = time.perf_counter()
    try:
        run_id = store.begin_run(START, "bench", TODAY)
        for first in range(0, pages, BATCH):
            batch = range(first, min(first + BATCH, pages))
            fetches, refs, findings = shop_batch(batch, pages)
            store.write_batch(run_id, fetches, refs, sitemap_entries(batch), findings)
        store.finish_run(run_id, RunStatus.COMPLETE, {"pages": pages})
    finally:
        store.close()
    return run_id, time.perf_counter() - started


def time_rules(url: str, run_id: int) -> None:
    """The child (--rules): the site rules over the run, as the runner runs them after a
    crawl; prints one JSON line."""
    from shoplint.config import Config
    from shoplint.runner import _site_findings, check_context  # the runner's own phase

    config = Config.model_validate({"crawl": {"internal_only": True}, "store": {"path": url}})
    context = check_context(config, START, date.fromisoformat(TODAY))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    findings = _site_findings(config.store, run_id, START, context)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    by_code: dict[str, int] = {}
    for finding in findings:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "peak_rss_mb": round(peak / 1024, 1),
                "rss_before_rules_mb": round(rss_before / 1024, 1),
                "findings": len(findings),
                "findings_by_code": by_code,
                "shoplint_tree": str(Path(_site_findings.__code__.co_filename).parent.parent),
            }
        )
    )


def measure(server: Any, pages: int) -> dict[str, Any]:
    url = new_database(server, f"rules_{pages}")
    print(f"{pages:,} pages: filling ...", file=sys.stderr, flush=True)
    run_id, fill_s = fill(url, pages)
    stored = postgres_counts(url, 0, pages)
    print(f"  filled in {fill_s:.0f}s; site rules ...", file=sys.stderr, flush=True)
    wait_for_idle(IDLE_WAIT)
    busy, pg_cpu, children = machine_busy_s(), postgres_cpu_s(server), _children_cpu_s()
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--rules", url, str(run_id)],
        capture_output=True,
        text=True,
        timeout=RULES_TIMEOUT,
        check=False,
    )
    if child.returncode:
        raise RuntimeError(f"site rules failed at {pages} pages:\n{child.stderr[-3000:]}")
    wall = time.perf_counter() - started
    rules = json.loads(child.stdout.strip().splitlines()[-1])
    rules["postgres_cpu_s"] = round(postgres_cpu_s(server) - pg_cpu, 2)
    # what the rest of the machine used meanwhile (a busy machine slows the rules down)
    ours = rules["postgres_cpu_s"] + _children_cpu_s() - children
    other = machine_busy_s() - busy - ours
    rules["other_cores"] = round(max(other, 0.0) / wall, 2)
    print(f"  {rules['wall_s']:.0f}s, {rules['peak_rss_mb']:.0f} MB", file=sys.stderr)
    stored.pop("database_growth_bytes")  # a fresh database: its whole size is the run's
    return {"pages": pages, "fill_s": round(fill_s, 1), "store": stored, "rules": rules}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sizes(values: list[int] | None) -> Iterator[int]:
    yield from sorted(values or [10_000, 100_000])


def print_report(out: dict[str, Any], path: Path) -> None:
    print(
        f"\n### Site rules over a PostgreSQL store, every rule on, internal-only; {out['started']}"
    )
    print("\n| pages | refs | site rules wall s | CPU s | PostgreSQL CPU s | peak RSS MB "
          "| RSS before rules MB | findings | PostgreSQL bytes/page |")  # fmt: skip
    print("|" + "---:|" * 9)
    for r in out["results"]:
        rules, store = r["rules"], r["store"]
        print(
            f"| {r['pages']:,} | {store['rows']['refs']:,} | {rules['wall_s']:.1f} | "
            f"{rules['cpu_s']:.1f} | {rules['postgres_cpu_s']:.1f} | "
            f"{rules['peak_rss_mb']:.0f} | {rules['rss_before_rules_mb']:.0f} | "
            f"{rules['findings']:,} | {store['bytes_per_page']:,} |"
        )
    first, last = out["results"][0], out["results"][-1]
    if last["pages"] > first["pages"]:
        grow = (last["rules"]["peak_rss_mb"] - first["rules"]["peak_rss_mb"]) / (
            last["pages"] - first["pages"]
        )
        per_page = (last["rules"]["wall_s"] - first["rules"]["wall_s"]) / (
            last["pages"] - first["pages"]
        )
        print(f"\n- growth: {grow * 1024:.2f} KB of peak RSS and {per_page * 1000:.2f} ms a page")
    for r in out["results"]:
        if r["rules"]["other_cores"] > NOISY_CORES:
            print(
                f"- WARNING: other processes kept {r['rules']['other_cores']:.2f} cores busy "
                f"during the site rules at {r['pages']:,} pages: rerun on an idle machine"
            )
    print(f"\nraw numbers: {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, action="append", help="a run size (repeatable)")
    ap.add_argument("--out", default=str(RESULTS / "site-rules-latest.json"))
    ap.add_argument("--rules", nargs=2, metavar=("URL", "RUN"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    # a SIGTERM unwinds: the servers and children started here are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.rules:
        time_rules(args.rules[0], int(args.rules[1]))
        return 0
    out: dict[str, Any] = {**run_header(), "refs_per_page": REFS_PER_PAGE, "results": []}
    with postgres_server() as server:
        for pages in sizes(args.pages):
            out["results"].append(measure(server, pages))
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    path = Path(args.out)
    default_out = path.resolve() == (RESULTS / "site-rules-latest.json").resolve()
    write_results(out, path, "site-rules-{stamp}.json" if default_out else None)
    print_report(out, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
