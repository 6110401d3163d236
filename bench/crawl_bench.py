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

    /work/venv/bin/python bench/crawl_bench.py                 # 5,000 pages + memory growth
    /work/venv/bin/python bench/crawl_bench.py --quick         # 500 pages, smoke run
    /work/venv/bin/python bench/crawl_bench.py --only bare,linkinator --pages 2000

See bench/README.md. All traffic goes to 127.0.0.1; every loop and child is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
LINKINATOR_VERSION = "7.6.1"
LINKINATOR_DIR = BENCH / ".linkinator"
LINKINATOR_BIN = LINKINATOR_DIR / "node_modules" / ".bin" / "linkinator"
TOOLS = ("shoplint", "bare", "linkinator")
CONCURRENCY = 10
STATS_PATH = "/__stats"
RESET_PATH = "/__reset"
NOISY_CORES = 0.25  # other processes' average CPU use above which a run is flagged

sys.path.insert(0, str(BENCH))


# =========================================================================== server
class _Stats:
    def __init__(self, html: set[str]):
        self.html = html
        self.open = 0
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.by_method: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.status: Counter[int] = Counter()
        self.html_gets: Counter[str] = Counter()
        self.html_heads = 0
        self.missing: Counter[str] = Counter()
        self.connections = 0
        self.peak_open = self.open
        self.first: float | None = None
        self.last: float | None = None

    def snapshot(self) -> dict:
        unfetched = sorted(self.html - self.html_gets.keys())
        return {
            "requests": self.requests,
            "by_method": dict(self.by_method),
            "by_kind": dict(self.by_kind),
            "status": {str(k): v for k, v in self.status.items()},
            "html_pages": len(self.html),
            "html_distinct": len(self.html_gets),
            "html_gets": sum(self.html_gets.values()),
            "html_heads": self.html_heads,
            "html_unfetched": len(unfetched),
            "html_unfetched_sample": unfetched[:10],
            "not_found": sum(self.missing.values()),
            "not_found_sample": [k for k, _ in self.missing.most_common(10)],
            "connections": self.connections,
            "peak_open_connections": self.peak_open,
            "active_seconds": (self.last - self.first) if self.first is not None else 0.0,
            "last_request_monotonic": self.last,  # time.monotonic() is system-wide on Linux
        }


