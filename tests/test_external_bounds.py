"""The external-link checks are bounded whatever the other site does: an answer dripping a
byte at a time holds an attempt no longer than its timeout, a redirect's body is never
read, and a compressed answer is never inflated past what is read of it."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fixture_server import FixtureServer, html_page
from test_external_links import FAST

from checks.external import check_external
from ground.model import LinkVerdict
from store import SqliteStore

SETTINGS = replace(FAST, timeout=1.0, retries=1, backoff=0.05)


class DripServer:
    """A raw HTTP server on 127.0.0.1: each path answers its head at once, then its body
    `step` bytes every `interval` seconds until the client hangs up or the body ends."""

    def __init__(self, answers: dict[str, tuple[bytes, bytes]], step: int = 1, interval=0.25):
        self.answers = answers  # path -> (status line and headers, body)
        self.step, self.interval = step, interval
        self.requests: list[str] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> DripServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536).decode("latin-1")
            method, path = request.split(" ")[:2]
            self.requests.append(f"{method} {path}")
            head, body = self.answers[path]
            try:
                conn.sendall(head + b"\r\n")
                if method == "HEAD":
                    return
                for start in range(0, len(body), self.step):
                    if self._stop.is_set():
                        return
                    conn.sendall(body[start : start + self.step])
                    time.sleep(self.interval)
            except OSError:
                return  # the client hung up: what a bounded check does


def head(status: str, length: int, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {length}", "Connection: close", *headers]
    return "".join(f"{line}\r\n" for line in lines).encode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    db = SqliteStore(str(tmp_path / "shoplint.db"))
    yield db
    db.close()


def test_a_503_dripping_its_body_holds_each_attempt_no_longer_than_the_timeout(store):
    body = b"x" * 100_000  # at 4 bytes a second: seven hours
    with DripServer({"/down/": (head("503 Service Unavailable", len(body)), body)}) as drip:
        url = drip.origin + "/down/"
        started = time.monotonic()
        result = check_external([url], store, SETTINGS)[url]
        took = time.monotonic() - started
    assert (result.verdict, result.reason) == (LinkVerdict.INCONCLUSIVE, "timeout")
    attempts = SETTINGS.retries + 1
    assert took < attempts * SETTINGS.timeout + 1.5
    assert drip.requests.count("GET /down/") == attempts  # HEAD, then GET to read the answer


def test_a_redirect_body_is_never_read(store):
    body = b"x" * 100_000
    with FixtureServer({"/ok/": html_page("<h1>Partner</h1>")}) as partner:
        location = f"Location: {partner.origin}/ok/"
        moved = head("302 Found", len(body), location)
        with DripServer({"/old/": (moved, body)}) as drip:
            url = drip.origin + "/old/"
            started = time.monotonic()
            result = check_external([url], store, replace(SETTINGS, timeout=5.0))[url]
            took = time.monotonic() - started
    assert result.verdict is LinkVerdict.OK
    assert took < 2  # the drip was not waited for
    assert partner.requests == [("HEAD", "/ok/")]


def test_a_compressed_answer_is_read_no_further_than_16_kb(store):
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # 200 MB inflated
    answer = head(
        "503 Service Unavailable", len(bomb), "Content-Encoding: gzip", "Content-Type: text/html"
    )
    with DripServer({"/bomb/": (answer, bomb)}, step=65536, interval=0) as server:
        url = server.origin + "/bomb/"
        tracemalloc.start()
        try:
            result = check_external([url], store, replace(SETTINGS, retries=0))[url]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (result.verdict, result.reason, result.status) == (
        LinkVerdict.INCONCLUSIVE,
        "unavailable",
        503,
    )
    assert peak < 8_000_000  # bytes: one network read inflated whole would be 60 MB
