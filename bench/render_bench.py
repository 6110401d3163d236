#!/usr/bin/env python3
"""Rendering benchmark: shoplint with `crawl.render` never, auto and always, in one run.

On crawl_bench's synthetic shop (bench/shopgen.py), served by the same counting server, every
check on, concurrency 10, render_concurrency 4, --internal-only:

  never        the server-rendered shop, plain crawl (the reference)
  auto         the server-rendered shop: auto must cost next to nothing (target: within 10%)
  auto-client  the shop with a share of its pages client-rendered (default 10%): how fast,
               and how many pages were rendered and why (the run's counters)
  always       the server-rendered shop, every page in Chromium (target: >= 10 pages/s)
  always-rss   the same on a 10,000-page shop: peak RSS of the whole process tree, Chromium
               included (target: < 1.5 GB), and whether it plateaus

    python bench/render_bench.py                   # 2,000 pages, always-rss at 10,000
    python bench/render_bench.py --quick           # 300 pages, always-rss at 1,000
    python bench/render_bench.py --only never,auto --pages 5000 --repeat 3
    python bench/render_bench.py --quick --profile always

See bench/README.md ("Rendering benchmark"). All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shopgen
from measure import run_child
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
from tools import shoplint_config_text, shoplint_unavailable, tool_command

RENDER_CONCURRENCY = 4
AUTO_TARGET = 0.9  # auto's pages/s over never's, on the server-rendered shop
ALWAYS_TARGET = 10.0  # pages/s with every page rendered
RSS_TARGET_MB = 1536  # 1.5 GiB: the whole process tree at 10,000 rendered pages
PLATEAU_SLACK = 1.1  # the crawl's last quarter may peak 10% above its second quarter
SERVER_MAX_SECONDS = 4 * 3600


@dataclass(frozen=True)
class Case:
    mode: str  # crawl.render
    client: bool  # on the shop with client-rendered pages
    rss: bool  # on the large shop (--rss-pages), for the memory numbers


CASES = {
    "never": Case("never", False, False),
    "auto": Case("auto", False, False),
    "auto-client": Case("auto", True, False),
    "always": Case("always", False, False),
    "always-rss": Case("always", False, True),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=None, help="shop size (default 2000)")
    ap.add_argument(
        "--rss-pages", type=int, default=None, help="always-rss's shop size (default 10000)"
    )
    ap.add_argument("--quick", action="store_true", help="300 pages, always-rss at 1,000")
    ap.add_argument("--only", default=",".join(CASES), help="comma list of " + ",".join(CASES))
    ap.add_argument(
        "--client-share",
        type=float,
        default=0.1,
        help="share of auto-client's pages that are client-rendered (default 0.1)",
    )
    ap.add_argument(
        "--chromium",
        default=os.environ.get("SHOPLINT_CHROMIUM", "/usr/bin/chromium"),
        help="crawl.browser_path (default $SHOPLINT_CHROMIUM or /usr/bin/chromium)",
    )
    add_run_options(ap, repeat=1)
    ap.set_defaults(timeout=5400)  # always-rss: 10,000 pages in Chromium take over an hour
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", metavar="CASE", help="afterwards, run CASE once under py-spy")
    ap.add_argument("--out", default=str(RESULTS / "render-latest.json"))
    ap.add_argument("--reprint", metavar="JSON", help="print the report of a results file again")
    # the server child: this script again, so that it builds the same shop
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--serve-client-share", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.pages = args.pages or (300 if args.quick else 2000)
    args.rss_pages = args.rss_pages or (1000 if args.quick else 10000)
    args.cases = [c.strip() for c in args.only.split(",") if c.strip()]
    bad = [c for c in args.cases + ([args.profile] if args.profile else []) if c not in CASES]
    if bad:
        ap.error(f"unknown case(s) {bad}; choose from {list(CASES)}")
    if not 0 < args.client_share < 1:
        ap.error("--client-share must be between 0 and 1")
    return args


def shop_server(n_pages: int, client_share: float, args: argparse.Namespace) -> SiteServer:
    """The server child for a shop of n_pages, client_share of them client-rendered."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", "--pages", str(n_pages)]
    cmd += ["--seed", str(args.seed), "--serve-client-share", str(client_share)]
    return SiteServer(cmd)


def serve_shop(args: argparse.Namespace) -> None:
    serve(
        lambda base_url: shopgen.build_site(
            args.pages, args.seed, base_url, client_share=args.serve_client_share
        ),
        SERVER_MAX_SECONDS,
    )


