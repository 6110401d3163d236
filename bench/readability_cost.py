#!/usr/bin/env python3
"""What the language checks cost per page, run by hand (no timings in tests):

    python bench/readability_cost.py [--synthetic-pages 500] [--rounds 5]

Pages: every page of the demo shop (Dutch; fetched once from a DemoShop on 127.0.0.1) and
of the benchmark's synthetic shop (English; built in memory by bench/shopgen.py), parsed
once as the crawler parses them. For each set it prints milliseconds per page of
  - textstat as shipped: set_lang() + flesch_reading_ease() on the same main text (as
    Dutch: for English it needs NLTK's CMUdict, a download at run time);
  - the language family's steps: main text, language detection, scoring with a warm and a
    cold syllable cache, and the whole check_page;
and the crawl's own CPU time per page for scale (bench/results/latest.json, if present).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pyphen
import textstat

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from checks import language, readability  # noqa: E402
from checks.context import CheckContext  # noqa: E402
from checks.main_text import main_blocks  # noqa: E402
from checks.page import Page  # noqa: E402
from checks.text_language import detected_language, language_of_tag  # noqa: E402
from ground.html.extract import page_facts, parse_html  # noqa: E402
from ground.model import Fetch, Outcome  # noqa: E402
from shoplint.demo import DemoShop  # noqa: E402

MAX_DEMO_PAGES = 400


def demo_pages() -> list[Page]:
    """Every HTML page of the demo shop reachable from its home page (bounded)."""
    return [_page(url, body) for url, body in demo_bodies()]


def demo_bodies() -> list[tuple[str, bytes]]:
    """(url, bytes) of every HTML page of the demo shop reachable from its home page
    (bounded), fetched once from a DemoShop on 127.0.0.1."""
    pages: list[tuple[str, bytes]] = []
    with DemoShop(today=dt.date(2026, 5, 1)) as shop:
        origin = shop.url.rstrip("/")
        todo, seen = [shop.url], {shop.url}
        while todo and len(pages) < MAX_DEMO_PAGES:
            url = todo.pop()
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    if "html" not in answer.headers.get("Content-Type", ""):
                        continue
                    body = answer.read()
            except OSError:
                continue
            pages.append((url, body))
            doc = parse_html(body, "utf-8")
            for href in doc.xpath("//a/@href") if doc is not None else ():
                link = urljoin(url, href).split("#")[0]
                if link.startswith(origin) and link not in seen and "?" not in link:
                    seen.add(link)
                    todo.append(link)
    return pages


def synthetic_pages(n: int) -> list[Page]:
    import shopgen

    site = shopgen.build_site(n)
    return [_page("http://127.0.0.1" + target, site.resources[target][1]) for target in site.html]


def _page(url: str, body: bytes) -> Page:
    doc = parse_html(body, "utf-8")
    lang = page_facts(doc).lang
    fetch = Fetch(url, 0, Outcome.RESPONSE, 200, is_page=True, lang=lang)
    return Page(fetch, doc)


def per_page_ms(pages: list[Any], step: Callable[[Any], object], rounds: int) -> float:
    """Median over rounds of the mean time per page, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for page in pages:
            step(page)
        times.append((time.perf_counter() - start) / len(pages) * 1000)
    return statistics.median(times)


def textstat_ms(texts: list[str], lang: str, rounds: int) -> float:
    """textstat.flesch_reading_ease per page; it caches whole texts, so each round marks
    them anew."""
    textstat.set_lang(lang)
    times = []
    for r in range(rounds):
        marked = [f"{text} {r}" for text in texts]
        start = time.perf_counter()
        for text in marked:
            textstat.flesch_reading_ease(text)
        times.append((time.perf_counter() - start) / len(texts) * 1000)
    return statistics.median(times)


def measure(name: str, pages: list[Page], rounds: int, textstat_lang: str) -> None:
    ctx = CheckContext({}, pages[0].url, dt.date(2026, 5, 1))
    max_words = ctx.option(language.DIFFICULT, "max_words")
    whole = [" ".join(main_blocks(p.doc)) for p in pages]
    blocks = [main_blocks(p.doc, max_words=max_words) for p in pages]
    texts = [" ".join(b) for b in blocks]
    langs = [
        detected_language(t) or language_of_tag(p.fetch.lang)
        for t, p in zip(texts, pages, strict=True)
    ]
    items = [(b, lang.code) for b, lang in zip(blocks, langs, strict=True)]
    print(
        f"\n{name}: {len(pages)} pages; words of main text per page: "
        f"{statistics.mean(len(t.split()) for t in whole):.0f} in all, "
        f"{statistics.mean(len(t.split()) for t in texts):.0f} scored (max_words {max_words})"
    )

    def row(label: str, ms: float) -> None:
        print(f"  {label:<44} {ms:7.3f} ms/page")

    before = f"textstat as shipped ({textstat_lang})"
    row(f"{before}, all the text", textstat_ms(whole, textstat_lang, rounds))
    row(f"{before}, the scored text", textstat_ms(texts, textstat_lang, rounds))
    main_text = per_page_ms(pages, lambda p: main_blocks(p.doc, (), max_words), rounds)
    row("main text (main_blocks)", main_text)
    row("language detection (pycld2)", per_page_ms(texts, detected_language, rounds))
    readability._syllable_counter.cache_clear()  # new, empty caches: ours and pyphen's
    for hyphenation in pyphen.hdcache.values():
        hyphenation.cache.clear()
    row("scoring, cold syllable cache", per_page_ms(items, lambda i: readability.score(*i), 1))
    row("scoring, warm syllable cache", per_page_ms(items, lambda i: readability.score(*i), rounds))
    check = per_page_ms(pages, lambda p: list(language.check_page(p, ctx)), rounds)
    row("check_page, all of it", check)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    measure("demo shop (Dutch)", demo_pages(), args.rounds, "nl")
    # textstat cannot score English here (it downloads CMUdict): its cost is timed as Dutch
    measure("synthetic shop (English)", synthetic_pages(args.synthetic_pages), args.rounds, "nl")
    print_crawl_cost()
    return 0


def print_crawl_cost() -> None:
    """The crawl's CPU per page from the last crawl benchmark, to put a check's cost in scale."""
    latest = BENCH / "results" / "latest.json"
    if latest.exists():
        crawl = {r["tool"]: r for r in json.loads(latest.read_text())["results"]}.get("shoplint")
        if crawl and crawl.get("pages_fetched"):
            cpu = crawl["cpu_user_s"] + crawl.get("cpu_sys_s", 0)
            print(
                f"\nfor scale: shoplint's crawl took {cpu / crawl['pages_fetched'] * 1000:.2f} "
                "ms of CPU per page in bench/results/latest.json"
            )


if __name__ == "__main__":
    raise SystemExit(main())