class _HTTP(asyncio.Protocol):
    """Minimal HTTP/1.1 server protocol: keep-alive, pipelining, GET/HEAD, no bodies."""

    routes: dict[bytes, tuple[bytes, bytes, bytes, str, bool]] = {}
    stats: _Stats

    def connection_made(self, transport):
        self.tr = transport
        self.buf = b""
        st = _HTTP.stats
        st.connections += 1
        st.open += 1
        st.peak_open = max(st.peak_open, st.open)

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > 65536:
                    self.tr.close()
                    return
                break
            head = buf[:end]
            rest = buf[end + 4 :]
            low = head.lower()
            clen = 0
            i = low.find(b"\r\ncontent-length:")
            if i >= 0:
                j = low.find(b"\r\n", i + 2)
                clen = int(low[i + 17 : j if j >= 0 else None].strip() or 0)
                if len(rest) < clen:
                    break  # wait for the body
            buf = rest[clen:]
            line = head.split(b"\r\n", 1)[0]
            parts = line.split(b" ")
            if len(parts) != 3:
                self.tr.write(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                self.tr.close()
                return
            method, target, version = parts
            close = b"\r\nconnection: close" in low or (
                version == b"HTTP/1.0" and b"\r\nconnection: keep-alive" not in low
            )
            if not self.respond(method, target, close):
                return
        self.buf = buf

    def respond(self, method: bytes, target: bytes, close: bool) -> bool:
        st = _HTTP.stats
        if target.startswith(b"http://") or target.startswith(b"https://"):
            k = target.find(b"/", target.find(b"//") + 2)
            target = target[k:] if k >= 0 else b"/"
        h = target.find(b"#")
        if h >= 0:
            target = target[:h]
        if target == STATS_PATH.encode() or target == RESET_PATH.encode():
            if target == RESET_PATH.encode():
                st.reset()
            body = json.dumps(st.snapshot()).encode()
            self.tr.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
            )
            self.tr.close()
            return False
        now = time.monotonic()
        if st.first is None:
            st.first = now
        st.last = now
        st.requests += 1
        m = method.decode("latin-1")
        st.by_method[m] += 1
        route = _HTTP.routes.get(target)
        if route is None:
            st.status[404] += 1
            st.by_kind["404"] += 1
            st.missing[target.decode("latin-1")] += 1
            body = b"<!DOCTYPE html><title>Not found</title><h1>404 Not found</h1>"
            hdr = (
                b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: %s\r\n\r\n"
                % (len(body), b"close" if close else b"keep-alive")
            )
        else:
            hdr_ka, hdr_close, body, kind, is_html = route
            hdr = hdr_close if close else hdr_ka
            st.status[200] += 1
            st.by_kind[kind] += 1
            if is_html:
                if m == "GET":
                    st.html_gets[target.decode("latin-1")] += 1
                else:
                    st.html_heads += 1
        if m == "HEAD":
            self.tr.write(hdr)
        elif m in ("GET", "POST"):
            self.tr.writelines((hdr, body))
        else:
            self.tr.write(
                b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            close = True
        if close:
            self.tr.close()
            return False
        return True

    def connection_lost(self, exc):
        self.buf = b""
        _HTTP.stats.open -= 1


def _kind(ctype: str) -> str:
    if ctype.startswith("text/html"):
        return "html"
    if ctype.startswith("image/"):
        return "image"
    if "css" in ctype:
        return "css"
    if "javascript" in ctype:
        return "js"
    if "xml" in ctype:
        return "xml"
    return "other"


def serve(n_pages: int, seed: int, max_seconds: float, sitemap: bool = True) -> None:
    """Child process: build the shop, bind 127.0.0.1:0, print 'PORT n', serve until killed."""
    import shopgen

    try:
        import uvloop  # optional, faster

        uvloop.install()
    except ImportError:
        pass
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    site = shopgen.build_site(n_pages, seed, f"http://127.0.0.1:{port}", sitemap)
    routes = {}
    for target, (ctype, body) in site.resources.items():
        base = (
            b"HTTP/1.1 200 OK\r\nServer: shopbench\r\nContent-Type: %s\r\n"
            b"Content-Length: %d\r\n" % (ctype.encode(), len(body))
        )
        routes[target.encode("latin-1")] = (
            base + b"Connection: keep-alive\r\n\r\n",
            base + b"Connection: close\r\n\r\n",
            body,
            _kind(ctype),
            target in site.html,
        )
    _HTTP.routes = routes
    _HTTP.stats = _Stats(set(site.html))
    del site
    gc.collect()
    gc.freeze()
    parent = os.getppid()

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_HTTP, sock=sock, backlog=1024)
        print(f"PORT {port}", flush=True)
        deadline = time.monotonic() + max_seconds
        async with server:
            while time.monotonic() < deadline and os.getppid() == parent:
                await asyncio.sleep(1.0)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())