def shoplint_command(mode: str, args: argparse.Namespace, server: SiteServer):
    """shoplint's command line for a run in a work dir: every check on, `crawl.render`
    `mode` (crawl_bench's tool_command, with its own config)."""

    def command(work: Path) -> list[str]:
        cfg = work / "render.yml"
        cfg.write_text(
            shoplint_config_text(
                render=mode, render_concurrency=RENDER_CONCURRENCY, browser_path=args.chromium
            )
        )
        return tool_command("shoplint", server.url, server.n_pages, work, str(cfg))

    return command


def run_with_counters(
    tool: str, cmd: list[str], server: SiteServer, timeout: float, log: Path, cwd: Path
) -> dict[str, Any]:
    """measure.run_child, plus the run's counters from its findings.json (before the work
    dir goes) and what the server saw of the rendering."""
    r = run_child(tool, cmd, server, timeout, log, cwd)
    findings = cwd / "report" / "findings.json"
    r["counters"] = {}
    if findings.exists():  # not when the run was cut by --timeout
        with findings.open() as f:
            r["counters"] = json.load(f)["run"]["counters"]
    return r


def derive(r: dict[str, Any], rss: bool) -> None:
    """The numbers computed from a run's measures (again, by --reprint)."""
    st = r["server"]
    r["rendered"] = {k: v for k, v in r["counters"].items() if k.startswith("rendered")}
    # a rendered page is fetched twice: plainly, then by the browser
    r["pages_fetched_twice"] = st["html_gets"] - st["html_distinct"]
    r["rendered_per_s"] = round(r["pages_fetched_twice"] / r["wall_s"], 2)
    r["api_calls"] = st["by_kind"].get("json", 0)
    r["cpu_ms_per_page"] = round(1000 * r["cpu_s"] / max(r["pages_fetched"], 1), 1)
    if r["pages_fetched_twice"]:
        r["cpu_ms_per_rendered_page"] = round(1000 * r["cpu_s"] / r["pages_fetched_twice"], 1)
    if rss:
        r["plateau"] = plateau(r["rss_timeline_mb"], r["last_request_s"] or r["wall_s"])


def plateau(timeline: list[tuple[float, float]], until_s: float) -> dict[str, Any]:
    """Does RSS stop growing? The crawl (up to `until_s`, the last request) in quarters: the
    peak of the last quarter against the peak of the second."""
    crawl = [mb for t, mb in timeline if t <= until_s]
    if len(crawl) < 8:
        return {"plateaus": None, "note": "too few samples"}
    q = len(crawl) // 4
    second, last = max(crawl[q : 2 * q]), max(crawl[3 * q :])
    return {
        "second_quarter_peak_mb": second,
        "last_quarter_peak_mb": last,
        "plateaus": last <= PLATEAU_SLACK * second,
    }


def run_case(name: str, server: SiteServer, args: argparse.Namespace) -> dict[str, Any]:
    case = CASES[name]
    r = run_median(
        name,
        shoplint_command(case.mode, args, server),
        server,
        RunOptions.from_args(args),
        "render",
        run_with_counters,
    )
    r["tool"] = name
    r["render"] = case.mode
    r["client_share"] = args.client_share if case.client else 0.0
    derive(r, case.rss)
    return r


