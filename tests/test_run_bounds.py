"""A nightly run always ends and always reports (issue 12, items 1-4): SIGTERM and the time
limits stop it in every phase within seconds, stored as interrupted and reported; an error
nobody expected exits 3, never 1; a checkout page that drips or inflates to a bomb is a
failed step, not a hang; and a killed run leaves no check worker behind."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from checkout_shop import walk
from conftest import RUN_TIMEOUT, StoreReader, subprocess_env
from fault_server import Drip, FaultServer, GzipBomb, Stall, wait_until
from fixture_server import HTML, Reply, html_page
from processes import living_children

from checks.checkout.bodies import Body, BodyProblem
from shoplint.bounds import Bounds, RunStopped
from shoplint.config import RunConfig
from store import open_store

QUICK = {"retries": 0, "autothrottle": False, "check_workers": 0}  # no waiting between tries
STOP_WITHIN = 5.0  # seconds from SIGTERM to a stored, reported run (the bound)


def _started(command: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ended(proc: subprocess.Popen[str], timeout: float) -> tuple[int, str, float]:
    """(exit code, output, seconds it took) of a process expected to end within `timeout`."""
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running after {timeout} s:\n{out}\n{err}") from None
    return proc.returncode, out + err, time.monotonic() - started


def _assert_interrupted(store: StoreReader, code: int, output: str, reason: str) -> None:
    assert code == 3, output
    assert reason in output, output
    assert store.run()["status"] == "interrupted"
    assert store.findings_json()["run"]["status"] == "interrupted"  # the report was written
    assert (store.out / "index.html").is_file()


# -- the checkout walk: a wall-clock limit per request, and a size cap ----------------------


@pytest.mark.timeout(30)
def test_a_checkout_step_that_drips_forever_fails_within_its_timeout():
    """httpx's timeout bounds each read: a byte every half second never trips it."""
    routes = {"/product/": html_page("A bike"), "/cart/": Drip(interval=0.3)}
    with FaultServer(routes) as shop:
        flow = {"start": "/product/", "timeout": 2, "steps": [{"name": "cart", "get": "/cart/"}]}
        started = time.monotonic()
        (result,) = walk(shop.url, flow)
        took = time.monotonic() - started
    assert took < 4
    (failed,) = [f for f in result.findings if f.code == "CHK001"]
    assert failed.message == "Checkout step 'cart' failed: no complete answer within 2 s"
    assert failed.evidence == "GET /cart/ 200"  # the headers came, the body never ended


@pytest.mark.timeout(30)
def test_a_gzip_bomb_on_a_checkout_step_is_a_failed_step_not_a_memory_error():
    """64 KB on the wire, 64 MB inflated: the crawl's size cap holds, decompressed."""
    page = gzip.compress(html_page("<p>Your cart</p>").body)
    routes = {
        "/product/": html_page("A bike"),
        "/cart/": Reply(200, page, {"Content-Type": HTML, "Content-Encoding": "gzip"}),
        "/checkout/": GzipBomb(inflated=64 * 1024 * 1024),
    }
    steps = [
        {"name": "cart", "get": "/cart/", "expect": {"contains": "Your cart"}},
        {"name": "checkout", "get": "/checkout/"},
    ]
    with FaultServer(routes) as shop:
        (result,) = walk(
            shop.url, {"start": "/product/", "steps": steps}, crawl={"max_response_bytes": 2**20}
        )
    assert [s.status.value for s in result.outcome.steps] == ["passed", "passed", "failed"]
    (failed,) = [f for f in result.findings if f.code == "CHK001"]
    assert failed.message == (
        "Checkout step 'checkout' failed: the answer is larger than 1,048,576 bytes (decompressed)"
    )
    assert failed.evidence == "GET /checkout/ 200"


def test_bodies_are_inflated_as_browsers_do_and_refused_past_the_cap():
    text = b"<p>hello</p>" * 100
    for encoded, coding in [
        (gzip.compress(text), "gzip"),
        (zlib.compress(text), "deflate"),
        (zlib.compress(text)[2:-4], "deflate"),  # raw deflate, without the zlib header
        (text, ""),
        (text, "identity"),
    ]:
        body = Body(coding, 10_000)
        for at in range(0, len(encoded), 7):  # in the pieces the network hands over
            body.feed(encoded[at : at + 7])
        assert body.done() == text, coding
    with pytest.raises(BodyProblem, match="larger than 1,000 bytes"):
        Body("gzip", 1000).feed(gzip.compress(text))
    with pytest.raises(BodyProblem, match="'br', not asked for"):
        Body("br", 1000)
    with pytest.raises(BodyProblem, match="'gzip, gzip', not asked for"):
        Body("gzip, gzip", 1000)  # each layer could inflate a thousandfold
    with pytest.raises(BodyProblem, match="damaged"):
        body = Body("gzip", 10_000)
        body.feed(gzip.compress(text)[:30] + b"\x00" * 30)