class ShopServer:
    """Parent-side handle on the server child process."""

    def __init__(
        self, n_pages: int, seed: int, max_seconds: float = 4 * 3600, sitemap: bool = True
    ):
        self.n_pages = n_pages
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--serve",
                "--pages",
                str(n_pages),
                "--seed",
                str(seed),
                "--server-max-seconds",
                str(max_seconds),
            ]
            + ([] if sitemap else ["--no-sitemap"]),
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        line = self._readline(timeout=300)
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"shop server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.build_seconds = time.perf_counter() - t0

    def _readline(self, timeout: float) -> str:
        out: list[str] = []
        th = threading.Thread(target=lambda: out.append(self.proc.stdout.readline()), daemon=True)
        th.start()
        th.join(timeout)
        return out[0].strip() if out else ""

    def _get(self, path: str) -> dict:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        with opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        return self._get(STATS_PATH)

    def reset(self) -> dict:
        return self._get(RESET_PATH)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# =========================================================================== measuring
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


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Polls the summed RSS of a process and all its descendants (peak, in KiB)."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.max_procs = 0
        self.timeline: list[tuple[float, float]] = []  # (seconds, MiB), about 1 per second
        self.samples: list[tuple[float, int]] = []  # (time.monotonic(), KiB), every sample
        self._halt = threading.Event()

    def run(self):
        t0 = time.monotonic()
        while not self._halt.is_set():
            todo, seen = [self.pid], []
            while todo and len(seen) < 1000:
                p = todo.pop()
                seen.append(p)
                todo += _children(p)
            kb = sum(_rss_kb(p) for p in seen)
            self.peak_kb = max(self.peak_kb, kb)
            self.samples.append((time.monotonic(), kb))
            t = time.monotonic() - t0
            if not self.timeline or t - self.timeline[-1][0] >= 1.0:
                self.timeline.append((round(t, 1), round(kb / 1024, 1)))
            self.max_procs = max(self.max_procs, len(seen))
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(5)

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


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_child(
    tool: str, cmd: list[str], server: ShopServer, timeout: float, log: Path, cwd: Path
) -> dict:
    server.reset()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as logf:
        logf.write(("$ " + " ".join(cmd) + "\n").encode())
        logf.flush()
        busy0, server0, self0 = (
            _machine_busy_s(),
            _proc_cpu_s(server.proc.pid),
            sum(os.times()[:2]),
        )
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdout=logf,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=_clean_env(),
            start_new_session=True,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timed_out = threading.Event()

        def _kill():
            timed_out.set()
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, _kill)
        timer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        sampler.stop()
        server_cpu = _proc_cpu_s(server.proc.pid) - server0
        tool_cpu = ru.ru_utime + ru.ru_stime
        other_cpu = (
            _machine_busy_s() - busy0 - tool_cpu - server_cpu - (sum(os.times()[:2]) - self0)
        )
        proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):  # anything the tool left running in its session
        os.killpg(proc.pid, signal.SIGKILL)
    st = server.stats()
    pages = st["html_distinct"]
    rss_wait4 = ru.ru_maxrss / 1024
    rss_tree = sampler.peak_kb / 1024
    split = sampler.peak_mb_split(st.get("last_request_monotonic"))
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
        # peak RSS while requests were being made, and after the last one (checks, reports)
        "peak_rss_crawl_mb": round(split[0], 1),
        "peak_rss_after_crawl_mb": round(split[1], 1),
        "cpu_user_s": round(ru.ru_utime, 2),
        "cpu_sys_s": round(ru.ru_stime, 2),
        "server_cpu_s": round(server_cpu, 2),
        # CPU used meanwhile by anything else on the machine (other cores' work included):
        # a busy machine makes the numbers lower than they would be on an idle one.
        "other_cpu_s": round(max(other_cpu, 0.0), 2),
        "other_cores": round(max(other_cpu, 0.0) / wall, 2) if wall else 0.0,
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "server": st,
        "cmd": cmd,
        "log": str(log),
    }


# =========================================================================== tools
def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def ensure_linkinator() -> str:
    if not LINKINATOR_BIN.exists():
        print(
            f"installing linkinator@{LINKINATOR_VERSION} into {LINKINATOR_DIR} ...", file=sys.stderr
        )
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(LINKINATOR_DIR),
                f"linkinator@{LINKINATOR_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
    out = subprocess.run(
        [str(LINKINATOR_BIN), "--version"], capture_output=True, text=True, timeout=60
    ).stdout.strip()
    if out != LINKINATOR_VERSION:
        raise RuntimeError(f"linkinator --version says {out!r}, expected {LINKINATOR_VERSION}")
    return str(LINKINATOR_BIN)


def shoplint_available() -> tuple[bool, str]:
    exe = _bin("shoplint")
    if not Path(exe).exists() and not shutil.which(exe):
        return False, "no `shoplint` entry point (pip install -e /work/main)"
    r = subprocess.run(
        [exe, "run", "--help"], capture_output=True, text=True, timeout=120, env=_clean_env()
    )
    if r.returncode != 0:
        lines = (r.stderr or r.stdout).strip().splitlines() or ["(no output)"]
        return False, f"`shoplint run --help` failed: {lines[-1][:300]}"
    return True, exe


def tool_command(tool: str, url: str, n_pages: int, work: Path, args) -> list[str]:
    if tool == "bare":
        return [
            _bin("scrapy"),
            "runspider",
            str(BENCH / "bare_spider.py"),
            "-a",
            f"start_url={url}",
            "-s",
            "LOG_LEVEL=INFO",
        ]
    if tool == "linkinator":
        return [
            ensure_linkinator(),
            url,
            "--recurse",
            "--concurrency",
            str(CONCURRENCY),
            "--format",
            "json",
            "--verbosity",
            "error",
            "--clean-urls",
        ]
    if tool == "shoplint":
        cfg = work / "shoplint.yml"
        if args.shoplint_config:
            shutil.copy(args.shoplint_config, cfg)
        else:
            cfg.write_text(f"crawl:\n  concurrency: {CONCURRENCY}\n")
        return [
            _bin("shoplint"),
            "run",
            url,
            "--internal-only",
            "--max-pages",
            str(n_pages),
            "--db",
            str(work / "bench.db"),
            "--out",
            str(work / "report"),
            "--config",
            str(cfg),
        ]
    raise ValueError(tool)


