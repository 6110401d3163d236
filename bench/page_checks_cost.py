#!/usr/bin/env python3
"""What the check worker spends on each page, measured in-process (CPU time, so the rest of
a busy machine matters little), run by hand (no timings in tests):

    python bench/page_checks_cost.py                        # python3-doc + synthetic shop
    python bench/page_checks_cost.py --sets demo,many-small --rounds 5
    python bench/page_checks_cost.py --sets python3-doc --profile 25
    python bench/page_checks_cost.py --findings /tmp/f.json  # every finding, to diff later
    python bench/page_checks_cost.py --families pages,language  # the other families off

Sets of pages: `python3-doc` (Debian's, from disk: 530 pages, ~330 links each),
`synthetic` (bench/shopgen.py's shop, `--synthetic-pages`), `many-small` (site_bench's
generated site), `demo` (the demo shop, fetched once from a DemoShop on 127.0.0.1).

Each page is first read as the crawl reads it (parse, page facts), and what the crawl
hands the worker is built: the fetch, the bytes and the encoding (checks/page_checks.py).
Then, per page and with every rule on, each step of the worker in its order: unpickling
what it was sent, its parse, the page's visible text (shared by the families that read
it: whichever reads it first pays), the site facts (anchors, availability, "last
updated"), each family's page check, and pickling its answer; and the crawl's side of the
hand-off (pickling the page out, unpickling the answer). It prints CPU milliseconds per
page for each (the least of `--rounds`: whatever else the machine runs only ever adds to a
round, through the caches it shares). `--profile N` prints the worker's top N functions by
cumulative and by own time (cProfile, one more round).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pickle
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from checks import page_checks  # noqa: E402
from checks.config import RuleConfig  # noqa: E402
from checks.context import CheckContext  # noqa: E402
from checks.engine import FAMILIES  # noqa: E402
from checks.page import Page  # noqa: E402
from checks.registry import REGISTRY, family_rules  # noqa: E402
from checks.site_facts import site_facts, wanted_facts  # noqa: E402
from ground.html.extract import page_facts, parse_html  # noqa: E402
from ground.model import Fetch, Outcome  # noqa: E402

ORIGIN = "http://127.0.0.1:8000"
TODAY = dt.date(2026, 12, 6)
PYTHON_DOC = Path("/usr/share/doc/python3-doc/html")
SETS = ("python3-doc", "synthetic", "many-small", "demo")

Handed = tuple[Fetch, bytes, str]  # what the worker is sent


def load(name: str, synthetic_pages: int) -> list[tuple[str, bytes]]:
    """(url, body) of every HTML page of the set."""
    if name == "demo":
        from readability_cost import demo_bodies

        # on ORIGIN, as the other sets: the same finding has the same URL from run to run
        return [(ORIGIN + "/" + url.split("/", 3)[3], body) for url, body in demo_bodies()]
    if name == "python3-doc":
        from sites import load_folder

        site: Any = load_folder(PYTHON_DOC)
    elif name == "many-small":
        from site_bench import MANY_SMALL
        from sites import generated_site

        site = generated_site(*MANY_SMALL)
    else:
        import shopgen

        site = shopgen.build_site(synthetic_pages, base_url=ORIGIN)
    return [(ORIGIN + target, site.resources[target][1]) for target in sorted(site.html)]


def handed(url: str, body: bytes) -> Handed | None:
    """What the crawl sends the worker for this page (crawler/spiders/shop.py: _page)."""
    doc = parse_html(body, "utf-8")
    if doc is None:
        return None
    facts = page_facts(doc)
    fetch = Fetch(
        url,
        1,
        Outcome.RESPONSE,
        200,
        content_type="text/html; charset=utf-8",
        size=len(body),
        is_page=True,
        title=facts.title,
        lang=facts.lang,
        heading=facts.heading,
    )
    return fetch, body, "utf-8"


def steps(ctx: CheckContext) -> list[tuple[str, Callable[[Page], object]]]:
    """The worker's steps after its parse, in its order (checks/page_checks.py: _checked);
    a family with no rule on is not run (checks/engine.py)."""
    found: list[tuple[str, Callable[[Page], object]]] = [
        ("visible text (shared)", lambda page: page.visible_text)
    ]
    found += [
        (f"fact: {name}", lambda page, name=name: site_facts(page, (name,), ctx))
        for name in wanted_facts(ctx)
    ]
    for family in FAMILIES:
        if family.page and any(ctx.enabled(r.code) for r in family_rules(family.name)):
            check = family.checks("page")
            found.append((f"family: {family.name}", lambda page, c=check: list(c(page, ctx))))
    return found


def measure(pages: list[Handed], ctx: CheckContext, rounds: int) -> dict[str, float]:
    """CPU ms per page of each step, the least of `rounds`."""
    named = steps(ctx)
    blobs = [pickle.dumps(item) for item in pages]
    per_round: dict[str, list[float]] = {}
    clock = time.process_time
    for _ in range(rounds):
        spent = dict.fromkeys(["unpickle", "parse", *(label for label, _ in named)], 0.0)
        for blob in blobs:
            t0 = clock()
            fetch, body, encoding = pickle.loads(blob)
            t1 = clock()
            doc = parse_html(body, encoding)
            t2 = clock()
            spent["unpickle"] += t1 - t0
            spent["parse"] += t2 - t1
            page = Page(fetch, doc)
            for label, step in named:
                t0 = clock()
                step(page)
                spent[label] += clock() - t0
        for label, seconds in spent.items():
            per_round.setdefault(label, []).append(seconds / len(pages) * 1000)
    result = {label: min(ms) for label, ms in per_round.items()}
    facts = wanted_facts(ctx)  # the worker's own function from here on
    answers = [page_checks._parsed_and_checked(*item, ctx, facts) for item in pages]
    replies = [pickle.dumps(answer) for answer in answers]
    result["worker: pickling its answer"] = _least(
        rounds, pages, lambda: [pickle.dumps(answer) for answer in answers]
    )
    result["worker, all of it (sum)"] = sum(result.values())
    result["worker, all of it (measured as one)"] = _least(
        rounds,
        pages,
        lambda: [
            pickle.dumps(page_checks._parsed_and_checked(*pickle.loads(b), ctx, facts))
            for b in blobs
        ],
    )
    result["crawl side: pickling the page out"] = _least(
        rounds, pages, lambda: [pickle.dumps(item) for item in pages]
    )
    result["crawl side: unpickling the answer"] = _least(
        rounds, pages, lambda: [pickle.loads(reply) for reply in replies]
    )
    result["bytes sent a page (KB)"] = statistics.mean(map(len, blobs)) / 1024
    return result


def _least(rounds: int, pages: list[Handed], run: Callable[[], object]) -> float:
    """CPU ms per page of `run` (all the pages), the least of `rounds`."""
    spent = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        spent.append((time.process_time() - start) / len(pages) * 1000)
    return min(spent)


def profile(pages: list[Handed], ctx: CheckContext, top: int) -> None:
    blobs = [pickle.dumps(item) for item in pages]
    facts = wanted_facts(ctx)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for blob in blobs:
        page_checks._parsed_and_checked(*pickle.loads(blob), ctx, facts)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def findings_of(pages: list[Handed], ctx: CheckContext) -> list[list[Any]]:
    """Every finding and site fact the worker returns, as plain data (to compare runs)."""
    facts = wanted_facts(ctx)
    out = []
    for item in pages:
        fetch, findings = page_checks._parsed_and_checked(*item, ctx, facts)
        out.append([fetch.url, *(getattr(fetch, f) for f in facts)])
        out.extend(
            [f.code, f.url, f.target, f.message, f.evidence, f.fingerprint] for f in findings
        )
    return out


def _only(families: str | None) -> dict[str, RuleConfig]:
    """The `checks:` configuration that switches off every rule outside `families`."""
    if families is None:
        return {}
    kept = set(families.split(","))
    return {
        code: RuleConfig(enabled=False)
        for code, rule in REGISTRY.items()
        if rule.family not in kept
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="python3-doc,synthetic", help=f"of {', '.join(SETS)}")
    parser.add_argument("--synthetic-pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--findings", type=Path, help="write every finding here (JSON)")
    parser.add_argument("--families", help="comma list: only these families' rules on")
    args = parser.parse_args()
    ctx = CheckContext(_only(args.families), ORIGIN + "/", TODAY)
    all_findings: dict[str, Any] = {}
    for name in args.sets.split(","):
        if name not in SETS:
            parser.error(f"--sets: unknown set {name!r} (known: {', '.join(SETS)})")
        pages = [h for url, body in load(name, args.synthetic_pages) if (h := handed(url, body))]
        result = measure(pages, ctx, args.rounds)
        print(f"\n{name}: {len(pages)} pages, CPU ms per page (least of {args.rounds} rounds)")
        for label, value in result.items():
            print(f"  {label:<40} {value:8.3f}")
        if args.profile:
            profile(pages, ctx, args.profile)
        if args.findings:
            all_findings[name] = findings_of(pages, ctx)
    if args.findings:
        args.findings.write_text(json.dumps(all_findings, indent=0, sort_keys=True))
        print(f"\nfindings: {args.findings}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