# -- the run's bounds, in-process ------------------------------------------------------------


def test_a_phase_that_raises_hands_its_error_to_the_run_memory_error_too():
    bounds = Bounds(RunConfig())

    def bomb() -> None:
        raise MemoryError

    with pytest.raises(MemoryError):
        bounds.phase("the checkout walk", "checkout_minutes", bomb)
    assert bounds.phase("the site rules", "site_rules_minutes", lambda: 42) == 42
    assert not bounds.abandoned


def test_a_phase_past_its_limit_is_abandoned_and_the_limit_named():
    bounds = Bounds(RunConfig(site_rules_minutes=0.01))  # 0.6 s
    started = time.monotonic()
    with pytest.raises(RunStopped) as stopped:
        bounds.phase("the site rules", "site_rules_minutes", lambda: time.sleep(60))
    assert 0.5 < time.monotonic() - started < 2
    assert str(stopped.value) == "run.site_rules_minutes (0.01 min) reached during the site rules"
    assert bounds.abandoned
    whole = Bounds(RunConfig(max_minutes=0.01, checkout_minutes=None))
    with pytest.raises(RunStopped, match=r"^run.max_minutes \(0.01 min\) reached during the"):
        whole.phase("the checkout walk", "checkout_minutes", lambda: time.sleep(60))


def test_sigterm_stops_a_phase_at_once_and_a_second_one_is_not_caught():
    bounds = Bounds(RunConfig())
    before = signal.getsignal(signal.SIGTERM)
    with bounds.signals():
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()
        started = time.monotonic()
        with pytest.raises(RunStopped, match="^stopped by SIGTERM during the site rules$"):
            bounds.phase("the site rules", "site_rules_minutes", lambda: time.sleep(60))
        assert time.monotonic() - started < 1
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # a second one kills
    assert signal.getsignal(signal.SIGTERM) is before


# -- whole runs ------------------------------------------------------------------------------


def _site_linking(*links: str) -> dict[str, Reply]:
    return {"/": html_page("<p>Welcome to the shop.</p>", links=links), "/robots.txt": b""}


@pytest.mark.parametrize("phase", ["site rules", "checkout walk"])
def test_sigterm_after_the_crawl_stops_the_run_within_seconds(
    phase, tmp_path, run_args, store_reader
):
    """The external link (a 503 whose body drips) or the checkout step (a page that drips)
    hangs; SIGTERM arrives while it does."""
    external = phase == "site rules"
    with FaultServer({"/partner/": Drip(status=503)}) as partner, FaultServer() as shop:
        shop.routes = _site_linking(partner.origin + "/partner/" if external else "/p/")
        shop.routes |= {"/p/": html_page("A bike"), "/slow-cart/": Drip()}
        walk_to_cart = {"name": "cart", "get": "/slow-cart/"}
        config = {
            "crawl": {**QUICK, "internal_only": not external},
            "checkout": {"start": "/p/", "timeout": 600, "steps": [walk_to_cart]},
        }
        proc = _started(run_args(shop.url, config=config), tmp_path)
        hanging = partner if external else shop
        wait_until(
            lambda: (
                ("GET", "/partner/" if external else "/slow-cart/") in hanging.requests
                or proc.poll() is not None
            ),
            30,
            "the hanging request",
        )
        proc.send_signal(signal.SIGTERM)
        code, output, took = _ended(proc, RUN_TIMEOUT)
    assert took < STOP_WITHIN, output
    _assert_interrupted(store_reader, code, output, f"stopped by SIGTERM during the {phase}")
    assert "--resume continues it" in output


def test_a_phase_limit_interrupts_the_run_and_names_the_limit(tmp_path, run_shoplint):
    with FaultServer({"/partner/": Drip(status=503)}) as partner, FaultServer() as shop:
        shop.routes = _site_linking(partner.origin + "/partner/")
        config = {"crawl": QUICK, "run": {"site_rules_minutes": 0.05}}
        started = time.monotonic()
        proc, store = run_shoplint(shop.url, config=config)
        took = time.monotonic() - started
    output = proc.stdout + proc.stderr
    _assert_interrupted(
        store,
        proc.returncode,
        output,
        "run.site_rules_minutes (0.05 min) reached during the site rules",
    )
    assert took < 3 + 10, output  # the limit, plus starting Python and the crawl


