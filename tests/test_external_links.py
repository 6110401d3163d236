"""External links are checked against real local servers: a second FixtureServer on another
port is "another website". The checker runs in-process (checks.external.check_external);
the last tests run `shoplint run` end to end, with and without --internal-only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixture_server import FixtureServer, PerMethod, Reply, closed_port, html_page

from checks.external import ExternalSettings, check_external
from ground.addresses import LOOPBACK, AddressPolicy
from ground.model import ExternalCheck, LinkVerdict
from store import SqliteStore

FAST = ExternalSettings(
    user_agent="shoplint-test",
    timeout=0.5,
    retries=1,
    backoff=0.05,
    per_host=2,
    recheck_ok_after=timedelta(days=7),
    addresses=AddressPolicy(inside=frozenset({LOOPBACK})),  # the partners are on 127.0.0.1
)
PAGE = html_page("<h1>Partner</h1>")


def in_turn(*replies: Reply) -> Callable[[], Reply]:
    """A route answering each request with the next reply, the last one from then on."""
    answers = iter(replies)
    last = replies[-1]

    def answer() -> Reply:
        nonlocal last
        last = next(answers, last)
        return last

    return answer


def serve(routes: dict[str, Reply | PerMethod | Callable[[], Reply]]) -> FixtureServer:
    """A server whose callable routes are asked for a fresh answer on every request."""

    def route(target: str) -> Reply | PerMethod | None:
        value = routes.get(target)
        return value() if callable(value) else value

    return FixtureServer(route)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    db = SqliteStore(str(tmp_path / "shoplint.db"))
    yield db
    db.close()


def check(store: SqliteStore, urls: list[str], settings: ExternalSettings = FAST, **kw):
    return check_external(urls, store, settings, **kw)


def verdicts(results: dict[str, ExternalCheck], origin: str) -> dict[str, tuple[str, str]]:
    return {
        url.removeprefix(origin): (result.verdict.value, result.reason)
        for url, result in results.items()
    }


def test_three_verdicts_ok_broken_inconclusive(store):
    refused = f"http://127.0.0.1:{closed_port()}/"
    with serve(
        {
            "/ok/": PAGE,
            "/gone/": Reply(404, b"weg"),
            "/removed/": Reply(410, b"weg"),
            "/error/": Reply(500, b"fout"),
            "/no-head/": PerMethod({"HEAD": Reply(405)}, PAGE),
            "/forbidden/": Reply(403, b"Access denied"),
            "/linkedin/": Reply(999),
            "/slow/": Reply(200, b"eindelijk", delay=2),
        }
    ) as partner:
        urls = [partner.origin + path for path in ("/ok/", "/gone/", "/removed/", "/error/")]
        urls += [partner.origin + p for p in ("/no-head/", "/forbidden/", "/linkedin/", "/slow/")]
        results = check(store, [*urls, refused])
    assert verdicts(results, partner.origin) == {
        "/ok/": ("ok", "ok"),
        "/gone/": ("broken", "not-found"),
        "/removed/": ("broken", "not-found"),
        "/error/": ("broken", "server-error"),
        "/no-head/": ("ok", "ok"),
        "/forbidden/": ("inconclusive", "blocked"),
        "/linkedin/": ("inconclusive", "blocked"),
        "/slow/": ("inconclusive", "timeout"),
        refused: ("broken", "refused"),
    }
    assert results[partner.origin + "/removed/"].status == 410


def test_head_first_and_get_only_when_head_is_refused(store):
    with serve({"/ok/": PAGE, "/no-head/": PerMethod({"HEAD": Reply(405)}, PAGE)}) as partner:
        check(store, [partner.origin + "/ok/", partner.origin + "/no-head/"])
    assert sorted(partner.requests) == [
        ("GET", "/no-head/"),
        ("HEAD", "/no-head/"),
        ("HEAD", "/ok/"),
    ]


def test_429_waits_as_long_as_retry_after_says_then_succeeds(store):
    busy = in_turn(Reply(429, b"", {"Retry-After": "1"}), PAGE)
    with serve({"/busy/": busy}) as partner:
        started = time.monotonic()
        results = check(store, [partner.origin + "/busy/"])
        waited = time.monotonic() - started
    assert results[partner.origin + "/busy/"].verdict is LinkVerdict.OK
    assert partner.hits["/busy/"] == 2
    assert waited >= 1.0  # the server's 1 s, not the 0.05 s backoff


def test_503_and_timeouts_are_retried_then_inconclusive_never_broken(store):
    with serve(
        {"/down/": Reply(503, b"onderhoud"), "/slow/": Reply(200, b"", delay=1.5)}
    ) as partner:
        results = check(store, [partner.origin + "/down/", partner.origin + "/slow/"])
    assert verdicts(results, partner.origin) == {
        "/down/": ("inconclusive", "unavailable"),
        "/slow/": ("inconclusive", "timeout"),
    }
    assert partner.hits["/slow/"] == FAST.retries + 1
    assert partner.hits["/down/"] == 2 * (FAST.retries + 1)  # HEAD, then GET to read it


def test_a_challenge_page_is_could_not_verify_and_not_retried(store):
    wall = Reply(503, b"<html><title>Just a moment...</title><p>Checking your browser</p>")
    with serve({"/wall/": wall}) as partner:
        results = check(store, [partner.origin + "/wall/"])
    result = results[partner.origin + "/wall/"]
    assert (result.verdict, result.reason, result.status) == (
        LinkVerdict.INCONCLUSIVE,
        "challenge",
        503,
    )
    assert partner.requests == [("HEAD", "/wall/"), ("GET", "/wall/")]


def test_tls_failure_is_broken(store):
    with serve({"/": PAGE}) as plain_http:
        url = f"https://127.0.0.1:{plain_http.port}/"
        result = check(store, [url])[url]
    assert (result.verdict, result.reason) == (LinkVerdict.BROKEN, "tls")


def test_requests_per_host_are_limited(store):
    slow = Reply(200, b"", delay=0.2)
    with serve({f"/p{i}/": slow for i in range(8)}) as partner:
        results = check(store, [f"{partner.origin}/p{i}/" for i in range(8)])
    assert all(r.verdict is LinkVerdict.OK for r in results.values())
    assert partner.peak_in_flight == FAST.per_host


def test_ok_results_are_cached_for_the_ttl_failures_rechecked_every_run(store):
    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    with serve({"/ok/": PAGE, "/gone/": Reply(404)}) as partner:
        urls = [partner.origin + "/ok/", partner.origin + "/gone/"]
        check(store, urls, now=start)
        assert (partner.hits["/ok/"], partner.hits["/gone/"]) == (1, 1)
        again = check(store, urls, now=start + timedelta(days=6))
        assert (partner.hits["/ok/"], partner.hits["/gone/"]) == (1, 2)
        assert again[urls[0]].checked_at == start.isoformat(timespec="seconds")
        check(store, urls, now=start + timedelta(days=8))
        assert (partner.hits["/ok/"], partner.hits["/gone/"]) == (2, 3)


# -- end to end: `shoplint run` -------------------------------------------------------------

EXTERNAL_OPTIONS = {"timeout": 0.5, "retries": 1, "backoff": 0.05}
CONFIG = {
    "crawl": {"autothrottle": False, "retries": 0},
    "checks": {"LNK008": {"options": EXTERNAL_OPTIONS}},
}


def _found(store) -> dict[str, tuple[str, str]]:
    return {
        f["target"]: (f["code"], f["severity"])
        for f in store.findings_json()["findings"]
        if f["check"] == "links"
    }


def test_run_checks_external_links_and_caches_them_across_runs(run_shoplint):
    refused = f"http://127.0.0.1:{closed_port()}/handleiding/"
    with serve(
        {
            "/ok/": PAGE,
            "/gone/": Reply(404),
            "/no-head/": PerMethod({"HEAD": Reply(405)}, PAGE),
            "/forbidden/": Reply(403, b"Access denied"),
            "/busy/": in_turn(Reply(429, b"", {"Retry-After": "1"}), PAGE),
            "/slow/": Reply(200, b"", delay=2),
        }
    ) as partner:
        paths = ("/ok/", "/gone/", "/no-head/", "/forbidden/", "/busy/", "/slow/")
        links = [partner.origin + path for path in paths] + [refused]
        with FixtureServer({"/": html_page(links=links, title="Home")}) as site:
            proc, store = run_shoplint(site.url, config=CONFIG)
            assert proc.returncode == 1, proc.stderr  # broken external links fail the gate
            first_hits = dict(partner.hits)
            proc, _ = run_shoplint(site.url, config=CONFIG)
            second_hits = dict(partner.hits)
    assert _found(store) == {
        partner.origin + "/gone/": ("LNK008", "error"),
        refused: ("LNK008", "error"),
        partner.origin + "/forbidden/": ("LNK009", "info"),
        partner.origin + "/slow/": ("LNK010", "warning"),
    }
    assert first_hits["/busy/"] == 2
    # second run: the OK results come from the cache, the others are asked again
    for path in ("/ok/", "/no-head/", "/busy/"):
        assert second_hits[path] == first_hits[path], path
    for path in ("/gone/", "/forbidden/", "/slow/"):
        assert second_hits[path] > first_hits[path], path


def test_internal_only_lists_external_links_without_a_request(run_shoplint):
    with serve({"/ok/": PAGE, "/gone/": Reply(404)}) as partner:
        links = [partner.origin + "/ok/", partner.origin + "/gone/"]
        with FixtureServer({"/": html_page(links=links, title="Home")}) as site:
            proc, store = run_shoplint(site.url, "--internal-only", config=CONFIG)
    assert proc.returncode == 0, proc.stderr
    assert not partner.requests
    assert _found(store) == {url: ("LNK009", "info") for url in links}
    messages = {f["message"] for f in store.findings_json()["findings"] if f["check"] == "links"}
    assert messages == {"External link not checked (internal-only run)"}
