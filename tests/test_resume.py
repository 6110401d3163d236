"""An interrupted crawl (Ctrl-C, SIGTERM) keeps what it fetched and `--resume` finishes it:
same run, same page set as an uninterrupted crawl, nothing fetched twice."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import CRAWLED, RUN_TIMEOUT, StoreReader, shoplint_command, subprocess_env
from fixture_server import FixtureServer, Reply, html_page, resource

from ground.urls import NOT_FOUND_PROBE

CATEGORIES, PRODUCTS = 6, 9  # 1 home + 6 categories + 54 products = 61 pages
PAGE_DELAY = 0.2  # seconds per page: with concurrency 2 the crawl takes several seconds
CONFIG = {"crawl": {"concurrency": 2, "autothrottle": False, "retries": 0, "internal_only": True}}
UNCOUNTED = {"/robots.txt", "/sitemap.xml", NOT_FOUND_PROBE}  # asked for by every process


def shop_routes(external: str, delay: float) -> dict[str, Reply]:
    """A small shop: every page links home, shows an image, has a POST cart form and a
    link to an external partner; none of those may ever be fetched twice (or at all)."""

    def page(path: str, links: list[str]) -> Reply:
        reply = html_page(
            f'<img src="/img{path}image.png" alt="">'
            '<form action="/cart/add/" method="post"><button>Add</button></form>'
            f'<a href="{external}/partner/">Partner</a>',
            links=["/", *links],
        )
        return Reply(reply.status, reply.body, reply.headers, delay)

    cats = [f"/cat/{c}/" for c in range(CATEGORIES)]
    routes = {"/": page("/", cats)}
    for c, cat in enumerate(cats):
        products = [f"/cat/{c}/p/{p}/" for p in range(PRODUCTS)]
        routes[cat] = page(cat, products)
        for product in products:
            routes[product] = page(product, [cats[(c + 1) % CATEGORIES], product])
    for path in list(routes):
        routes[f"/img{path}image.png"] = resource(b"\x89PNG\r\n\x1a\n", "image/png")
    return routes


PAGES = (
    {"/"}
    | {f"/cat/{c}/" for c in range(CATEGORIES)}
    | {f"/cat/{c}/p/{p}/" for c in range(CATEGORIES) for p in range(PRODUCTS)}
)


def paths(urls, origin: str) -> set[str]:
    return {url.removeprefix(origin) for url in urls}


def count_fetches(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM fetches").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def interrupt_when_some_fetched(command: list[str], cwd: Path, db: Path, sig: int) -> int:
    """Start the crawl, wait until the store holds some fetches, send `sig`: exit code."""
    with open(cwd / "interrupted.log", "w") as log:
        proc = subprocess.Popen(command, cwd=cwd, env=subprocess_env(), stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while count_fetches(db) < 10:
                assert proc.poll() is None, "the crawl ended before it was interrupted"
                assert time.monotonic() < deadline, "no fetches stored within 60 s"
                time.sleep(0.1)
            proc.send_signal(sig)
            return proc.wait(timeout=RUN_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def servers():
    with FixtureServer() as external, FixtureServer() as site:
        site.routes.update(shop_routes(external.origin, PAGE_DELAY))
        yield site, external


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The fetched paths of an uninterrupted crawl of the same shop (served without delay)."""
    folder = tmp_path_factory.mktemp("baseline")
    store = StoreReader(folder / "shoplint.db", folder / "report")
    config = folder / "shoplint-test.yml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    with FixtureServer() as external, FixtureServer() as site:
        site.routes.update(shop_routes(external.origin, 0))
        command = shoplint_command(
            "run", site.url, "--db", str(store.db), "--out", str(store.out),
            "--config", str(config),
        )  # fmt: skip
        proc = subprocess.run(
            command, cwd=folder, env=subprocess_env(), capture_output=True, text=True,
            timeout=RUN_TIMEOUT,
        )  # fmt: skip
        assert proc.returncode in CRAWLED, proc.stderr
        assert external.requests == []
        fetched = paths(store.fetches(), site.origin)
    assert {p for p in fetched if not p.startswith("/img")} - UNCOUNTED == PAGES
    return fetched


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_crawl_resumes_to_the_same_page_set(
    tmp_path, servers, baseline, run_args, run_shoplint, store_reader, sig
):
    site, external = servers
    code = interrupt_when_some_fetched(
        run_args(site.url, config=CONFIG), tmp_path, store_reader.db, sig
    )
    log = (tmp_path / "interrupted.log").read_text()
    assert code == 3, log
    assert "interrupted" in log
    assert "--resume" in log
    run = store_reader.run()
    assert run["status"] == "interrupted"
    assert run["finished_at"] is not None
    before = paths(store_reader.fetches(), site.origin)
    pages_before = before & PAGES
    assert 0 < len(pages_before) < len(PAGES)  # really interrupted midway
    assert store_reader.findings_json()["run"]["status"] == "interrupted"

    proc, store = run_shoplint(site.url, "--resume", config=CONFIG)
    assert proc.returncode in CRAWLED, proc.stderr
    assert [r["id"] for r in store.runs()] == [run["id"]]  # the same run, continued
    resumed = store.run()
    assert resumed["status"] == "complete"
    after = paths(store.fetches(), site.origin)
    assert after == baseline
    assert before <= after
    # nothing fetched twice across both processes, the interrupted pages included
    for path, hits in site.hits.items():
        if path not in UNCOUNTED:
            assert hits == 1, (path, hits)
    assert {p for p in PAGES if site.hits[p] != 1} == set()
    # what the site does not want crawled stays uncrawled after a resume too
    assert external.requests == []
    assert site.hits_on_path("/cart/add/") == 0
    # counters add up over both processes
    assert resumed["counters"]["pages"] == len(PAGES)
    assert store.findings_json()["run"]["pages"] == len(PAGES)
    # references were kept for every page, including those fetched before the interruption
    sources = paths({r["source"] for r in store.refs()}, site.origin)
    assert sources == PAGES


