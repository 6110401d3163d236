"""Running a tool as a child process and measuring it from outside (Linux /proc).

Wall time, CPU and peak RSS of the tool's whole process tree, the server's counts for the
run, and the CPU the rest of the machine used meanwhile (a busy machine makes every number
pessimistic, so it is recorded and can be waited out with `wait_for_idle`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from resource import struct_rusage
from typing import IO, Any

from site_server import SiteServer

NOISY_CORES = 0.25  # other processes' average CPU use above which a run is flagged


def clean_env() -> dict[str, str]:
    """The environment for tools: no proxy (all traffic is to 127.0.0.1), unbuffered Python."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _kind(pid: int) -> str:
    """What a process is, from its command line: the program (a Python's script too), and a
    Chromium child's --type (renderer, gpu-process, zygote, utility; Chromium rewrites its
    command line into one string); "" when it has ended."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return ""
    if not args:  # a zombie (ended, not yet reaped): it keeps the kind it was seen with
        return ""
    name = os.path.basename(args[0])
    kind = next((a[7:] for a in args if a.startswith("--type=")), "")
    if name.startswith("python") and len(args) > 1 and not args[1].startswith("-"):
        kind = os.path.basename(args[1])  # the script: shoplint
    return f"{name} {kind}" if kind else name


def _kb(path: str, field: str) -> int:
    """A "Field:   123 kB" line of a /proc file, in KiB (0 when the process has ended)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _kb(f"/proc/{pid}/status", "VmRSS:")


def _pss_kb(pid: int) -> int:
    """The process's proportional share of the memory it maps: pages shared by N processes
    (Chromium's code, in every one of its processes) count 1/N in each, so a sum over a
    process tree is what the tree really holds, where the RSS sum counts them N times."""
    return _kb(f"/proc/{pid}/smaps_rollup", "Pss:")


class TreeSampler(threading.Thread):
    """Polls the summed RSS of a process and all its descendants (peak, in KiB): ru_maxrss
    alone misses children that are not reaped, and the sum over processes alive together.
    About once a second it also sums their PSS (see _pss_kb; dearer to read), and it keeps
    each process's CPU, by kind, as last seen (a browser's children, orphaned when it
    quits, are never reaped into wait4's numbers)."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.max_procs = 0
        self.timeline: list[tuple[float, float]] = []  # (seconds, MiB), about 1 per second
        self.pss_timeline: list[tuple[float, float]] = []  # (seconds, MiB) of PSS, likewise
        self.peak_by_kind: dict[str, float] = {}  # MiB of RSS by kind at the peak
        self.samples: list[tuple[float, int]] = []  # (time.monotonic(), KiB), every sample
        self.started = time.monotonic()  # the timeline's 0
        self.cpu_seen: dict[int, tuple[str, float]] = {}  # pid -> (kind, CPU s seen last)
        self._halt = threading.Event()

    def run(self) -> None:
        t0 = self.started = time.monotonic()
        while not self._halt.is_set():
            todo, seen = [self.pid], []
            while todo and len(seen) < 1000:
                p = todo.pop()
                seen.append(p)
                todo += _children(p)
            rss = {p: _rss_kb(p) for p in seen}
            kb = sum(rss.values())
            for p in seen:  # the kind read again: a child forked has not yet exec'd
                kind, cpu = self.cpu_seen.get(p) or ("?", 0.0)
                self.cpu_seen[p] = (_kind(p) or kind, _proc_cpu_s(p) or cpu)  # "", 0: ended
            if kb > self.peak_kb:
                self.peak_kb = kb
                self.peak_by_kind = {}
                for p, pkb in rss.items():
                    kind = self.cpu_seen[p][0]
                    self.peak_by_kind[kind] = round(self.peak_by_kind.get(kind, 0) + pkb / 1024, 1)
            self.samples.append((time.monotonic(), kb))
            t = time.monotonic() - t0
            if not self.timeline or t - self.timeline[-1][0] >= 1.0:
                self.timeline.append((round(t, 1), round(kb / 1024, 1)))
                pss = sum(_pss_kb(p) for p in seen)
                self.pss_timeline.append((round(t, 1), round(pss / 1024, 1)))
            self.max_procs = max(self.max_procs, len(seen))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def cpu_s(self) -> float:
        """The tree's CPU s as sampled (see cpu_by_kind)."""
        return sum(cpu for _, cpu in self.cpu_seen.values())

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU s of the tree's processes by kind (see _kind), as last sampled: a process's
        last 0.2 s are missed; a cross-check of wait4's total, and where the CPU went."""
        out: dict[str, float] = {}
        for kind, cpu in self.cpu_seen.values():
            out[kind] = round(out.get(kind, 0.0) + cpu, 2)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def peak_mb_split(self, until: float | None) -> tuple[float, float]:
        """Peak RSS (MiB) up to monotonic time `until` (the last request), and after it."""
        if until is None:
            return 0.0, 0.0
        before = [kb for t, kb in self.samples if t <= until]
        after = [kb for t, kb in self.samples if t > until]
        return max(before, default=0) / 1024, max(after, default=0) / 1024


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.0
    busy = sum(v) - v[3] - (v[4] if len(v) > 4 else 0)  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _proc_cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """This script's CPU seconds (user + system), not to be counted as other processes'."""
    return sum(os.times()[:2])