def wait_for_idle(max_wait: float, window: float = 3.0) -> float:
    """Wait (at most max_wait s) until the rest of the machine uses < NOISY_CORES cores over
    `window` s; return the load seen last, in cores."""
    deadline = time.monotonic() + max_wait
    waited = False
    while True:
        b0, s0 = _machine_busy_s(), sum(os.times()[:2])
        time.sleep(window)
        load = (_machine_busy_s() - b0 - (sum(os.times()[:2]) - s0)) / window
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


def run_tool(tool: str, server: ShopServer, args, label: str) -> dict:
    runs = []
    for i in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix=f"crawlbench-{tool}-"))
        try:
            if args.wait_idle > 0:
                wait_for_idle(args.wait_idle)
            cmd = tool_command(tool, server.url, server.n_pages, work, args)
            log = RESULTS / "logs" / f"{label}-{tool}-{server.n_pages}-{i + 1}.log"
            print(
                f"  {tool:<10} {server.n_pages} pages, run {i + 1}/{args.repeat} ...",
                file=sys.stderr,
                flush=True,
            )
            r = run_child(tool, cmd, server, args.timeout, log, cwd=work)
            print(
                f"  {tool:<10} {r['wall_s']:.1f}s, {r['pages_fetched']}/{r['pages_expected']}"
                f" pages, {r['requests']} requests, {r['peak_rss_mb']:.0f} MB, "
                f"exit {r['exit_code']}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(r)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    best = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]  # median by wall time
    best = dict(best)
    if len(runs) > 1:
        best["wall_s_all"] = [r["wall_s"] for r in runs]
        best["peak_rss_mb_all"] = [r["peak_rss_mb"] for r in runs]
    return best


# =========================================================================== profile
def ensure_pyspy() -> str:
    exe = _bin("py-spy")
    if not (Path(exe).exists() or shutil.which(exe)):
        print("installing py-spy ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True, timeout=600
        )
        exe = _bin("py-spy")
    return exe


def summarize_profile(raw: Path, top: int = 25) -> str:
    """Self and inclusive time per function, and time per package, from py-spy's raw
    (collapsed stacks) output: lines "frame;frame;...;leaf count", frame "fn (file:line)"."""
    self_t: Counter[str] = Counter()
    incl_t: Counter[str] = Counter()
    pkg_t: Counter[str] = Counter()
    total = 0

    def func(frame: str) -> str:
        name, _, loc = frame.rpartition(" (")
        path = loc.rstrip(")").rsplit(":", 1)[0]
        return f"{name} ({_short(path)})"

    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        parts = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not parts:
            continue
        frames = [func(f) for f in parts]
        if not frames:
            continue
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
    out += ["", f"top {top} functions by inclusive time (shoplint/crawler/checks/reports code):"]
    mine = [
        (k, v)
        for k, v in incl_t.most_common()
        if any(f"({p}/" in k for p in ("shoplint", "crawler", "checks", "reports"))
    ]
    out += [f"  {100 * v / total:5.1f}%  {k}" for k, v in mine[:top]]
    return "\n".join(out)


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
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


def profile_shoplint(server: ShopServer, args) -> dict:
    pyspy = ensure_pyspy()
    work = Path(tempfile.mkdtemp(prefix="crawlbench-profile-"))
    raw = RESULTS / f"shoplint-profile-{server.n_pages}.txt"
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
        ] + tool_command("shoplint", server.url, server.n_pages, work, args)
        print(
            f"  profiling shoplint with py-spy ({server.n_pages} pages) ...",
            file=sys.stderr,
            flush=True,
        )
        r = run_child(
            "shoplint+py-spy",
            cmd,
            server,
            args.timeout,
            RESULTS / "logs" / f"profile-shoplint-{server.n_pages}.log",
            cwd=work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize_profile(raw) if raw.exists() else "py-spy wrote nothing"
    top = RESULTS / f"shoplint-profile-{server.n_pages}-top.txt"
    top.write_text(summary + "\n")
    return {
        "raw": str(raw),
        "top": str(top),
        "wall_s": r["wall_s"],
        "pages_fetched": r["pages_fetched"],
        "summary": summary,
    }


# =========================================================================== report
def _fmt_table(results: list[dict], ref: dict | None) -> str:
    head = (
        "| tool | pages fetched / N | wall s | active s | pages/s | requests | "
        "peak RSS MB | CPU s | pages/s vs shoplint |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in results:
        flag = "" if r["complete"] else " **INCOMPLETE**"
        if r["exit_code"] != 0:
            flag += f" (exit {r['exit_code']}{', timed out' if r['timed_out'] else ''})"
        ratio = (
            f"{r['pages_per_s'] / ref['pages_per_s']:.2f}x" if ref and ref["pages_per_s"] else "n/a"
        )
        lines.append(
            f"| {r['tool']} | {r['pages_fetched']} / {r['pages_expected']}{flag} | "
            f"{r['wall_s']:.1f} | {r['active_s']:.1f} | {r['pages_per_s']:.1f} | "
            f"{r['requests']} | {r['peak_rss_mb']:.0f} | "
            f"{r['cpu_user_s'] + r['cpu_sys_s']:.1f} | {ratio} |"
        )
    return "\n".join(lines)


def _git_state() -> dict:
    """Which shoplint was measured: HEAD and the files changed since (the tree is shared)."""

    def git(*a: str) -> str:
        try:
            r = subprocess.run(
                ["git", "-C", str(REPO), *a], capture_output=True, text=True, timeout=30
            )
            return r.stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = git("status", "--porcelain", "--", "shoplint", "crawler", "checks", "reports")
    return {
        "head": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted": [line[3:] for line in changed.splitlines()],
    }


def main(argv: list[str] | None = None) -> int:
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
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is kept")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool run")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=120,
        help="before each tool run, wait up to this many seconds for other processes to "
        f"use < {NOISY_CORES} cores (0: don't wait)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--shoplint-config",
        help=f"use this shoplint.yml instead of `crawl: {{concurrency: {CONCURRENCY}}}`",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, run shoplint once more under py-spy and list hot functions",
    )
    ap.add_argument("--keep", action="store_true", help="keep the tools' temp dirs")
    ap.add_argument("--out", default=str(RESULTS / "latest.json"))
    ap.add_argument(
        "--no-sitemap",
        action="store_true",
        help="serve no sitemap.xml and name none in robots.txt (pages found by links only)",
    )
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--server-max-seconds", type=float, default=4 * 3600, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    n = args.pages or (500 if args.quick else 5000)
    if args.serve:
        serve(n, args.seed, args.server_max_seconds, not args.no_sitemap)
        return 0
    if args.memory_growth is None:
        args.memory_growth = not args.quick
    tools = [t.strip() for t in args.only.split(",") if t.strip()]
    bad = [t for t in tools if t not in TOOLS]
    if bad:
        ap.error(f"unknown tool(s) {bad}; choose from {TOOLS}")
    RESULTS.mkdir(parents=True, exist_ok=True)

    notes = []
    if "shoplint" in tools:
        ok, why = shoplint_available()
        if not ok:
            notes.append(f"shoplint skipped: {why}")
            print(f"WARNING: {notes[-1]}", file=sys.stderr)
            tools.remove("shoplint")
    if "linkinator" in tools:
        ensure_linkinator()

    out = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "shoplint_source": _git_state(),
        "pages": n,
        "seed": args.seed,
        "concurrency": CONCURRENCY,
        "repeat": args.repeat,
        "results": [],
        "memory_growth": None,
        "notes": notes,
    }
    sitemap = not args.no_sitemap
    out["sitemap"] = sitemap
    print(f"building + serving a {n}-page shop ...", file=sys.stderr, flush=True)
    with ShopServer(n, args.seed, sitemap=sitemap) as server:
        print(f"  ready at {server.url} in {server.build_seconds:.1f}s", file=sys.stderr)
        for tool in tools:
            out["results"].append(run_tool(tool, server, args, "main"))
        if args.profile and "shoplint" in tools:
            out["profile"] = profile_shoplint(server, args)

    if args.memory_growth and "shoplint" in tools:
        growth = {}
        for size in (1000, 10000):
            print(f"memory growth: {size}-page shop ...", file=sys.stderr, flush=True)
            with ShopServer(size, args.seed, sitemap=sitemap) as server:
                growth[size] = run_tool("shoplint", server, args, "growth")
        out["memory_growth"] = {
            "runs": {str(k): v for k, v in growth.items()},
            "rss_1000_mb": growth[1000]["peak_rss_mb"],
            "rss_10000_mb": growth[10000]["peak_rss_mb"],
            "growth_mb": round(growth[10000]["peak_rss_mb"] - growth[1000]["peak_rss_mb"], 1),
            "target_mb": 50,
            # the same, split: while requests were made / after the last request
            "crawl_growth_mb": round(
                growth[10000]["peak_rss_crawl_mb"] - growth[1000]["peak_rss_crawl_mb"], 1
            ),
            "after_crawl_growth_mb": round(
                growth[10000]["peak_rss_after_crawl_mb"] - growth[1000]["peak_rss_after_crawl_mb"],
                1,
            ),
        }

    by_tool = {r["tool"]: r for r in out["results"]}
    ref = by_tool.get("shoplint")
    ratios = {}
    for other in ("linkinator", "bare"):
        if ref and other in by_tool and by_tool[other]["pages_per_s"]:
            ratios[f"shoplint/{other}"] = round(
                ref["pages_per_s"] / by_tool[other]["pages_per_s"], 3
            )
    out["ratios_pages_per_s"] = ratios
    out["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    if Path(args.out).resolve() == (RESULTS / "latest.json").resolve():  # keep a history too
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"run-{stamp}-{n}.json").write_text(json.dumps(out, indent=2))

    print()
    print(
        f"### Crawl benchmark: {n}-page synthetic shop, concurrency {CONCURRENCY}, "
        f"{os.cpu_count()} CPUs"
    )
    src = out["shoplint_source"]
    dirty = f" + {len(src['uncommitted'])} uncommitted files" if src["uncommitted"] else ""
    print(f"\nshoplint source: {src['head'] or 'unknown'}{dirty}; {out['started']}")
    print()
    print(_fmt_table(out["results"], ref))
    print()
    for k, v in ratios.items():
        verdict = "OK" if v >= 1 else "below target"
        print(f"- {k} (pages/s): {v:.2f}x ({verdict}, target >= 1)")
    mg = out["memory_growth"]
    if mg:
        verdict = "OK" if mg["growth_mb"] < mg["target_mb"] else "over target"
        print(
            f"- shoplint peak RSS: {mg['rss_1000_mb']:.0f} MB at 1,000 pages, "
            f"{mg['rss_10000_mb']:.0f} MB at 10,000 pages: growth {mg['growth_mb']:.0f} MB "
            f"({verdict}, target < {mg['target_mb']} MB)"
        )
        r1, r10 = mg["runs"]["1000"], mg["runs"]["10000"]
        print(
            f"  - while crawling (up to the last request): {r1['peak_rss_crawl_mb']:.0f} -> "
            f"{r10['peak_rss_crawl_mb']:.0f} MB ({mg['crawl_growth_mb']:+.0f} MB); after the "
            f"last request (checks, report): {r1['peak_rss_after_crawl_mb']:.0f} -> "
            f"{r10['peak_rss_after_crawl_mb']:.0f} MB ({mg['after_crawl_growth_mb']:+.0f} MB)"
        )
        for k, r in mg["runs"].items():
            if not r["complete"]:
                print(f"  - WARNING: the {k}-page run fetched only {r['pages_fetched']} pages")
    all_runs = list(out["results"]) + (list(mg["runs"].values()) if mg else [])
    for r in all_runs:
        if r.get("other_cores", 0) > NOISY_CORES:
            print(
                f"- WARNING: other processes kept {r['other_cores']:.2f} cores busy during the "
                f"{r['tool']} run at {r['pages_expected']} pages (machine not idle): its "
                "numbers are pessimistic; rerun on an idle machine"
            )
    for note in notes:
        print(f"- {note}")
    if out.get("profile"):
        print(
            f"\n#### Where shoplint spends its CPU (py-spy, {n} pages; {out['profile']['raw']})"
            "\n\n```\n" + out["profile"]["summary"] + "\n```"
        )
    print(f"\nraw numbers: {args.out}; tool logs: {RESULTS / 'logs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
