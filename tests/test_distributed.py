"""A crawl shared over a real Redis: a coordinator (`run --frontier`) and `shoplint worker`s,
each a process of its own, against real local sites. The store is a SQLite file (the same
machine), and for the demo shop a real PostgreSQL, as a crawl over many machines keeps it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import (
    CRAWLED,
    RUN_TIMEOUT,
    TODAY,
    StoreReader,
    report_of,
    run_to_end,
    shoplint_command,
    shoplint_in,
    stable_findings,
    subprocess_env,
)
from fault_server import wait_until
from fixture_server import FixtureServer, Reply, html_page
from redis import StrictRedis
from services import Redis, wait_until_connected

from shoplint.demo import DemoShop

pytestmark = pytest.mark.timeout(240)


class SharedRun:
    """A coordinator and its workers, started from `tmp`."""

    def __init__(self, tmp: Path, redis: Redis, db: str | Path):
        self.tmp = tmp
        self.redis = redis
        self.db = str(db)
        self.out = tmp / "report"
        self.workers: list[subprocess.Popen[str]] = []

    def start_workers(self, count: int) -> None:
        """Starts `count` workers and returns once each has reached Redis (it then waits for
        the coordinator's announcement): on a loaded machine a coordinator started at once
        could crawl a small site alone before a worker has finished importing."""
        for _ in range(count):
            self.workers.append(
                subprocess.Popen(
                    shoplint_command("worker", self.redis.url, "--db", self.db, "--wait", "60"),
                    cwd=self.tmp,
                    env=subprocess_env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        client = StrictRedis.from_url(self.redis.url)
        wait_until_connected(client, self.workers, 60)
        client.close()

    def coordinator(self, url: str, *args: str, config: dict[str, Any] | None = None) -> list[str]:
        extra: list[str] = []
        if config is not None:
            path = self.tmp / "shoplint-test.yml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            extra = ["--config", str(path)]
        return shoplint_command(
            "run", url, "--db", self.db, "--out", str(self.out), "--frontier", self.redis.url,
            *extra, *args,
        )  # fmt: skip

    def start_coordinator(
        self, site: FixtureServer, pages_fetched: int, concurrency: int
    ) -> subprocess.Popen[str]:
        """A coordinator of a crawl of `site`, returned once `pages_fetched` of its /p/
        pages have been fetched (by any process)."""
        coordinator = subprocess.Popen(
            self.coordinator(site.url, config={"crawl": {"concurrency": concurrency}}),
            cwd=self.tmp,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(
            lambda: sum(n for t, n in site.hits.items() if t.startswith("/p/")) >= pages_fetched,
            60,
            f"{pages_fetched} pages fetched",
        )
        return coordinator

    def run(self, url: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return run_to_end(self.coordinator(url, *args, **kw), self.tmp)

    def workers_done(self) -> list[tuple[int, str]]:
        """Each worker's exit code and output, once it has ended."""
        return [(w.wait(60), w.communicate()[0]) for w in self.workers]

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@pytest.fixture
def shared(tmp_path: Path, redis: Redis):
    run = SharedRun(tmp_path, redis, tmp_path / "shoplint.db")
    yield run
    run.stop_all()


def _site(pages: int, delay: float = 0.0, links: int = 6) -> dict[str, Reply]:
    """A home page and `pages` pages, each linking to a few others (a web, not a chain)."""
    routes = {"/": html_page("Home", links=[f"/p/{i}/" for i in range(0, pages, 7)])}
    for i in range(pages):
        targets = [f"/p/{(i * 3 + k) % pages}/" for k in range(1, links + 1)]
        page = html_page(f"Page {i}", title=f"Page {i}", links=targets)
        routes[f"/p/{i}/"] = Reply(page.status, page.body, page.headers, delay)
    routes["/robots.txt"] = Reply(
        200, b"User-agent: *\nDisallow: /niet/\n", {"Content-Type": "text/plain"}
    )
    return routes


def _pages_of(worker_output: str) -> int:
    """The pages a worker says it fetched ("worker: 12 pages, ...")."""
    return int(worker_output.split("worker: ")[-1].split(" pages")[0])


def _page_fetches(store: StoreReader) -> dict[str, dict[str, Any]]:
    return {url: row for url, row in store.fetches().items() if "/p/" in url}


def test_coordinator_and_two_workers_share_the_crawl_each_page_once(shared: SharedRun):
    with FixtureServer(_site(90, delay=0.1)) as site:
        shared.start_workers(2)
        proc = shared.run(site.url, config={"crawl": {"concurrency": 3}})
        workers = shared.workers_done()
    assert proc.returncode in CRAWLED, proc.stderr
    store = StoreReader(Path(shared.db), shared.out)
    pages = _page_fetches(store)
    assert len(pages) == 90
    assert all(row["status"] == 200 for row in pages.values())
    # every process fetched some of it, none fetched a page twice, robots.txt once for all
    for code, output in workers:
        assert code == 0, output
        assert "(finished)" in output
    worker_pages = [_pages_of(output) for _, output in workers]
    assert all(n > 0 for n in worker_pages), worker_pages
    assert all(site.hits[f"/p/{i}/"] == 1 for i in range(90))
    assert site.hits["/robots.txt"] == 1
    # the per-host limit holds across the three processes together
    assert site.peak_in_flight <= 3
    assert store.run()["counters"]["pages"] == 91  # the home page too, counted by everyone


def test_the_demo_shop_shared_by_three_processes_on_postgresql_finds_what_one_does(
    tmp_path: Path, redis: Redis, pg_url: str
):
    """SQLite and one process, against PostgreSQL with a coordinator and two workers. The
    workers fetch (--no-crawl): a coordinator that fetches too can crawl the small demo
    alone before a worker on a loaded machine has joined (the first test covers that)."""
    shared = SharedRun(tmp_path, redis, pg_url)
    try:
        with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
            alone = shoplint_in(
                tmp_path, "run", shop.url, "--internal-only", "--db", str(tmp_path / "alone.db"),
                "--out", str(tmp_path / "alone"),
            )  # fmt: skip
            shared.start_workers(2)
            together = shared.run(shop.url, "--internal-only", "--no-crawl")
            workers = shared.workers_done()
    finally:
        shared.stop_all()
    assert alone.returncode in CRAWLED, alone.stderr
    assert together.returncode in CRAWLED, together.stderr
    assert all(code == 0 for code, _ in workers), workers
    assert sum(_pages_of(output) for _, output in workers) > 0  # they took part
    assert stable_findings(report_of(shared.out)) == stable_findings(report_of(tmp_path / "alone"))


def test_query_variants_are_capped_across_workers(shared: SharedRun):
    """Every page links to 40 sort orders of the list: together the processes admit 5."""

    def routes(target: str) -> Reply | None:
        links = [f"/lijst/?sort={n}" for n in range(40)] + [f"/p/{n}/" for n in range(30)]
        if target == "/" or target.startswith(("/lijst/", "/p/")):
            return html_page("Lijst", links=links)
        return None

    with FixtureServer(routes) as site:
        shared.start_workers(2)
        proc = shared.run(site.url, config={"crawl": {"max_query_variants": 5, "concurrency": 4}})
        shared.workers_done()
    assert proc.returncode in CRAWLED, proc.stderr
    variants = [t for t in site.hits if t.startswith("/lijst/?")]
    assert len(variants) == 5, variants
    run = StoreReader(Path(shared.db), shared.out).run()
    assert run["counters"]["skipped_query_variants"] == 35


def test_a_worker_killed_half_way_loses_nothing(shared: SharedRun):
    """SIGKILL one worker once half the pages are fetched: the requests it held go back to
    the queue when its heartbeat lapses, and the run completes with every page stored."""
    with FixtureServer(_site(120, delay=0.05)) as site:
        shared.start_workers(2)
        coordinator = shared.start_coordinator(site, pages_fetched=60, concurrency=4)
        victim = shared.workers[0]
        os.kill(victim.pid, signal.SIGKILL)
        _, stderr = coordinator.communicate(timeout=RUN_TIMEOUT)
    assert coordinator.returncode in CRAWLED, stderr
    store = StoreReader(Path(shared.db), shared.out)
    assert store.run()["status"] == "complete"
    pages = _page_fetches(store)
    assert len(pages) == 120  # stored once each (the key is the run and the URL)
    assert all(row["status"] == 200 for row in pages.values())
    # a page the dead worker held was fetched again; none more than twice
    assert max(site.hits[f"/p/{i}/"] for i in range(120)) <= 2
    code, output = shared.workers_done()[1]
    assert code == 0, output


def test_an_interrupted_shared_crawl_resumes(shared: SharedRun):
    """SIGTERM to the coordinator stops the workers too; `--resume --frontier` finishes the
    run from what Redis kept, without fetching a stored page again."""
    with FixtureServer(_site(80, delay=0.05)) as site:
        shared.start_workers(1)
        coordinator = shared.start_coordinator(site, pages_fetched=20, concurrency=2)
        coordinator.send_signal(signal.SIGTERM)
        _, stderr = coordinator.communicate(timeout=RUN_TIMEOUT)
        assert coordinator.returncode == 3, stderr
        assert "--resume" in stderr
        ((code, output),) = shared.workers_done()
        assert code == 0 and "coordinator: SIGTERM" in output, output
        stored_before = set(_page_fetches(StoreReader(Path(shared.db), shared.out)))
        assert 0 < len(stored_before) < 80

        shared.workers = []
        shared.start_workers(1)
        proc = shared.run(site.url, "--resume", config={"crawl": {"concurrency": 2}})
        shared.workers_done()
    assert proc.returncode in CRAWLED, proc.stderr
    store = StoreReader(Path(shared.db), shared.out)
    assert len(store.runs()) == 1 and store.run()["status"] == "complete"
    assert len(_page_fetches(store)) == 80
    assert not [url for url in stored_before if site.hits[urlsplit(url).path] > 1]


def test_no_crawl_coordinator_leaves_the_fetching_to_workers(shared: SharedRun):
    with FixtureServer(_site(30)) as site:
        shared.start_workers(1)
        proc = shared.run(site.url, "--no-crawl")
        ((code, output),) = shared.workers_done()
    assert proc.returncode in CRAWLED, proc.stderr
    assert code == 0, output
    assert "worker: 31 pages" in output  # the home page and the 30: all of them
    assert len(_page_fetches(StoreReader(Path(shared.db), shared.out))) == 30


def test_worker_without_a_crawl_gives_up_in_one_line(tmp_path: Path, redis: Redis):
    proc = shoplint_in(tmp_path, "worker", redis.url, "--wait", "1")
    assert proc.returncode == 3
    assert proc.stderr.strip() == f"shoplint: worker: no crawl to join at {redis.url} within 1 s"


@pytest.mark.parametrize(
    ("frontier", "code", "message"),
    [
        ("redis://127.0.0.1:1/0", 3, "redis://127.0.0.1:1/0: cannot reach Redis"),
        ("redis://:geheim@127.0.0.1:1/0", 2, "no password on the command line; set REDISCLI_AUTH"),
        ("http://127.0.0.1:1/", 2, "expected a redis:// address"),
    ],
)
def test_bad_frontier_is_one_line(tmp_path: Path, frontier: str, code: int, message: str):
    proc = shoplint_in(
        tmp_path,
        "run",
        "http://127.0.0.1:1/",
        "--db",
        str(tmp_path / "s.db"),
        "--frontier",
        frontier,
    )
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "geheim" not in proc.stderr


def test_a_staying_worker_joins_one_crawl_after_another(shared: SharedRun):
    with FixtureServer(_site(40, delay=0.2)) as site:
        worker = subprocess.Popen(
            shoplint_command("worker", shared.redis.url, "--db", shared.db, "--stay"),
            cwd=shared.tmp,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        shared.workers.append(worker)
        for _ in range(2):
            proc = shared.run(site.url, config={"crawl": {"concurrency": 2}})
            assert proc.returncode in CRAWLED, proc.stderr
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert "joining run 1 " in output and "joining run 2 " in output
    store = StoreReader(Path(shared.db), shared.out)
    assert [run["status"] for run in store.runs()] == ["complete", "complete"]
