#!/usr/bin/env python3
"""Crawl benchmark: shoplint vs a bare Scrapy spider vs linkinator, on a synthetic shop.

One run:
  1. builds a deterministic synthetic shop of N HTML pages (bench/shopgen.py),
  2. serves it on 127.0.0.1 from a separate process (asyncio, HTTP/1.1 keep-alive,
     pre-rendered bytes; the server counts every request by path),
  3. runs each crawler as a child process at concurrency 10 and measures wall time,
     HTML pages fetched (counted by the server), requests and peak RSS,
  4. optionally runs shoplint at 1,000 and 10,000 pages to measure RSS growth,
  5. prints a Markdown table and writes bench/results/latest.json.

    python bench/crawl_bench.py                 # 5,000 pages + memory growth
    python bench/crawl_bench.py --quick         # 500 pages, smoke run
    python bench/crawl_bench.py --only bare,linkinator --pages 2000
    python bench/crawl_bench.py --quick --links dense   # ~400 links a page, mostly relative

See bench/README.md. All traffic goes to 127.0.0.1; every loop and child is bounded.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shopgen
from profiling import profile_shoplint, report_footer
from runs import (
    RESULTS,
    RunOptions,
    add_run_options,
    format_table,
    noise_warnings,
    run_header,
    run_median,
    source_line,
    write_results,
)
from site_server import SiteServer, serve
from tools import CONCURRENCY, TOOLS, ensure_linkinator, shoplint_unavailable, tool_command

GROWTH_TARGET_MB = 50  # shoplint's peak RSS at 10,000 pages minus at 1,000
SERVER_MAX_SECONDS = 4 * 3600


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The options, with their defaults resolved: pages, memory_growth, tools (a list)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=None, help="shop size (default 5000)")
    ap.add_argument("--quick", action="store_true", help="500 pages, no memory-growth runs")
    ap.add_argument("--only", default=",".join(TOOLS), help="comma list of " + ",".join(TOOLS))
    ap.add_argument(
        "--memory-growth",
        dest="memory_growth",
        action="store_true",
        default=None,
        help="also run shoplint at 1,000 and 10,000 pages (default unless --quick)",
    )
    ap.add_argument("--no-memory-growth", dest="memory_growth", action="store_false")
    add_run_options(ap, repeat=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--links",
        choices=("normal", "dense"),
        default="normal",
        help="dense: ~400 links a page, mostly relative (mega-menu, fat footer, related)",
    )
    ap.add_argument(
        "--shoplint-config",
        help=f"use this shoplint.yml instead of `crawl: {{concurrency: {CONCURRENCY}}}`",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, run shoplint once more under py-spy and list hot functions",
    )
    ap.add_argument("--out", default=str(RESULTS / "latest.json"))
    ap.add_argument(
        "--no-sitemap",
        action="store_true",
        help="serve no sitemap.xml and name none in robots.txt (pages found by links only)",
    )
    # the server child: this script again, so that it builds the same shop
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--server-max-seconds", type=float, default=SERVER_MAX_SECONDS, help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)
    args.pages = args.pages or (500 if args.quick else 5000)
    if args.memory_growth is None:
        args.memory_growth = not args.quick
    args.tools = [t.strip() for t in args.only.split(",") if t.strip()]
    bad = [t for t in args.tools if t not in TOOLS]
    if bad:
        ap.error(f"unknown tool(s) {bad}; choose from {TOOLS}")
    return args


def serve_shop(args: argparse.Namespace) -> None:
    """The server child (--serve): the synthetic shop, with the links' host and port."""
    serve(
        lambda base_url: shopgen.build_site(
            args.pages, args.seed, base_url, not args.no_sitemap, args.links
        ),
        args.server_max_seconds,
    )


def shop_server(n_pages: int, args: argparse.Namespace) -> SiteServer:
    """Start the server child for an n_pages shop; returns once it listens."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        "--pages",
        str(n_pages),
        "--seed",
        str(args.seed),
        "--links",
        args.links,
        "--server-max-seconds",
        str(SERVER_MAX_SECONDS),
    ]
    return SiteServer(cmd + (["--no-sitemap"] if args.no_sitemap else []))


def prepare_tools(tools: list[str]) -> tuple[list[str], list[str]]:
    """The tools that can run, installing linkinator if needed, and notes on those that can't."""
    notes = []
    if "shoplint" in tools:
        why = shoplint_unavailable()
        if why:
            notes.append(f"shoplint skipped: {why}")
            print(f"WARNING: {notes[-1]}", file=sys.stderr)
            tools = [t for t in tools if t != "shoplint"]
    if "linkinator" in tools:
        ensure_linkinator()
    return tools, notes


def new_results(args: argparse.Namespace, notes: list[str]) -> dict[str, Any]:
    """The results JSON before any run: what is measured, where, with what."""
    return {
        **run_header(),
        "pages": args.pages,
        "links": args.links,
        "seed": args.seed,
        "concurrency": CONCURRENCY,
        "repeat": args.repeat,
        "results": [],
        "memory_growth": None,
        "notes": notes,
        "sitemap": not args.no_sitemap,
    }


def command(tool: str, server: SiteServer, args: argparse.Namespace) -> Callable[[Path], list[str]]:
    """`tool`'s command line for a run in a work dir."""
    return lambda work: tool_command(tool, server.url, server.n_pages, work, args.shoplint_config)


