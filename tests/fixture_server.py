"""A small purpose-built HTTP server for tests: real sockets on 127.0.0.1, no mocks.

    with FixtureServer({"/": html_page(links=["/a/"]), "/a/": html_page("A")}) as site:
        ... site.url ... site.hits["/a/"] ...

Routes map a path, or a path with its query, to a `Reply` (or bytes/str, served as HTML);
a callable route table gets the request target ("/path?query") and returns a Reply or None
(404). Every request is counted, so a test can assert something was never fetched. Each
request runs in its own thread, so a slow route (`Reply(delay=...)`) blocks nothing else.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": HTML})
    delay: float = 0.0  # seconds to sleep before answering


@dataclass(frozen=True)
class PerMethod:
    """Answers that differ by request method, e.g. a server that refuses HEAD:
    `PerMethod({"HEAD": Reply(405)}, page)`; methods not named get `default`."""

    replies: Mapping[str, Reply | bytes | str]
    default: Reply | bytes | str = b""


RouteValue = Reply | PerMethod | bytes | str
Routes = Mapping[str, RouteValue] | Callable[[str], RouteValue | None]


def html_page(
    body: str = "",
    *,
    title: str = "Page",
    links: Iterable[str] = (),
    head: str = "",
    status: int = 200,
    lang: str = "en",
) -> Reply:
    """An HTML page: `body` markup plus one <a> per link (the link is its own text)."""
    anchors = "".join(f'<a href="{escape(href)}">{escape(href)}</a>\n' for href in links)
    document = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><title>{escape(title)}</title>{head}</head>'
        f"\n<body>\n{body}\n{anchors}</body></html>\n"
    )
    return Reply(status, document.encode())


def never_yielding(page: Reply) -> Reply:
    """`page` with a script that loops for ever once the page has loaded: a browser can
    no longer read it."""
    script = b"<script>setTimeout(() => { for (;;) {} }, 50);</script></body>"
    return replace(page, body=page.body.replace(b"</body>", script))


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, b"", {"Location": location, "Content-Type": HTML})


def resource(body: bytes, content_type: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, body, {"Content-Type": content_type, **headers})


def _as_reply(value: RouteValue, method: str) -> Reply:
    if isinstance(value, PerMethod):
        value = value.replies.get(method, value.default)
    if isinstance(value, Reply):
        return value
    if isinstance(value, str):
        value = value.encode()
    return Reply(200, value)


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # listen backlog: the default 5 overflows, stalling 1 s a SYN
    daemon_threads = True  # a slow route's sleeping thread never holds up shutdown

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up (timeouts, cancelled downloads) is expected, not noise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHandler(BaseHTTPRequestHandler):
    """A test server's handler: GET, HEAD and POST go to `_serve(send_body)`, and nothing
    is logged (test output stays clean)."""

    def _serve(self, send_body: bool) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def do_POST(self) -> None:  # noqa: N802
        self._serve(send_body=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class FixtureServer:
    """A ThreadingHTTPServer on 127.0.0.1 with an ephemeral port, run in a daemon thread."""

    def __init__(self, routes: Routes | None = None):
        self.routes: Routes = routes if routes is not None else {}
        self.hits: Counter[str] = Counter()  # request target ("/path?query") -> count
        self.requests: list[tuple[str, str]] = []  # (method, target), in arrival order
        self.in_flight = 0  # requests being answered right now
        self.peak_in_flight = 0  # the most answered at once: what concurrency really was
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The start URL: the site's home page."""
        return self.origin + "/"

    def hits_on_path(self, path: str) -> int:
        """Requests for `path` whatever their query string."""
        return sum(n for target, n in self.hits.items() if urlsplit(target).path == path)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply(self, target: str, method: str) -> Reply | None:
        if callable(self.routes):
            value = self.routes(target)
        else:
            value = self.routes.get(target)
            if value is None:
                value = self.routes.get(urlsplit(target).path)
        return None if value is None else _as_reply(value, method)

    def _record(self, method: str, target: str) -> None:
        with self._lock:
            self.hits[target] += 1
            self.requests.append((method, target))
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no ACK waits

            def _serve(self, send_body: bool) -> None:
                server._record(self.command, self.path)
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    if length:
                        self.rfile.read(length)
                    reply = server._reply(self.path, self.command)
                    reply = reply or Reply(404, b"<h1>Not found</h1>")
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    # before the answer leaves: a client that got it may ask again at once
                    server._done()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if send_body:
                        self.wfile.write(reply.body)
                except ConnectionError:
                    self.close_connection = True  # the client gave up (timeout): fine

        return Handler


_HELD_PORTS: list[socket.socket] = []


def closed_port() -> int:
    """A loopback port nothing listens on: connection refused.

    The socket stays bound (never listening) for the rest of the test session, so no
    server started later (PostgreSQL, Redis, another fixture) can be given the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(sock)
    return sock.getsockname()[1]
