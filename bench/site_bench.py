#!/usr/bin/env python3
"""Real-site crawl benchmark: shoplint (no checks, links + images, every check) against
Scrapy told every page and reading none (the floor of any Scrapy crawl), linkinator and
lychee on a folder of static HTML, where pages carry hundreds of links (the
synthetic shop has ~80): by default Debian's python3-doc, 530 pages, ~330 links each.

    python bench/site_bench.py                      # python3-doc, 3 runs per tool, median
    python bench/site_bench.py --site many-small    # 1,200 generated pages of ~15 KB
    python bench/site_bench.py --site DIR --only shoplint-all,lychee
    python bench/site_bench.py --size-check         # shoplint's CPU per MB, 30 KB..3 MB pages

The site is served from a child process by bench/site_server.py, which counts every request;
see bench/README.md. All traffic goes to 127.0.0.1; every loop and child is bounded.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from sites import StaticSite, generated_site, linked_from_others, load_folder
from tools import (
    CONCURRENCY,
    ensure_linkinator,
    lychee_command,
    shoplint_config_text,
    shoplint_unavailable,
    tool_command,
    venv_bin,
)

PYTHON_DOC = Path("/usr/share/doc/python3-doc/html")
MANY_SMALL = (1200, 15_000)  # pages, bytes a page
SIZE_CHECK = ((30_000, 1000), (300_000, 100), (3_000_000, 10))  # bytes a page, pages: 30 MB each
LINEARITY_LIMIT = 1.5  # CPU per MB at 3 MB pages over CPU per MB at 30 KB pages
SHOPLINT_VARIANTS: dict[str, tuple[str, ...] | None] = {  # name -> check families on
    "shoplint-none": (),
    "shoplint-links": ("links", "images"),
    "shoplint-all": None,
}
# scrapy-fed: Scrapy fetching every page, told them as lychee is, reading nothing: the
# floor of any Scrapy crawl
TOOLS = (*SHOPLINT_VARIANTS, "scrapy-fed", "linkinator", "lychee")
SERVER_MAX_SECONDS = 4 * 3600


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--site",
        default=str(PYTHON_DOC),
        help=f"a folder of static HTML, or many-small ({MANY_SMALL[0]} generated pages of "
        f"~{MANY_SMALL[1] // 1000} KB); default {PYTHON_DOC}",
    )
    ap.add_argument("--only", default=",".join(TOOLS), help="comma list of " + ",".join(TOOLS))
    ap.add_argument(
        "--size-check",
        action="store_true",
        help="instead: shoplint's CPU per page and per MB on ~30 KB, ~300 KB and ~3 MB pages; "
        f"exit 1 when CPU per MB grows more than {LINEARITY_LIMIT}x",
    )
    ap.add_argument(
        "--profile",
        nargs="?",
        const="shoplint-all",
        choices=list(SHOPLINT_VARIANTS),
        help="afterwards, run a shoplint variant (default shoplint-all) once more under"
        " py-spy: hot functions per process",
    )
    add_run_options(ap, repeat=3)
    ap.add_argument("--out", help="results JSON (default bench/results/site-latest.json)")
    # the server child: this script again, serving the site its spec names
    ap.add_argument("--serve", metavar="SPEC", help=argparse.SUPPRESS)
    ap.add_argument(
        "--server-max-seconds", type=float, default=SERVER_MAX_SECONDS, help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)
    args.tools = [t.strip() for t in args.only.split(",") if t.strip()]
    bad = [t for t in args.tools if t not in TOOLS]
    if bad:
        ap.error(f"unknown tool(s) {bad}; choose from {TOOLS}")
    return args


def build(spec: str) -> StaticSite:
    """The site a spec names: "many-small", "gen:PAGES:BYTES" (generated) or a folder."""
    if spec == "many-small":
        return generated_site(*MANY_SMALL)
    if spec.startswith("gen:"):
        _, pages, size = spec.split(":")
        return generated_site(int(pages), int(size))
    return load_folder(Path(spec))


def site_server(spec: str) -> SiteServer:
    """Start the server child for the site `spec` names; returns once it listens."""
    here = str(Path(__file__).resolve())
    limit = str(SERVER_MAX_SECONDS)
    return SiteServer([sys.executable, here, "--serve", spec, "--server-max-seconds", limit])


def command(tool: str, server: SiteServer, configs: dict[str, Path]) -> Callable[[Path], list[str]]:
    """`tool`'s command line for a run in a work dir. shoplint has no page limit: a folder's
    directory aliases ("library/" for library/index.html) are pages to it too."""

    def make(work: Path) -> list[str]:
        if tool in SHOPLINT_VARIANTS:
            return tool_command("shoplint", server.url, 0, work, str(configs[tool]))
        if tool in ("lychee", "scrapy-fed"):  # they cannot discover pages: given every one
            pages = work / "pages.txt"
            pages.write_text("\n".join(server.pages()) + "\n")
            if tool == "lychee":
                return lychee_command(server.url, pages)
            return [*tool_command("bare", server.url, 0, work), "-a", f"pages_file={pages}"]
        return tool_command(tool, server.url, server.n_pages, work)

    return make


def write_configs(tools: list[str]) -> dict[str, Path]:
    """Each shoplint variant's shoplint.yml, in RESULTS/configs (kept: the JSON names them)."""
    folder = RESULTS / "configs"
    folder.mkdir(parents=True, exist_ok=True)
    configs = {}
    for tool in tools:
        if tool in SHOPLINT_VARIANTS:
            configs[tool] = folder / f"{tool}.yml"
            configs[tool].write_text(shoplint_config_text(SHOPLINT_VARIANTS[tool]))
    return configs