def verdicts(results: dict[str, dict[str, Any]]) -> list[str]:
    """Each target, met or missed, from the runs made."""
    out = []
    never, auto = results.get("never"), results.get("auto")
    if never and auto:
        ratio = auto["pages_per_s"] / never["pages_per_s"]
        cpu = auto["cpu_ms_per_page"] / never["cpu_ms_per_page"]
        met = "met" if ratio >= AUTO_TARGET else "MISSED"
        out.append(
            f"- auto on the server-rendered shop: {ratio:.2f}x never's pages/s, CPU per page "
            f"{cpu:.2f}x ({met}, target >= {AUTO_TARGET}x)"
        )
    client = results.get("auto-client")
    if client:
        out.append(
            f"- auto on the {100 * client['client_share']:.0f}%-client-rendered shop: "
            f"{client['pages_per_s']:.1f} pages/s, rendered {client['rendered'] or 'none'}, "
            f"{client['pages_fetched_twice']} pages fetched twice (plain, then in the browser)"
        )
    for name in ("always", "always-rss"):
        r = results.get(name)
        if r and r["pages_fetched_twice"]:
            met = "met" if r["rendered_per_s"] >= ALWAYS_TARGET else "MISSED"
            cut = " (cut by --timeout)" if r["timed_out"] else ""
            out.append(
                f"- {name}: {r['pages_fetched_twice']} of {r['pages_expected']} pages rendered"
                f"{cut}, {r['rendered_per_s']:.1f} rendered pages/s, "
                f"{r['cpu_ms_per_rendered_page']:.0f} ms CPU a rendered page ({met}, target >= "
                f"{ALWAYS_TARGET})"
            )
    rss = results.get("always-rss")
    if rss:
        met = "met" if rss["peak_rss_mb"] < RSS_TARGET_MB else "MISSED"
        p = rss["plateau"]
        flat = {True: "plateaus", False: "still growing", None: "too short to tell"}[p["plateaus"]]
        out.append(
            f"- peak RSS of the process tree at {rss['pages_fetched_twice']} rendered pages: "
            f"{rss['peak_rss_mb']:.0f} MB (PSS {rss['peak_pss_tree_mb']:.0f} MB), up to "
            f"{rss['max_procs']} processes ({met}, target < {RSS_TARGET_MB} MB); {flat}"
            + (
                f" (crawl's 2nd quarter peak {p['second_quarter_peak_mb']:.0f} MB, last "
                f"quarter {p['last_quarter_peak_mb']:.0f} MB)"
                if p["plateaus"] is not None
                else ""
            )
        )
    return out


def print_report(out: dict[str, Any], out_path: str) -> None:
    results = out["results"]
    print(
        f"\n### Rendering benchmark: {out['pages']}-page synthetic shop (always-rss "
        f"{out['rss_pages']}), concurrency 10, render_concurrency {RENDER_CONCURRENCY}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"\n{source_line(out)}\n")
    print(format_table(list(results.values()), "never"))
    print()
    print(
        "| case | CPU ms/page | rendered (counters) | fetched twice | rendered/s | "
        "peak PSS MB | other cores |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['cpu_ms_per_page']:.1f} | {r['rendered'] or '-'} | "
            f"{r['pages_fetched_twice']} | {r['rendered_per_s']:.2f} | "
            f"{r['peak_pss_tree_mb']:.0f} | {r['other_cores']:.2f} |"
        )
    print()
    for line in verdicts(results) + noise_warnings(list(results.values())):
        print(line)
    for note in out["notes"]:
        print(f"- {note}")
    print(report_footer(out, out_path))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve_shop(args)
        return 0
    if args.reprint:
        out = json.loads(Path(args.reprint).read_text())
        for name, r in out["results"].items():
            derive(r, CASES[name].rss)
        out["verdicts"] = verdicts(out["results"])
        print_report(out, args.reprint)
        return 0
    why = shoplint_unavailable()
    if why or not shutil.which(args.chromium):
        print(f"render_bench: {why or f'no Chromium at {args.chromium}'}", file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        **run_header(),
        "pages": args.pages,
        "rss_pages": args.rss_pages,
        "client_share": args.client_share,
        "render_concurrency": RENDER_CONCURRENCY,
        "chromium": args.chromium,
        "seed": args.seed,
        "repeat": args.repeat,
        "results": {},
        "notes": [],
    }
    out_path = Path(args.out)
    default_out = out_path.resolve() == (RESULTS / "render-latest.json").resolve()
    # one server per shop: (pages, client share) -> the cases crawling it; the long
    # always-rss first, so that a run cut short still has the memory numbers
    shops: dict[tuple[int, float], list[str]] = {}
    for name in sorted(CASES, key=lambda n: not CASES[n].rss):
        case = CASES[name]
        if name in args.cases or name == args.profile:
            key = (args.rss_pages if case.rss else args.pages, args.client_share * case.client)
            shops.setdefault(key, []).append(name)
    for (pages, share), names in shops.items():
        print(f"building + serving a {pages}-page shop ({share:.0%} client-rendered) ...",
              file=sys.stderr, flush=True)  # fmt: skip
        with shop_server(pages, share, args) as server:
            for name in names:
                if name in args.cases:
                    out["results"][name] = run_case(name, server, args)
                    write_results(out, out_path)  # so far: a long run's results kept
                if name == args.profile:
                    out["profile"] = profile_shoplint(
                        server,
                        shoplint_command(CASES[name].mode, args, server),
                        args.timeout,
                        f"render-{name}",
                    )
    out["results"] = {n: out["results"][n] for n in CASES if n in out["results"]}
    out["verdicts"] = verdicts(out["results"])
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    write_results(out, out_path, "render-{stamp}.json" if default_out else None)
    print_report(out, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
