"""Page checks in a worker process (checks/page_checks.py): the same findings as in the
crawl's own process, and no page left unchecked when the worker dies mid-crawl."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import RUN_TIMEOUT, TODAY, StoreReader, shoplint_command, subprocess_env
from fixture_server import FixtureServer, Reply, html_page
from processes import living_children

from shoplint.demo import DemoShop

PAGES = 40
FILLER = "PAG010"  # filler text ('Lorem ipsum') on the page


def _findings(run_shoplint, url: str, store: StoreReader, workers: int) -> set[tuple[str, str]]:
    config = {"crawl": {"internal_only": True, "check_workers": workers}}
    proc, store = run_shoplint(url, config=config, store=store)
    assert proc.returncode in (0, 1), proc.stderr
    assert "the check worker stopped" not in proc.stdout + proc.stderr  # the worker checked
    report = store.findings_json()
    assert report["run"]["status"] == "complete"
    # which sort and filter variants of a category get in under max_query_variants depends
    # on the order pages arrive in, which differs from run to run: they are left out
    return {
        (f["code"], f["fingerprint"])
        for f in report["findings"]
        if "?" not in f["url"] and "?" not in (f["target"] or "")
    }


def test_a_worker_finds_what_the_crawls_process_finds(run_shoplint, tmp_path: Path):
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        stores = [StoreReader(tmp_path / f"{n}.db", tmp_path / f"report-{n}") for n in (0, 1)]
        inline, worker = (_findings(run_shoplint, shop.url, stores[n], n) for n in (0, 1))
    page_codes = {code for code, _ in inline if code.startswith(("PAG", "FRS", "LNG", "IMG"))}
    assert {"PAG007", "PAG010", "FRS001", "LNG002"} <= page_codes  # page rules did run
    assert worker == inline


def _shop(path: str) -> Reply | None:
    """PAGES pages, each with filler text, each linking to the next; slow enough that
    the crawl is still going when the worker is killed."""
    if path == "/":
        return html_page(links=["/p/0"])
    if not path.startswith("/p/"):
        return None
    number = int(path.removeprefix("/p/"))
    if number >= PAGES:
        return None
    page = html_page(
        f"<p>Lorem ipsum dolor sit amet, page {number}.</p>",
        title=f"Page {number}",
        links=[f"/p/{number + 1}"],
    )
    return Reply(page.status, page.body, page.headers, delay=0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_worker_hands_its_pages_to_the_crawls_process(tmp_path: Path):
    store = StoreReader(tmp_path / "shoplint.db", tmp_path / "report")
    config = tmp_path / "shoplint-test.yml"
    config.write_text(yaml.safe_dump({"crawl": {"check_workers": 1, "concurrency": 1}}))
    with FixtureServer(_shop) as site, open(tmp_path / "crawl.log", "w") as log:
        command = shoplint_command("run", site.url, "--config", str(config))
        proc = subprocess.Popen(
            [*command, "--db", str(store.db), "--out", str(store.out)],
            cwd=tmp_path,
            env=subprocess_env(),
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 30
            while site.hits_on_path("/p/5") == 0:
                assert proc.poll() is None and time.monotonic() < deadline, "crawl ended early"
                time.sleep(0.02)
            (worker,) = living_children(proc.pid)
            os.kill(worker, signal.SIGKILL)
            assert proc.wait(timeout=RUN_TIMEOUT) in (0, 1)  # 1: the filler fails the gate
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    output = (tmp_path / "crawl.log").read_text()
    assert "the check worker stopped" in output
    report = store.findings_json()
    assert report["run"]["status"] == "complete"
    assert sorted(f["url"] for f in report["findings"] if f["code"] == FILLER) == sorted(
        f"{site.origin}/p/{n}" for n in range(PAGES)
    )
