#!/usr/bin/env python3
"""What the freshness checks cost per page, run by hand (no timings in tests):

    python bench/freshness_cost.py [--synthetic-pages 500] [--rounds 5]

Pages as in bench/readability_cost.py: every page of the demo shop (Dutch, with its seeded
promotions, offers and stock) and of the benchmark's synthetic shop (English). For each
set it prints milliseconds per page of
  - the existing extraction (crawler/extract.py page_facts), for scale;
  - the facts the spider now extracts for freshness (checks/shop_facts.py): availability
    and the page's "last updated" statement;
  - the page's visible text (shared by every family that reads it: paid once per page);
  - freshness.check_page with the visible text already there, with dateparser's cache
    cold (first pass) and warm (a footer's dates repeat on every page);
and the crawl's own CPU time per page for scale (bench/results/latest.json, if present).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from readability_cost import (  # noqa: E402
    demo_pages,
    per_page_ms,
    print_crawl_cost,
    synthetic_pages,
)

from checks import dates, freshness  # noqa: E402
from checks.context import CheckContext  # noqa: E402
from checks.page import Page  # noqa: E402
from ground.html.extract import page_facts  # noqa: E402
from ground.html.facts import availability, update_statement  # noqa: E402
from ground.html.text import visible_text_of  # noqa: E402


def measure(name: str, pages: list[Page], rounds: int) -> None:
    ctx = CheckContext({}, pages[0].url, dt.date(2026, 5, 1))
    for page in pages:
        _ = page.visible_text  # computed once per page by whichever family reads it first
    print(f"\n{name}: {len(pages)} pages")

    def row(label: str, ms: float) -> None:
        print(f"  {label:<52} {ms:7.3f} ms/page")

    row("for scale: page_facts (links, title, ...)", per_page_ms(pages, _page_facts, rounds))
    row("shop facts: availability", per_page_ms(pages, _availability, rounds))
    row("shop facts: last-updated statement", per_page_ms(pages, _statement, rounds))
    row("visible text (shared with other families)", per_page_ms(pages, _visible, rounds))
    dates._first_date.cache_clear()
    row("check_page, dateparser cache cold (one pass)", per_page_ms(pages, _check(ctx), 1))
    row("check_page, dateparser cache warm", per_page_ms(pages, _check(ctx), rounds))
    row("all of freshness: shop facts + check_page (warm)", per_page_ms(pages, _all(ctx), rounds))
    found = sum(1 for page in pages for f in freshness.check_page(page, ctx) if f)
    print(f"  ({found} page findings)")


def _page_facts(page: Page) -> object:
    return page_facts(page.doc)


def _availability(page: Page) -> object:
    return availability(page.doc, page.url)


def _statement(page: Page) -> object:
    return update_statement(page.doc)


def _visible(page: Page) -> object:
    return visible_text_of(page.doc)


def _check(ctx: CheckContext):
    return lambda page: list(freshness.check_page(page, ctx))


def _all(ctx: CheckContext):
    return lambda page: (_availability(page), _statement(page), _check(ctx)(page))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    measure("demo shop (Dutch)", demo_pages(), args.rounds)
    measure("synthetic shop (English)", synthetic_pages(args.synthetic_pages), args.rounds)
    print_crawl_cost()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