def test_resume_without_an_interrupted_run_is_a_usage_error(run_shoplint):
    with FixtureServer({"/": html_page("home")}) as site:
        proc, store = run_shoplint(site.url, "--resume", config=CONFIG)
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "--resume" in proc.stderr
        assert site.requests == []

        proc, _ = run_shoplint(site.url, config=CONFIG)  # a complete run...
        assert proc.returncode in CRAWLED, proc.stderr
        proc, _ = run_shoplint(site.url, "--resume", config=CONFIG)  # ...is not resumed
        assert proc.returncode == 2
        assert "--resume" in proc.stderr
    assert [r["status"] for r in store.runs()] == ["complete"]


def test_killed_crawl_resumes_from_what_was_stored(
    tmp_path, servers, baseline, run_args, run_shoplint, store_reader
):
    """SIGKILL leaves the run `running` with at most one batch lost: --resume takes it up
    and refetches only what was not stored."""
    site, external = servers
    code = interrupt_when_some_fetched(
        run_args(site.url, config=CONFIG), tmp_path, store_reader.db, signal.SIGKILL
    )
    assert code == -signal.SIGKILL
    run = store_reader.run()
    assert run["status"] == "running"
    stored = paths(store_reader.fetches(), site.origin)

    proc, store = run_shoplint(site.url, "--resume", config=CONFIG)
    assert proc.returncode in CRAWLED, proc.stderr
    assert [r["id"] for r in store.runs()] == [run["id"]]
    assert store.run()["status"] == "complete"
    assert paths(store.fetches(), site.origin) == baseline
    for path in stored - UNCOUNTED:
        assert site.hits[path] == 1, path  # what was stored is never fetched again
    assert external.requests == []
    assert site.hits_on_path("/cart/add/") == 0
