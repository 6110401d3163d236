"""Retry-After is honoured on 429 and 503, by the crawl (crawler/politeness.py) and by the
external-link checks, up to a configurable wait; an address that keeps answering 429 is
reported (PAG013 on the site, LNK009 elsewhere), never silently dropped. A crawl stopped
while it waits does not wait on."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CRAWLED, StoreReader, subprocess_env
from fixture_server import FixtureServer, Reply, html_page
from test_external_links import FAST, check, in_turn, serve

from ground.model import LinkVerdict
from ground.retry_after import retry_after_seconds
from store import SqliteStore


def busy(seconds: str) -> Reply:
    return Reply(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": seconds})


class Timed(FixtureServer):
    """A fixture server that notes when each request for a path arrived."""

    def __init__(self, routes):
        super().__init__(routes)
        self.arrivals: dict[str, list[float]] = {}

    def _record(self, method: str, target: str) -> None:
        self.arrivals.setdefault(target, []).append(time.monotonic())
        super()._record(method, target)


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Fri, 01 May 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 01 May 2026 11:00:00 GMT", now) == 0.0  # past: at once
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("-5") is None


CRAWL = {"autothrottle": False, "retries": 2, "max_retry_after": 5}


def test_the_crawl_waits_as_long_as_retry_after_says(run_shoplint):
    acties = in_turn(busy("1"), html_page("<h1>Acties</h1>"))
    with Timed(_fresh({"/": lambda: html_page(links=["/acties/"]), "/acties/": acties})) as site:
        proc, store = run_shoplint(site.url, config={"crawl": CRAWL})
    assert proc.returncode in CRAWLED, proc.stderr
    first, second = site.arrivals["/acties/"]
    assert second - first >= 1.0  # the shop's second, not Scrapy's immediate retry
    assert store.fetches()[site.origin + "/acties/"]["status"] == 200
    assert store.run()["counters"]["retry_after_waited"] == 1
    assert not [f for f in store.findings_json()["findings"] if f["code"] == "PAG013"]


def test_a_wait_longer_than_the_limit_is_not_waited_for_and_the_429_is_reported(
    run_shoplint,
):
    with FixtureServer({"/": html_page(links=["/acties/"]), "/acties/": busy("120")}) as site:
        started = time.monotonic()
        proc, store = run_shoplint(site.url, config={"crawl": CRAWL})
        took = time.monotonic() - started
    assert proc.returncode in CRAWLED, proc.stderr
    assert site.hits["/acties/"] == 1 and took < 30
    assert store.fetches()[site.origin + "/acties/"]["status"] == 429
    assert store.run()["counters"]["retry_after_too_long"] == 1
    (finding,) = [f for f in store.findings_json()["findings"] if f["code"] == "PAG013"]
    assert finding["url"] == site.origin + "/acties/"
    assert finding["evidence"] == "HTTP 429 Too Many Requests on every attempt; linked from /"


def test_a_page_that_keeps_answering_429_is_asked_each_retry_then_reported(run_shoplint):
    with FixtureServer({"/": html_page(links=["/acties/"]), "/acties/": busy("0")}) as site:
        proc, store = run_shoplint(site.url, config={"crawl": CRAWL})
    assert proc.returncode in CRAWLED, proc.stderr
    assert site.hits["/acties/"] == CRAWL["retries"] + 1
    codes = [(f["code"], f["url"]) for f in store.findings_json()["findings"]]
    assert ("PAG013", site.origin + "/acties/") in codes
    assert not [code for code, _ in codes if code.startswith("LNK")]  # not called broken


def test_sigterm_during_a_retry_after_wait_stops_the_run_at_once(tmp_path: Path, run_args):
    store = StoreReader(tmp_path / "shoplint.db", tmp_path / "report")
    config = {"crawl": {**CRAWL, "max_retry_after": 60}}
    routes = {"/": html_page(links=["/acties/"]), "/acties/": busy("50")}
    with FixtureServer(routes) as site:
        proc = subprocess.Popen(
            run_args(site.url, config=config, store=store),
            cwd=tmp_path,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for(lambda: site.hits["/acties/"] >= 1, proc)
            time.sleep(0.3)  # into the wait
            stopped = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
            took = time.monotonic() - stopped
        finally:
            proc.kill()
    assert took < 10, stderr
    assert site.hits["/acties/"] == 1
    assert store.run()["status"] == "interrupted"
    assert (store.out / "findings.json").exists()


# -- the external-link checks ----------------------------------------------------------------


def test_an_external_retry_after_beyond_the_limit_is_not_waited_for(tmp_path: Path):
    db = SqliteStore(str(tmp_path / "shoplint.db"))
    settings = type(FAST)(**{**FAST.__dict__, "retries": 2, "max_retry_after": 5})
    with serve({"/busy/": lambda: busy("3600"), "/soon/": lambda: busy("0")}) as partner:
        started = time.monotonic()
        results = check(db, [partner.origin + "/busy/", partner.origin + "/soon/"], settings)
        took = time.monotonic() - started
    db.close()
    assert took < 5
    for path in ("/busy/", "/soon/"):
        result = results[partner.origin + path]
        assert (result.verdict, result.reason, result.status) == (
            LinkVerdict.INCONCLUSIVE,
            "rate-limited",
            429,
        )
    assert partner.hits["/busy/"] == 1  # asked once: an hour is not waited for
    assert partner.hits["/soon/"] == settings.retries + 1


def test_an_external_site_that_keeps_answering_429_is_lnk009(run_shoplint):
    with serve({"/busy/": lambda: busy("0")}) as partner:
        page = html_page(links=[partner.origin + "/busy/"])
        with FixtureServer({"/": page}) as site:
            config = {
                "crawl": {"autothrottle": False, "retries": 0},
                "checks": {"LNK008": {"options": {"timeout": 2, "retries": 1, "backoff": 0.05}}},
            }
            proc, store = run_shoplint(site.url, config=config)
    assert proc.returncode in CRAWLED, proc.stderr
    (finding,) = [f for f in store.findings_json()["findings"] if f["check"] == "links"]
    assert (finding["code"], finding["target"]) == ("LNK009", partner.origin + "/busy/")
    assert "rate-limited (429 Too Many Requests)" in finding["message"]


def _fresh(routes: dict[str, Callable[[], Reply]]) -> Callable[[str], Reply | None]:
    """Routes asked for a fresh answer on every request."""

    def route(target: str) -> Reply | None:
        answer = routes.get(target)
        return answer() if answer else None

    return route


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gave up waiting (exit {proc.poll()})")
        time.sleep(0.05)