def prepare_tools(tools: list[str]) -> tuple[list[str], list[str]]:
    """The tools that can run (installing linkinator if needed), and why others can't."""
    skipped = {}
    if any(t in SHOPLINT_VARIANTS for t in tools):
        why = shoplint_unavailable()
        for t in SHOPLINT_VARIANTS:
            skipped[t] = why
    if "lychee" in tools and not Path(venv_bin("lychee")).exists():
        skipped["lychee"] = "no lychee: pip install -e '.[bench]' at the repository root"
    if "linkinator" in tools:
        ensure_linkinator()
    notes = [f"{t} skipped: {why}" for t, why in skipped.items() if why and t in tools]
    for note in notes:
        print(f"WARNING: {note}", file=sys.stderr)
    return [t for t in tools if not skipped.get(t)], notes


def site_label(spec: str) -> str:
    return "python3-doc" if Path(spec) == PYTHON_DOC else Path(spec).name or spec


def sanity_notes(results: list[dict[str, Any]], spec: str) -> list[str]:
    """What the server saw of each tool beyond the table: page GETs (more than one per page:
    fetched twice), HEADs, 404s, and the pages missed, with how many no other page links to."""
    missed = {p for r in results for p in r["server"]["html_unfetched_sample"]}
    linked = linked_from_others(build(spec), missed) if missed else set()
    notes = []
    for r in results:
        st = r["server"]
        line = (
            f"- {r['tool']}: {st['html_gets']} page GETs for {st['html_distinct']} pages, "
            f"{st['html_heads']} page HEADs, {st['not_found']} 404s, "
            f"{st['connections']} connections, by kind {st['by_kind']}"
        )
        if st["html_unfetched"]:
            sample = st["html_unfetched_sample"]
            orphans = len([p for p in sample if p not in linked])
            line += (
                f"; missed {st['html_unfetched']} pages, e.g. {sample[:4]}: of the "
                f"{len(sample)} in the sample, {orphans} are linked from no other page"
            )
        if st["not_found"]:
            line += f"; 404s e.g. {st['not_found_sample'][:5]}"
        notes.append(line)
    return notes


def bench_site(args: argparse.Namespace) -> int:
    """The tools on one site: table, sanity notes, JSON, and the profile if asked."""
    if args.site != "many-small" and not Path(args.site).is_dir():
        hint = " (apt-get install python3-doc)" if Path(args.site) == PYTHON_DOC else ""
        print(f"no such folder: {args.site}{hint}", file=sys.stderr)
        return 2
    tools, notes = prepare_tools(args.tools)
    configs = write_configs(tools + ([args.profile] if args.profile else []))
    label = site_label(args.site)
    out: dict[str, Any] = {
        **run_header(),
        "site": args.site,
        "concurrency": CONCURRENCY,
        "repeat": args.repeat,
        "configs": {k: str(v) for k, v in configs.items()},
        "notes": notes,
    }
    print(f"serving {args.site} ...", file=sys.stderr, flush=True)
    opts = RunOptions.from_args(args)
    with site_server(args.site) as server:
        print(f"  {server.n_pages} pages at {server.url}", file=sys.stderr, flush=True)
        out["pages"] = server.n_pages
        out["results"] = [
            run_median(t, command(t, server, configs), server, opts, label) for t in tools
        ]
        if args.profile and shoplint_unavailable() is None:
            run = command(args.profile, server, configs)
            out["profile"] = profile_shoplint(server, run, args.timeout, label)
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    path = Path(args.out or RESULTS / "site-latest.json")
    write_results(out, path, None if args.out else f"site-{{stamp}}-{label}.json")

    print(
        f"\n### Site benchmark: {label}, {out['pages']} pages, concurrency {CONCURRENCY}, "
        f"{os.cpu_count()} CPUs, median of {args.repeat}\n\n{source_line(out)}\n"
    )
    print(format_table(out["results"], "shoplint-all"))
    print("\nWhat the server saw:\n" + "\n".join(sanity_notes(out["results"], args.site)))
    for line in noise_warnings(out["results"]) + [f"- {n}" for n in notes]:
        print(line)
    print(report_footer(out, path))
    return 0


