"""A misbehaving HTTP server for tests: real sockets on 127.0.0.1, faults on chosen paths.

    with FaultServer({"/": html_page(links=["/slow/"]), "/slow/": Drip()}) as server:
        ... server.url ... server.wait_for("/slow/") ...

Routes map a path to a fault (Drip, Stall, GzipBomb) or to a plain answer (a
fixture_server Reply, or bytes/str served as HTML); a callable gets the path and returns
one of those, or None (404). A fault holds its connection until the client hangs up or the
server closes, in a thread of its own, so it blocks nothing else.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fixture_server import HTML, QuietHandler, Reply

_TICK = 0.05  # seconds between looks at whether the server is closing


@dataclass(frozen=True)
class Drip:
    """Headers at once, then one byte of body every `interval` seconds, forever (chunked:
    no length declared that a client could refuse up front). HEAD gets the headers alone."""

    status: int = 200
    interval: float = 0.5
    content_type: str = HTML


@dataclass(frozen=True)
class Stall:
    """Reads the request and never answers."""


@dataclass(frozen=True)
class GzipBomb:
    """A gzip-encoded answer that is small on the wire and `inflated` bytes decompressed."""

    inflated: int = 64 * 1024 * 1024
    content_type: str = HTML


Route = Drip | Stall | GzipBomb | Reply | bytes | str
Routes = Mapping[str, Route] | Callable[[str], Route | None]


@cache
def _bomb(inflated: int) -> bytes:
    """gzip of `inflated` spaces, compressed a block at a time (never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)  # 16: gzip framing
    block = b" " * (1 << 20)
    parts = [
        compressor.compress(block[: min(len(block), inflated - at)])
        for at in range(0, inflated, len(block))
    ]
    return b"".join(parts) + compressor.flush()


class FaultServer:
    """A ThreadingHTTPServer on 127.0.0.1 with an ephemeral port, run in a daemon thread."""

    def __init__(self, routes: Routes | None = None):
        self.routes: Routes = routes if routes is not None else {}
        self.hits: Counter[str] = Counter()  # path (query dropped) -> requests
        self.requests: list[tuple[str, str]] = []  # (method, path), in arrival order
        self.closing = threading.Event()
        self._arrived = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.origin + "/"

    def wait_for(self, path: str, timeout: float = 30) -> None:
        """Until `path` has been asked for; AssertionError after `timeout` seconds."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self.hits[path] > 0, timeout):
                raise AssertionError(f"{path} was not requested within {timeout} s")

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _route(self, path: str) -> Route | None:
        if callable(self.routes):
            return self.routes(path)
        return self.routes.get(path)

    def _record(self, method: str, path: str) -> None:
        with self._arrived:
            self.hits[path] += 1
            self.requests.append((method, path))
            self._arrived.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, send_body: bool) -> None:
                path = self.path.split("?", 1)[0]
                server._record(self.command, path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                route = server._route(path)
                try:
                    if isinstance(route, Drip):
                        self._drip(route, send_body)
                    elif isinstance(route, Stall):
                        server.closing.wait()
                    elif isinstance(route, GzipBomb):
                        body = _bomb(route.inflated)
                        headers = {"Content-Type": route.content_type, "Content-Encoding": "gzip"}
                        self._answer(200, headers, body, send_body)
                    else:
                        reply = _as_reply(route)
                        self._answer(reply.status, reply.headers, reply.body, send_body)
                except (ConnectionError, TimeoutError):
                    pass  # the client gave up: what a fault is for
                self.close_connection = True

            def _answer(
                self, status: int, headers: Mapping[str, str], body: bytes, send_body: bool
            ) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def _drip(self, drip: Drip, send_body: bool) -> None:
                self.send_response(drip.status)
                self.send_header("Content-Type", drip.content_type)
                self.send_header("Transfer-Encoding", "chunked")  # no length to refuse
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                while send_body and not server.closing.wait(drip.interval):
                    self.wfile.write(b"1\r\n \r\n")  # a chunk of one byte
                    self.wfile.flush()

        return Handler


def _as_reply(route: Reply | bytes | str | None) -> Reply:
    if route is None:
        return Reply(404, b"<h1>Not found</h1>")
    if isinstance(route, Reply):
        return route
    return Reply(200, route.encode() if isinstance(route, str) else route)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` until true; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(_TICK)
