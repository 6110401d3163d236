"""Where shoplint spends its CPU: one more run under py-spy, summed up per function and
package, for each of its processes: the crawl's and the check worker it forks (whose
stacks start at the pool's `_process_worker`, not at the crawl frames it was forked from).

The run is not timed for the table (sampling slows it down); its collapsed stacks and a
summary go next to the results.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import run_child
from runs import RESULTS
from site_server import SiteServer
from tools import SHOPLINT_PACKAGES, ensure_pyspy

REPO = Path(__file__).resolve().parent.parent
# path prefixes dropped from frames: the rest names a package, a module or a stdlib file
_WORKER_ENTRY = "_process_worker ("  # concurrent.futures' loop in a pool's process
_SEARCH_ENTRY = "_search_one ("  # checks/spelling/neighbours.py: a spelling search helper
_PATH_MARKERS = (
    "site-packages/",
    f"{REPO}/",
    f"lib/python{sys.version_info.major}.{sys.version_info.minor}/",
)


def _short(path: str) -> str:
    for marker in _PATH_MARKERS:
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _package(frame: str) -> str:
    loc = frame.rpartition(" (")[2]
    path = _short(loc.rstrip(")").rsplit(":", 1)[0])
    head = path.split("/", 1)[0]
    if head.endswith(".py"):
        head = "stdlib:" + head[:-3]
    return head or "?"


def _func(frame: str) -> str:
    name, _, loc = frame.rpartition(" (")
    path = loc.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({_short(path)})"


Stacks = list[tuple[list[str], int]]  # (frames root first, samples)


def _by_process(raw: Path) -> dict[str, Stacks]:
    """py-spy's raw output (lines "process PID:"cmd";...;frame;frame count", the process
    frames nesting a child in its parent) as stacks per process, named "crawl process",
    "check worker N" or "spelling search helper N" (the processes forked after the crawl
    to search for spelling's suggestions; stacks cut to the pool's loop: the frames above
    it are the crawl's, from when it forked) or "process PID"."""
    stacks: dict[str, Stacks] = defaultdict(list)
    depth: dict[str, int] = {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        pid = procs[-1].split(":", 1)[0].removeprefix("process ") if procs else "?"
        depth[pid] = len(procs)
        stacks[pid].append(([f for f in frames if f and not f.startswith("process ")], int(count)))
    named: dict[str, Stacks] = {}
    workers = 0
    for pid in sorted(stacks, key=lambda p: (depth[p], p)):
        entry = [
            next((i for i, f in enumerate(fs) if f.startswith(_WORKER_ENTRY)), -1)
            for fs, _ in stacks[pid]
        ]
        if any(i >= 0 for i in entry):
            workers += 1
            searching = any(f.startswith(_SEARCH_ENTRY) for fs, _ in stacks[pid] for f in fs)
            kind = "spelling search helper" if searching else "check worker"
            name = f"{kind} {workers} (pid {pid})"
            named[name] = [
                (fs[i:] if i >= 0 else fs, n) for (fs, n), i in zip(stacks[pid], entry, strict=True)
            ]
        elif depth[pid] == min(depth.values()) and not any(k.startswith("crawl") for k in named):
            named[f"crawl process (pid {pid})"] = stacks[pid]
        else:
            named[f"process {pid}"] = stacks[pid]
    return named


def _summary(stacks: Stacks, top: int) -> list[str]:
    """Self time by package and function, inclusive time of shoplint's own functions."""
    self_t: Counter[str] = Counter()
    incl_t: Counter[str] = Counter()
    pkg_t: Counter[str] = Counter()
    total = sum(n for _, n in stacks)
    for parts, n in stacks:
        if not parts:
            continue
        frames = [_func(f) for f in parts]
        self_t[frames[-1]] += n
        for f in set(frames):
            incl_t[f] += n
        pkg_t[_package(parts[-1])] += n
    out = ["self time by package:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in pkg_t.most_common(10)]
    out += ["", f"top {top} functions by self time:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in self_t.most_common(top)]
    out += ["", f"top {top} functions by inclusive time ({'/'.join(SHOPLINT_PACKAGES)} code):"]
    mine = [
        (k, v) for k, v in incl_t.most_common() if any(f"({p}/" in k for p in SHOPLINT_PACKAGES)
    ]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in mine[:top]]
    return out


def summarize_profile(raw: Path, top: int = 20) -> str:
    """Each process's share of the samples, then its own summary (see _summary); processes
    with under 1% of the samples (helpers) are only counted."""
    procs = _by_process(raw)
    total = sum(n for stacks in procs.values() for _, n in stacks)
    if not total:
        return "no samples"
    shares = {name: sum(n for _, n in stacks) for name, stacks in procs.items()}
    out = [f"{total} samples (CPU, idle excluded), by process:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in shares.items()]
    for name, stacks in procs.items():
        if shares[name] >= total / 100:
            out += ["", f"== {name}: {shares[name]} samples ==", *_summary(stacks, top)]
    return "\n".join(out)


def profile_shoplint(
    server: SiteServer, command: Callable[[Path], list[str]], timeout: float, label: str
) -> dict[str, Any]:
    """Crawl the server's site with shoplint's `command(work dir)` under py-spy; files go to
    RESULTS, named by `label` (the site)."""
    pyspy = ensure_pyspy()
    work = Path(tempfile.mkdtemp(prefix="crawlbench-profile-"))
    raw = RESULTS / f"shoplint-profile-{label}-{server.n_pages}.txt"
    try:
        cmd = [
            pyspy,
            "record",
            "--rate",
            "200",
            "--subprocesses",
            "--format",
            "raw",
            "-o",
            str(raw),
            "--",
        ] + command(work)
        print(
            f"  profiling shoplint with py-spy ({server.n_pages} pages) ...",
            file=sys.stderr,
            flush=True,
        )
        r = run_child(
            "shoplint+py-spy",
            cmd,
            server,
            timeout,
            RESULTS / "logs" / f"profile-shoplint-{label}-{server.n_pages}.log",
            cwd=work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize_profile(raw) if raw.exists() else "py-spy wrote nothing"
    top = RESULTS / f"shoplint-profile-{label}-{server.n_pages}-top.txt"
    top.write_text(summary + "\n")
    return {
        "raw": str(raw),
        "top": str(top),
        "wall_s": r["wall_s"],
        "pages_fetched": r["pages_fetched"],
        "summary": summary,
        "label": label,
    }


def format_profile(profile: dict[str, Any]) -> str:
    """The profile's summary as a Markdown section."""
    return (
        f"\n#### Where shoplint spends its CPU (py-spy, {profile['label']}, "
        f"{profile['pages_fetched']} pages; {profile['raw']})\n\n```\n{profile['summary']}\n```"
    )


def report_footer(out: dict[str, Any], path: Path) -> str:
    """What a benchmark prints last: the profile, if one was run, and where the raw numbers
    and the tools' logs are."""
    profile = format_profile(out["profile"]) + "\n" if out.get("profile") else ""
    return f"{profile}\nraw numbers: {path}; tool logs: {RESULTS / 'logs'}"