def size_check(args: argparse.Namespace) -> int:
    """shoplint-all on three sites of equal bytes whose pages are ~30 KB, ~300 KB and ~3 MB,
    less a one-page run's CPU (start-up, report): CPU per page and per MB, and whether
    CPU per MB grows with the page size. Exit 1 when it does by more than LINEARITY_LIMIT."""
    why = shoplint_unavailable()
    if why:
        print(f"shoplint cannot run: {why}", file=sys.stderr)
        return 2
    configs = write_configs(["shoplint-all"])
    opts = RunOptions.from_args(args)
    out: dict[str, Any] = {**run_header(), "limit": LINEARITY_LIMIT}
    rows = []
    for size, pages in ((SIZE_CHECK[0][0], 1), *SIZE_CHECK):
        spec = f"gen:{pages}:{size}"
        site = build(spec)
        html_mb = sum(len(site.resources[t][1]) for t in site.html) / 1e6
        del site
        with site_server(spec) as server:
            run = command("shoplint-all", server, configs)
            r = run_median("shoplint-all", run, server, opts, f"size-{size}")
        rows.append({"page_bytes": size, "pages": pages, "html_mb": round(html_mb, 2), "run": r})
    base_cpu = _cpu(rows[0]["run"])
    for row in rows[1:]:
        net = _cpu(row["run"]) - base_cpu
        row["net_cpu_s"] = round(net, 2)
        row["cpu_ms_per_page"] = round(1000 * net / row["pages"], 1)
        row["cpu_s_per_mb"] = round(net / row["html_mb"], 3)
    small, large = rows[1], rows[-1]
    ratio = large["cpu_s_per_mb"] / small["cpu_s_per_mb"] if small["cpu_s_per_mb"] > 0 else 0.0
    out.update(start_up_cpu_s=base_cpu, rows=rows, ratio_cpu_per_mb=round(ratio, 2))
    path = Path(args.out or RESULTS / "size-check-latest.json")
    write_results(out, path, None if args.out else "size-check-{stamp}.json")

    print(f"\n### shoplint (every check on): CPU by page size\n\n{source_line(out)}\n")
    print(f"start-up and report (a one-page run): {base_cpu:.1f} CPU s, subtracted below\n")
    print(
        "| page size | pages | HTML MB | pages fetched | wall s | CPU s | net CPU s | "
        "CPU ms/page | CPU s/MB |"
    )
    print("|" + "---|" * 9)
    for row in rows[1:]:
        r = row["run"]
        print(
            f"| {row['page_bytes'] // 1000} KB | {row['pages']} | {row['html_mb']:.1f} | "
            f"{r['pages_fetched']} | {r['wall_s']:.1f} | {_cpu(r):.1f} | {row['net_cpu_s']:.1f} | "
            f"{row['cpu_ms_per_page']:.0f} | {row['cpu_s_per_mb']:.2f} |"
        )
    verdict = "OK" if ratio <= LINEARITY_LIMIT else "NOT LINEAR"
    print(
        f"\nCPU per MB at {large['page_bytes'] // 1000} KB pages / at "
        f"{small['page_bytes'] // 1000} KB pages: {ratio:.2f}x ({verdict}, limit "
        f"{LINEARITY_LIMIT}x)"
    )
    for line in noise_warnings([row["run"] for row in rows]):
        print(line)
    print(f"\nraw numbers: {path}")
    return 0 if ratio <= LINEARITY_LIMIT else 1


def _cpu(run: dict[str, Any]) -> float:
    return run["cpu_user_s"] + run["cpu_sys_s"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(lambda _base_url: build(args.serve), args.server_max_seconds)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    return size_check(args) if args.size_check else bench_site(args)


if __name__ == "__main__":
    sys.exit(main())