def wait_for_idle(max_wait: float, window: float = 3.0) -> float:
    """Wait (at most max_wait s) until the rest of the machine uses < NOISY_CORES cores over
    `window` s; return the load seen last, in cores."""
    deadline = time.monotonic() + max_wait
    waited = False
    while True:
        b0, s0 = _machine_busy_s(), _own_cpu_s()
        time.sleep(window)
        load = (_machine_busy_s() - b0 - (_own_cpu_s() - s0)) / window
        if load < NOISY_CORES or time.monotonic() >= deadline:
            if waited:
                verdict = "idle" if load < NOISY_CORES else "still busy, measuring anyway"
                print(f"  machine load now {load:.2f} cores: {verdict}", file=sys.stderr)
            return load
        if not waited:
            print(
                f"  waiting up to {max_wait:.0f}s for the machine to be idle "
                f"(other processes use {load:.2f} cores) ...",
                file=sys.stderr,
                flush=True,
            )
            waited = True


@dataclass
class _ChildRun:
    wall: float
    usage: struct_rusage  # of the tool and the descendants it reaped
    exit_code: int
    timed_out: bool
    sampler: TreeSampler
    server_cpu: float
    other_cpu: float  # CPU used meanwhile by anything but the tool, the server and us


def start_sampled(
    cmd: list[str], log: IO[bytes], cwd: Path
) -> tuple[subprocess.Popen[bytes], TreeSampler]:
    """cmd started in its own session (its group can be killed whole), its process tree's
    RSS sampled from now on."""
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=clean_env(),
        start_new_session=True,
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    return proc, sampler


def _run_sampled(
    cmd: list[str], log: IO[bytes], cwd: Path, timeout: float, server_pid: int
) -> _ChildRun:
    """Run cmd in its own session, its RSS sampled; its process group is killed after
    `timeout` s, and whatever it leaves running once it exits."""
    busy0, server0, self0 = _machine_busy_s(), _proc_cpu_s(server_pid), _own_cpu_s()
    t0 = time.perf_counter()
    proc, sampler = start_sampled(cmd, log, cwd)
    timed_out = threading.Event()

    def _kill() -> None:
        timed_out.set()
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, _kill)
    timer.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    timer.cancel()
    sampler.stop()
    server_cpu = _proc_cpu_s(server_pid) - server0
    tool_cpu = max(ru.ru_utime + ru.ru_stime, sampler.cpu_s())
    other_cpu = _machine_busy_s() - busy0 - tool_cpu - server_cpu - (_own_cpu_s() - self0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    with contextlib.suppress(OSError):  # anything the tool left running in its session
        os.killpg(proc.pid, signal.SIGKILL)
    return _ChildRun(wall, ru, proc.returncode, timed_out.is_set(), sampler, server_cpu, other_cpu)


def run_child(
    tool: str, cmd: list[str], server: SiteServer, timeout: float, log: Path, cwd: Path
) -> dict[str, Any]:
    """Run one tool against the server (counters reset first); its output goes to `log`.
    Returns every number measured, as written to the results JSON."""
    server.reset()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as logf:
        logf.write(("$ " + " ".join(cmd) + "\n").encode())
        logf.flush()
        run = _run_sampled(cmd, logf, cwd, timeout, server.proc.pid)
    st = server.stats()
    pages = st["html_distinct"]
    wall, ru, sampler = run.wall, run.usage, run.sampler
    rss_wait4 = ru.ru_maxrss / 1024
    rss_tree = sampler.peak_kb / 1024
    split = sampler.peak_mb_split(st.get("last_request_monotonic"))
    other_cpu = max(run.other_cpu, 0.0)
    return {
        "tool": tool,
        "pages_expected": server.n_pages,
        "pages_fetched": pages,
        "complete": pages >= server.n_pages,
        "wall_s": round(wall, 3),
        "active_s": round(st["active_seconds"], 3),
        "pages_per_s": round(pages / wall, 2) if wall else 0.0,
        "pages_per_active_s": round(pages / st["active_seconds"], 2)
        if st["active_seconds"]
        else 0.0,
        "requests": st["requests"],
        "peak_rss_mb": round(max(rss_wait4, rss_tree), 1),
        "peak_rss_wait4_mb": round(rss_wait4, 1),
        "peak_rss_tree_mb": round(rss_tree, 1),
        "max_procs": sampler.max_procs,
        "rss_timeline_mb": sampler.timeline,
        "peak_pss_tree_mb": max((mb for _, mb in sampler.pss_timeline), default=0.0),
        "pss_timeline_mb": sampler.pss_timeline,
        "peak_rss_by_process_kind_mb": sampler.peak_by_kind,
        "processes_seen": len(sampler.cpu_seen),
        "cpu_by_process_kind_s": sampler.cpu_by_kind(),
        # the server's last request, on the RSS timeline's clock: the crawl ends there
        "last_request_s": round(st["last_request_monotonic"] - sampler.started, 1)
        if st.get("last_request_monotonic")
        else None,
        # peak RSS while requests were being made, and after the last one (checks, reports)
        "peak_rss_crawl_mb": round(split[0], 1),
        "peak_rss_after_crawl_mb": round(split[1], 1),
        "cpu_user_s": round(ru.ru_utime, 2),
        "cpu_sys_s": round(ru.ru_stime, 2),
        # wait4's CPU misses descendants never reaped into it (a browser's, orphaned when
        # it quits); the CPU of the tree as sampled misses each process's last 0.2 s:
        # the larger of the two
        "cpu_s": round(max(ru.ru_utime + ru.ru_stime, sampler.cpu_s()), 2),
        "cpu_tree_sampled_s": round(sampler.cpu_s(), 2),
        "server_cpu_s": round(run.server_cpu, 2),
        # CPU used meanwhile by anything else on the machine (other cores' work included):
        # a busy machine makes the numbers lower than they would be on an idle one.
        "other_cpu_s": round(other_cpu, 2),
        "other_cores": round(other_cpu / wall, 2) if wall else 0.0,
        "exit_code": run.exit_code,
        "timed_out": run.timed_out,
        "server": st,
        "cmd": cmd,
        "log": str(log),
    }
