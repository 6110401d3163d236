#!/usr/bin/env python3
"""Store benchmark: how fast the crawl's batches go into SQLite and into PostgreSQL.

Writes a synthetic run of PAGES pages with REFS references each, in the crawl's own batches
(200 fetches a batch, crawler/settings.py), through `write_batch`, then reads the references
back in document order (what the site rules do); for PostgreSQL also with several writers at
once, each writing its share of the pages into the same run (the workers of a shared crawl).
PostgreSQL is a throwaway server started in a temporary folder (tests/services.py), fsync
off as in the tests: the numbers are the store's own cost, not the disk's.

    python bench/store_bench.py                       # 2,000 pages x 300 references
    python bench/store_bench.py --pages 500 --writers 4
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from services import new_database, postgres_server  # noqa: E402

from ground.model import Fetch, Finding, Outcome, Reference, RefKind, Severity  # noqa: E402
from store import Store, open_store  # noqa: E402

SHOP = "https://shop.example"
BATCH = 200  # fetches per write_batch, as the crawl's store pipeline writes them
FINDINGS_PER_PAGE = 2
Batch = tuple[list[Fetch], list[Reference], list[Finding]]


def page_batch(pages: range, refs_per_page: int) -> Batch:
    """The records of `pages`: each page links to `refs_per_page` others and images."""
    fetches, refs, findings = [], [], []
    for n in pages:
        url = f"{SHOP}/product/item-{n}/"
        fetches.append(
            Fetch(url, 2, Outcome.RESPONSE, 200, content_type="text/html", size=48_000,
                  elapsed_ms=35, is_page=True, title=f"Item {n}", lang="nl", heading=f"Item {n}")
        )  # fmt: skip
        for r in range(refs_per_page):
            target = f"{SHOP}/product/item-{(n * 7 + r) % 100_000}/"
            kind = RefKind.IMG if r % 5 == 0 else RefKind.A
            refs.append(Reference(url, kind, target[len(SHOP) :], target, target, f"link {r}"))
        for code in ("LNK001", "IMG004")[:FINDINGS_PER_PAGE]:
            findings.append(
                Finding("links", code, Severity.ERROR, "content", url, f"{SHOP}/gone/{n}/",
                        "Link to a page that does not exist (404)", None, f"{code}-{n}")
            )  # fmt: skip
    return fetches, refs, findings


def batches(pages: int, refs_per_page: int) -> list[Batch]:
    """Every batch of the run, made before the clock starts."""
    return [
        page_batch(range(start, min(start + BATCH, pages)), refs_per_page)
        for start in range(0, pages, BATCH)
    ]


def write_run(store: Store, run_id: int, run: list[Batch]) -> None:
    for fetches, refs, findings in run:
        store.write_batch(run_id, fetches, refs, [], findings)


def measure(open_one: Callable[[], Store], run: list[Batch], writers: int) -> dict[str, float]:
    """Seconds to write the run with one writer, to read its references back, and to
    write it with `writers` at once (each its share of the batches, in a thread)."""
    store = open_one()
    run_id = store.begin_run(SHOP + "/", "bench", "2026-05-01")
    started = time.perf_counter()
    write_run(store, run_id, run)
    result = {"write_s": time.perf_counter() - started}
    started = time.perf_counter()
    refs = sum(1 for _ in store.references(run_id))
    result["read_refs_s"] = time.perf_counter() - started
    assert refs == sum(len(batch[1]) for batch in run)
    if writers > 1:
        shared_run = store.begin_run(SHOP + "/", "bench", "2026-05-01")
        stores = [open_one() for _ in range(writers)]
        threads = [
            threading.Thread(target=write_run, args=(s, shared_run, run[n::writers]))
            for n, s in enumerate(stores)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result["write_shared_s"] = time.perf_counter() - started
        for s in stores:
            s.close()
        pages = sum(len(batch[0]) for batch in run)
        assert sum(1 for _ in store.fetches(shared_run)) == pages  # every page, once
    store.close()
    return result


def backends(tmp: Path) -> Iterator[tuple[str, Callable[[], Store]]]:
    yield "SQLite", lambda: open_store(str(tmp / "bench.db"))
    with postgres_server() as server:
        url = new_database(server, "bench")
        yield "PostgreSQL", lambda: open_store(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--refs", type=int, default=300, help="references per page")
    parser.add_argument("--writers", type=int, default=4, help="PostgreSQL writers at once")
    args = parser.parse_args()
    rows_per_page = 1 + args.refs + FINDINGS_PER_PAGE
    print(f"{args.pages:,} pages x {args.refs} references, batches of {BATCH} pages\n")
    print("| store | write: pages/s | rows/s | read refs: rows/s | shared write: pages/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    run = batches(args.pages, args.refs)
    with tempfile.TemporaryDirectory(prefix="shoplint-store-bench-") as tmp:
        for name, open_one in backends(Path(tmp)):
            writers = args.writers if name == "PostgreSQL" else 1
            got = measure(open_one, run, writers)
            shared = (
                f"{args.pages / got['write_shared_s']:,.0f} ({writers} writers)"
                if "write_shared_s" in got
                else "-"
            )
            print(
                f"| {name} | {args.pages / got['write_s']:,.0f}"
                f" | {args.pages * rows_per_page / got['write_s']:,.0f}"
                f" | {args.pages * args.refs / got['read_refs_s']:,.0f} | {shared} |"
            )


if __name__ == "__main__":
    main()
