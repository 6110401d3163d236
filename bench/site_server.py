"""A counting HTTP server for the crawl benchmarks, and the parent's handle on it.

The server runs in a child process, so its CPU is not the crawler's, and answers from
pre-rendered bytes (HTTP/1.1 keep-alive and pipelining), so it costs the crawler next to
nothing. It counts every request by path: pages fetched are measured from outside each tool,
identically. It serves any site given as target -> (content type, bytes); the child decides
what to build (see `serve`), the parent starts it with `SiteServer`. A static site's files
are found without their query string (`style.css?v=2`); the shop's queries name pages.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

STATS_PATH = "/__stats"
RESET_PATH = "/__reset"
PAGES_PATH = "/__pages"  # the HTML pages' targets, for tools that are given every page
# (keep-alive header, close header, body, kind, is an HTML page)
Route = tuple[bytes, bytes, bytes, str, bool]


class Site(Protocol):
    """What the server needs of a site (shopgen.Site is one)."""

    resources: Mapping[str, tuple[str, bytes]]  # request target -> (content type, body)
    html: Collection[str]  # the targets that are HTML pages
    ignore_query: bool  # a target not found is looked up again without its query string


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

    def snapshot(self) -> dict[str, Any]:
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

    routes: dict[bytes, Route] = {}
    ignore_query = False
    stats: _Stats

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.tr = transport
        self.buf = b""
        st = _HTTP.stats
        st.connections += 1
        st.open += 1
        st.peak_open = max(st.peak_open, st.open)

    def data_received(self, data: bytes) -> None:
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
        """Answer one request; False when the connection is closed."""
        st = _HTTP.stats
        if target.startswith(b"http://") or target.startswith(b"https://"):
            k = target.find(b"/", target.find(b"//") + 2)
            target = target[k:] if k >= 0 else b"/"
        h = target.find(b"#")
        if h >= 0:
            target = target[:h]
        if target in (STATS_PATH.encode(), RESET_PATH.encode(), PAGES_PATH.encode()):
            if target == RESET_PATH.encode():
                st.reset()
            body = json.dumps(
                sorted(st.html) if target == PAGES_PATH.encode() else st.snapshot()
            ).encode()
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
        if route is None and _HTTP.ignore_query and b"?" in target:
            route = _HTTP.routes.get(target.split(b"?", 1)[0])
            if route is not None:
                target = target.split(b"?", 1)[0]  # counted as the file's page
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

    def connection_lost(self, exc: Exception | None) -> None:
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
    if "json" in ctype:
        return "json"
    return "other"


def _routes(site: Site) -> dict[bytes, Route]:
    """Every response pre-rendered, headers included: serving is a dict look-up."""
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
    return routes


def serve(build: Callable[[str], Site], max_seconds: float) -> None:
    """Child process: bind 127.0.0.1:0, build the site for its base URL (links may need the
    port), print 'PORT port pages', serve until killed, orphaned or max_seconds have passed."""
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
    site = build(f"http://127.0.0.1:{port}")
    _HTTP.routes = _routes(site)
    _HTTP.ignore_query = site.ignore_query
    _HTTP.stats = _Stats(set(site.html))
    del site
    gc.collect()
    gc.freeze()  # the routes live forever: keep the collector off them
    parent = os.getppid()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_HTTP, sock=sock, backlog=1024)
        print(f"PORT {port} {len(_HTTP.stats.html)}", flush=True)
        deadline = time.monotonic() + max_seconds
        async with server:
            while time.monotonic() < deadline and os.getppid() == parent:
                await asyncio.sleep(1.0)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())


class SiteServer:
    """Parent-side handle on the server child process: its URL, page count and counters."""

    def __init__(self, cmd: list[str], start_timeout: float = 300):
        """`cmd` starts a child that calls `serve`."""
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        line = self._readline(start_timeout)
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"site server did not start: {line!r}")
        _, port, pages = line.split()
        self.port = int(port)
        self.n_pages = int(pages)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.build_seconds = time.perf_counter() - t0

    def _readline(self, timeout: float) -> str:
        """The child's first line, or "" if it has none within `timeout` seconds."""
        out: list[str] = []
        stdout = self.proc.stdout
        assert stdout is not None
        th = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
        th.start()
        th.join(timeout)
        return out[0].strip() if out else ""

    def _get(self, path: str) -> Any:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        with opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
            return json.loads(r.read())

    def stats(self) -> dict[str, Any]:
        """The counters since the last reset (see _Stats.snapshot)."""
        return self._get(STATS_PATH)

    def pages(self) -> list[str]:
        """Every HTML page's URL."""
        return [self.url + target[1:] for target in self._get(PAGES_PATH)]

    def reset(self) -> None:
        """Zero the counters, before each tool run."""
        self._get(RESET_PATH)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