def test_a_shop_whose_every_answer_drips_forever_ends_at_max_minutes_with_a_report(
    run_shoplint,
):
    with FaultServer(lambda path: Drip()) as shop:
        config = {"crawl": {**QUICK, "internal_only": True}, "run": {"max_minutes": 0.05}}
        started = time.monotonic()
        proc, store = run_shoplint(shop.url, config=config)
        took = time.monotonic() - started
    output = proc.stdout + proc.stderr
    _assert_interrupted(
        store, proc.returncode, output, "run.max_minutes (0.05 min) reached during the crawl"
    )
    assert took < 3 + 2 * 2 + 5, output  # the limit, the grace twice at most, start-up


def test_sigterm_during_the_crawl_abandons_requests_in_flight(tmp_path, run_args, store_reader):
    """Scrapy's own close would wait for the stalled pages' 20 s download timeout."""
    stalled = [f"/stalled/{n}/" for n in range(4)]
    site = {**_site_linking(*stalled), **dict.fromkeys(stalled, Stall())}
    with FaultServer(site) as shop:
        config = {"crawl": {**QUICK, "internal_only": True, "concurrency": 4}}
        proc = _started(run_args(shop.url, config=config), tmp_path)
        wait_until(lambda: all(shop.hits[p] for p in stalled), 30, "the stalled pages asked")
        proc.send_signal(signal.SIGTERM)
        code, output, took = _ended(proc, RUN_TIMEOUT)
    assert took < STOP_WITHIN, output
    _assert_interrupted(store_reader, code, output, "stopped by SIGTERM during the crawl")
    fetched = store_reader.fetches()
    assert not any(shop.origin + p in fetched for p in stalled)  # --resume fetches them
    assert store_reader.run()["counters"]["abandoned"] == len(stalled)


_HANGING_CHECKS = """
import asyncio, json, os, sys, time
from crawler.config import CrawlConfig, SiteConfig
from crawler.process import crawl
from store import open_store

class HangingChecks:  # a page check that never returns: the crawl's close waits for it
    active = True
    def open(self): pass
    async def checked(self, *page): await asyncio.sleep(3600)
    def close(self): pass

url, db = sys.argv[1:]
store = open_store(db)
run_id = store.begin_run(url, "-", "2026-05-01")
store.close()
config, checks = CrawlConfig(autothrottle=False, retries=0), HangingChecks()
started = time.monotonic()
result = crawl(config, SiteConfig(), url, db, run_id, checks, stop_at=started + 1, grace=0.5)
print(json.dumps([result.finish_reason, result.halted, time.monotonic() - started]))
sys.stdout.flush()
os._exit(0)  # as the command line does: the reactor's threads were left running
"""


def test_a_crawl_whose_close_hangs_is_halted_after_the_grace(tmp_path):
    """The last resort: after the requests were abandoned, the close gets another grace."""
    with FaultServer(_site_linking("/a/") | {"/a/": html_page("A")}) as shop:
        proc = subprocess.run(
            [sys.executable, "-c", _HANGING_CHECKS, shop.url, str(tmp_path / "s.db")],
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    assert proc.returncode == 0, proc.stderr
    reason, halted, took = json.loads(proc.stdout)
    assert (reason, halted) == ("time-limit", True)
    assert took < 1 + 3 * 0.5 + 1  # the limit, the grace twice, a little more
    assert "still closing 0.5 s after abandoning its requests" in proc.stderr


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_of_the_run_leaves_no_check_worker_behind(tmp_path, run_args):
    with FaultServer(_site_linking("/slow/") | {"/slow/": Drip()}) as shop:
        config = {"crawl": {**QUICK, "internal_only": True, "check_workers": 1}}
        proc = _started(run_args(shop.url, config=config), tmp_path)
        try:
            shop.wait_for("/slow/")
            (worker,) = living_children(proc.pid)
            proc.kill()
            proc.wait(timeout=10)
            wait_until(lambda: not _alive(worker), 3, "the worker's end")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def test_an_unexpected_error_exits_3_after_storing_the_run_as_failed(run_shoplint, store_reader):
    """A store that refuses a write midway (as a full disk would): the site rules' cache of
    external answers cannot be saved."""
    open_store(str(store_reader.db)).close()
    with sqlite3.connect(store_reader.db) as db:
        db.execute(
            "CREATE TRIGGER full_disk BEFORE INSERT ON external_checks"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    with FaultServer({"/partner/": html_page("Partner")}) as partner, FaultServer() as shop:
        shop.routes = _site_linking(partner.origin + "/partner/")
        proc, store = run_shoplint(shop.url, config={"crawl": QUICK})
    assert proc.returncode == 3, proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("shoplint:")]
    assert "Traceback" not in proc.stderr
    assert line.startswith(
        "shoplint: unexpected error during the site rules:"
        " IntegrityError: database or disk is full (traceback in "
    )
    assert store.run()["status"] == "failed"
    assert store.findings_json()["run"]["status"] == "failed"
    assert "IntegrityError" in (store.out / "traceback.txt").read_text()
