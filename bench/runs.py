"""What the crawl benchmarks share around one measured run (measure.run_child): repeating it
and keeping the median, which shoplint was measured, the Markdown table and the JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measure import NOISY_CORES, run_child, wait_for_idle
from site_server import SiteServer
from tools import FOUND_PROBLEMS_EXIT, SHOPLINT_PACKAGES

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class RunOptions:
    repeat: int  # runs per tool; the median by wall time is kept
    timeout: float  # seconds per run, then the tool's process group is killed
    wait_idle: float  # seconds to wait, at most, for an idle machine before each run
    keep: bool  # keep the tools' temp dirs

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunOptions:
        return cls(args.repeat, args.timeout, args.wait_idle, args.keep)


def add_run_options(ap: argparse.ArgumentParser, repeat: int) -> None:
    """The RunOptions flags."""
    ap.add_argument("--repeat", type=int, default=repeat, help="runs per tool; median kept")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool run")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=120,
        help="before each tool run, wait up to this many seconds for other processes to "
        f"use < {NOISY_CORES} cores (0: don't wait)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the tools' temp dirs")


def run_median(
    name: str,
    command: Callable[[Path], list[str]],
    server: SiteServer,
    opts: RunOptions,
    label: str,
    measured: Callable[..., dict[str, Any]] = run_child,
) -> dict[str, Any]:
    """Run `command(work dir)` opts.repeat times against the server; the median run by wall
    time, with every run's wall time and RSS when there are several. `measured` runs and
    measures one (measure.run_child's arguments and numbers; a shared crawl adds its own)."""
    runs = []
    for i in range(opts.repeat):
        work = Path(tempfile.mkdtemp(prefix=f"crawlbench-{name}-"))
        try:
            if opts.wait_idle > 0:
                wait_for_idle(opts.wait_idle)
            log = RESULTS / "logs" / f"{label}-{name}-{server.n_pages}-{i + 1}.log"
            print(
                f"  {name:<10} {server.n_pages} pages, run {i + 1}/{opts.repeat} ...",
                file=sys.stderr,
                flush=True,
            )
            r = measured(name, command(work), server, opts.timeout, log, cwd=work)
            print(
                f"  {name:<10} {r['wall_s']:.1f}s, {r['pages_fetched']}/{r['pages_expected']}"
                f" pages, {r['requests']} requests, {r['peak_rss_mb']:.0f} MB, "
                f"exit {r['exit_code']}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(r)
        finally:
            if not opts.keep:
                shutil.rmtree(work, ignore_errors=True)
    best = dict(sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2])
    if len(runs) > 1:
        best["wall_s_all"] = [r["wall_s"] for r in runs]
        best["peak_rss_mb_all"] = [r["peak_rss_mb"] for r in runs]
    return best


def git_state() -> dict[str, Any]:
    """Which shoplint was measured: HEAD and the files changed since (the tree is shared)."""

    def git(*a: str) -> str:
        try:
            r = subprocess.run(
                ["git", "-C", str(REPO), *a], capture_output=True, text=True, timeout=30
            )
            return r.stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = git("status", "--porcelain", "--", *SHOPLINT_PACKAGES)
    return {
        "head": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted": [line[3:] for line in changed.splitlines()],
    }


def run_header() -> dict[str, Any]:
    """The start of a results JSON: when, on what machine, with which shoplint."""
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "shoplint_source": git_state(),
    }


def source_line(out: dict[str, Any]) -> str:
    src = out["shoplint_source"]
    dirty = f" + {len(src['uncommitted'])} uncommitted files" if src["uncommitted"] else ""
    return f"shoplint source: {src['head'] or 'unknown'}{dirty}; {out['started']}"


def write_results(out: dict[str, Any], path: Path, history: str | None = None) -> None:
    """The JSON at `path`, and a copy in RESULTS named `history` ("{stamp}" replaced by the
    date and time) to keep a history."""
    text = json.dumps(out, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if history:
        (RESULTS / history.format(stamp=time.strftime("%Y%m%d-%H%M%S"))).write_text(text)


def format_table(results: list[dict[str, Any]], ref_tool: str) -> str:
    """The Markdown table, one row per tool; pages/s relative to `ref_tool`'s. A tool's exit
    saying it found problems is no failure ("shoplint-all" is shoplint)."""
    ref = next((r for r in results if r["tool"] == ref_tool), None)
    head = (
        "| tool | pages fetched / N | wall s | active s | pages/s | requests | "
        f"peak RSS MB | CPU s | pages/s vs {ref_tool} |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in results:
        flag = "" if r["complete"] else " **INCOMPLETE**"
        if r["exit_code"] not in (0, FOUND_PROBLEMS_EXIT.get(r["tool"].split("-")[0])):
            flag += f" (exit {r['exit_code']}{', timed out' if r['timed_out'] else ''})"
        ratio = (
            f"{r['pages_per_s'] / ref['pages_per_s']:.2f}x" if ref and ref["pages_per_s"] else "n/a"
        )
        lines.append(
            f"| {r['tool']} | {r['pages_fetched']} / {r['pages_expected']}{flag} | "
            f"{r['wall_s']:.1f} | {r['active_s']:.1f} | {r['pages_per_s']:.1f} | "
            f"{r['requests']} | {r['peak_rss_mb']:.0f} | "
            f"{r.get('cpu_s', r['cpu_user_s'] + r['cpu_sys_s']):.1f} | {ratio} |"
        )
    return "\n".join(lines)


def noise_warnings(runs: list[dict[str, Any]]) -> list[str]:
    """A line for each run during which the rest of the machine was busy."""
    return [
        f"- WARNING: other processes kept {r['other_cores']:.2f} cores busy during the "
        f"{r['tool']} run at {r['pages_expected']} pages (machine not idle): its numbers are "
        "pessimistic; rerun on an idle machine"
        for r in runs
        if r.get("other_cores", 0) > NOISY_CORES
    ]
