"""Where shoplint spends its CPU: one more run under py-spy, summed up per function/package.

The run is not timed for the table (sampling slows it down); its collapsed stacks and a
summary go next to the results.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from measure import run_child
from site_server import SiteServer
from tools import SHOPLINT_PACKAGES, ensure_pyspy, tool_command

REPO = Path(__file__).resolve().parent.parent
# path prefixes dropped from frames: the rest names a package, a module or a stdlib file
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


def summarize_profile(raw: Path, top: int = 25) -> str:
    """Self and inclusive time per function, and time per package, from py-spy's raw
    (collapsed stacks) output: lines "frame;frame;...;leaf count", frame "fn (file:line)"."""
    self_t: Counter[str] = Counter()
    incl_t: Counter[str] = Counter()
    pkg_t: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        parts = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not parts:
            continue
        frames = [_func(f) for f in parts]
        self_t[frames[-1]] += n
        for f in set(frames):
            incl_t[f] += n
        pkg_t[_package(parts[-1])] += n
    if not total:
        return "no samples"
    out = [f"{total} samples (CPU, idle excluded)", "", "self time by package:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in pkg_t.most_common(12)]
    out += ["", f"top {top} functions by self time:"]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in self_t.most_common(top)]
    out += ["", f"top {top} functions by inclusive time ({'/'.join(SHOPLINT_PACKAGES)} code):"]
    mine = [
        (k, v) for k, v in incl_t.most_common() if any(f"({p}/" in k for p in SHOPLINT_PACKAGES)
    ]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in mine[:top]]
    return "\n".join(out)


def profile_shoplint(
    server: SiteServer, timeout: float, shoplint_config: str | None, results: Path
) -> dict[str, Any]:
    """Crawl the server's site with shoplint under py-spy; files go to `results`."""
    pyspy = ensure_pyspy()
    work = Path(tempfile.mkdtemp(prefix="crawlbench-profile-"))
    raw = results / f"shoplint-profile-{server.n_pages}.txt"
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
        ] + tool_command("shoplint", server.url, server.n_pages, work, shoplint_config)
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
            results / "logs" / f"profile-shoplint-{server.n_pages}.log",
            cwd=work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize_profile(raw) if raw.exists() else "py-spy wrote nothing"
    top = results / f"shoplint-profile-{server.n_pages}-top.txt"
    top.write_text(summary + "\n")
    return {
        "raw": str(raw),
        "top": str(top),
        "wall_s": r["wall_s"],
        "pages_fetched": r["pages_fetched"],
        "summary": summary,
    }