def run_tool(tool: str, server: SiteServer, args: argparse.Namespace, label: str) -> dict[str, Any]:
    """`tool`'s median run against the server (runs.run_median)."""
    return run_median(tool, command(tool, server, args), server, RunOptions.from_args(args), label)


def memory_growth(args: argparse.Namespace) -> dict[str, Any]:
    """shoplint's peak RSS on a small and a large shop, and the difference: overall, while
    requests were made (the crawl) and after the last request (checks, report)."""
    growth = {}
    for size in (1000, 10000):
        print(f"memory growth: {size}-page shop ...", file=sys.stderr, flush=True)
        with shop_server(size, args) as server:
            growth[size] = run_tool("shoplint", server, args, "growth")
    small, large = growth[1000], growth[10000]

    def diff(key: str) -> float:
        return round(large[key] - small[key], 1)

    return {
        "runs": {str(k): v for k, v in growth.items()},
        "rss_1000_mb": small["peak_rss_mb"],
        "rss_10000_mb": large["peak_rss_mb"],
        "growth_mb": diff("peak_rss_mb"),
        "target_mb": GROWTH_TARGET_MB,
        "crawl_growth_mb": diff("peak_rss_crawl_mb"),
        "after_crawl_growth_mb": diff("peak_rss_after_crawl_mb"),
    }


def ratios(results: list[dict[str, Any]]) -> dict[str, float]:
    """shoplint's pages/s over each baseline's."""
    by_tool = {r["tool"]: r for r in results}
    ref = by_tool.get("shoplint")
    out = {}
    for other in ("linkinator", "bare"):
        if ref and other in by_tool and by_tool[other]["pages_per_s"]:
            out[f"shoplint/{other}"] = round(ref["pages_per_s"] / by_tool[other]["pages_per_s"], 3)
    return out


def growth_lines(mg: dict[str, Any]) -> list[str]:
    """The memory growth against its target, split into crawl and after-crawl."""
    verdict = "OK" if mg["growth_mb"] < mg["target_mb"] else "over target"
    r1, r10 = mg["runs"]["1000"], mg["runs"]["10000"]
    lines = [
        f"- shoplint peak RSS: {mg['rss_1000_mb']:.0f} MB at 1,000 pages, "
        f"{mg['rss_10000_mb']:.0f} MB at 10,000 pages: growth {mg['growth_mb']:.0f} MB "
        f"({verdict}, target < {mg['target_mb']} MB)",
        f"  - while crawling (up to the last request): {r1['peak_rss_crawl_mb']:.0f} -> "
        f"{r10['peak_rss_crawl_mb']:.0f} MB ({mg['crawl_growth_mb']:+.0f} MB); after the "
        f"last request (checks, report): {r1['peak_rss_after_crawl_mb']:.0f} -> "
        f"{r10['peak_rss_after_crawl_mb']:.0f} MB ({mg['after_crawl_growth_mb']:+.0f} MB)",
    ]
    lines += [
        f"  - WARNING: the {k}-page run fetched only {r['pages_fetched']} pages"
        for k, r in mg["runs"].items()
        if not r["complete"]
    ]
    return lines


def print_report(out: dict[str, Any], out_path: str) -> None:
    """The Markdown summary on stdout: table, ratios, memory growth, warnings, profile."""
    links = ", dense links" if out["links"] == "dense" else ""
    print()
    print(
        f"### Crawl benchmark: {out['pages']}-page synthetic shop{links}, concurrency "
        f"{CONCURRENCY}, {os.cpu_count()} CPUs"
    )
    print(f"\n{source_line(out)}")
    print()
    print(format_table(out["results"], "shoplint"))
    print()
    for k, v in out["ratios_pages_per_s"].items():
        verdict = "OK" if v >= 1 else "below target"
        print(f"- {k} (pages/s): {v:.2f}x ({verdict}, target >= 1)")
    mg = out["memory_growth"]
    if mg:
        print("\n".join(growth_lines(mg)))
    warnings = noise_warnings(out["results"] + (list(mg["runs"].values()) if mg else []))
    for line in warnings + [f"- {note}" for note in out["notes"]]:
        print(line)
    print(report_footer(out, out_path))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve_shop(args)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    tools, notes = prepare_tools(args.tools)
    out = new_results(args, notes)

    print(f"building + serving a {args.pages}-page shop ...", file=sys.stderr, flush=True)
    with shop_server(args.pages, args) as server:
        print(f"  ready at {server.url} in {server.build_seconds:.1f}s", file=sys.stderr)
        out["results"] = [run_tool(tool, server, args, "main") for tool in tools]
        if args.profile and "shoplint" in tools:
            out["profile"] = profile_shoplint(
                server, command("shoplint", server, args), args.timeout, f"shop-{args.links}"
            )
    if args.memory_growth and "shoplint" in tools:
        out["memory_growth"] = memory_growth(args)
    out["ratios_pages_per_s"] = ratios(out["results"])
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    default_out = Path(args.out).resolve() == (RESULTS / "latest.json").resolve()
    write_results(out, Path(args.out), f"run-{{stamp}}-{args.pages}.json" if default_out else None)
    print_report(out, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
