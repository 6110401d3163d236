"""`shoplint run` with its runs in a real PostgreSQL: the demo shop's findings as on SQLite,
history ("new since last run"), the gate, `accept` and --keep-runs; a database that goes
away mid-crawl (exit 3, one line, `--resume` finishes the run once it is back); and a
password, handed over through store.password_env, that never shows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import (
    CRAWLED,
    RUN_TIMEOUT,
    TODAY,
    report_of,
    run_to_end,
    shoplint_command,
    stable_findings,
    subprocess_env,
)
from fixture_server import FixtureServer, Reply, html_page
from services import Postgres

from shoplint.demo import DemoShop

PASSWORD_VARIABLE = "SHOPLINT_TEST_PG_PASSWORD"
ROLE = "shoplint_with_password"
PAGES = 150  # of the slow shop: a crawl that lasts long enough to lose its database


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_to_end(shoplint_command(*args), cwd, env)


def test_the_demo_shop_on_postgresql_finds_what_sqlite_finds(
    tmp_path: Path, pg_url: str, write_config
):
    without_filler = write_config({"checks": {"PAG010": {"enabled": False}}}, "no-filler.yml")
    with DemoShop(today=dt.date.fromisoformat(TODAY)) as shop:
        run = ("run", shop.url, "--internal-only")
        on_sqlite = _run(tmp_path, *run, "--db", str(tmp_path / "s.db"), "--out", "sqlite")
        first = _run(
            tmp_path, *run, "--db", pg_url, "--out", "pg-1", "--config", str(without_filler)
        )
        second = _run(tmp_path, *run, "--db", pg_url, "--out", "pg-2", "--keep-runs", "1")
    for proc in (on_sqlite, first, second):
        assert proc.returncode in CRAWLED, proc.stderr
    assert stable_findings(report_of(tmp_path / "pg-2")) == stable_findings(
        report_of(tmp_path / "sqlite")
    )
    assert "since run 1" in second.stdout  # compared with the run before, on PostgreSQL
    assert {code for code, _ in stable_findings(report_of(tmp_path / "pg-2"), "new")} == {"PAG010"}

    gone = _run(tmp_path, "gate", "--db", pg_url, "--run", "1", "--out", "gate")
    assert gone.returncode == 2 and "--run 1: no such run" in gone.stderr  # kept: 1 run
    error = next(f for f in report_of(tmp_path / "pg-2")["findings"] if f["code"] == "PAG007")
    baseline = tmp_path / "baseline.yml"
    accepted = _run(
        tmp_path, "accept", error["fingerprint"], "--reason", "known", "--by", "test",
        "--db", pg_url, "--baseline", str(baseline),
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
    gate = _run(tmp_path, "gate", "--db", pg_url, "--baseline", str(baseline), "--out", "gate")
    assert gate.returncode == 1, gate.stderr  # the other errors still fail it
    (judged,) = [
        f
        for f in report_of(tmp_path / "gate")["findings"]
        if f["fingerprint"] == error["fingerprint"]
    ]
    assert judged["accepted"]["by"] == "test" and not judged["blocking"]


@dataclass(frozen=True)
class SecretDatabase:
    """A database that only its password opens (scram-sha-256), not named in its URL."""

    url: str
    password: str

    def env(self) -> dict[str, str]:
        return {**subprocess_env(), PASSWORD_VARIABLE: self.password}

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, password=self.password) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
def secret_database(postgres: Postgres, pg_url: str) -> SecretDatabase:
    import psycopg

    password = "Pw-" + os.urandom(12).hex()
    rule = f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n"
    hba = postgres.datadir / "pg_hba.conf"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())  # before the file's `trust` for everyone
        postgres.pg_ctl("reload")
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchall():
            conn.execute(f"CREATE ROLE {ROLE} LOGIN")
        conn.execute(f"ALTER ROLE {ROLE} PASSWORD '{password}'")
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO {ROLE}')
    return SecretDatabase(f"postgresql://{ROLE}@127.0.0.1:{postgres.port}/{name}", password)


def _slow_shop(path: str) -> Reply | None:
    """A home page linking to PAGES pages, each a little slow, each linking home."""
    if path == "/":
        return html_page(title="Home", links=[f"/p/{n}" for n in range(PAGES)])
    if not (path.startswith("/p/") and int(path.removeprefix("/p/")) < PAGES):
        return None
    page = html_page(f"<p>{path} of the slow shop.</p>", title=path, links=["/"])
    return Reply(page.status, page.body, page.headers, delay=0.03)


@pytest.fixture
def stopped_midway(postgres: Postgres) -> Iterator[list[bool]]:
    """Starts the session's PostgreSQL again after a test that stopped it."""
    stopped: list[bool] = []
    yield stopped
    if stopped:
        postgres.pg_ctl("start")


def test_a_database_lost_mid_crawl_fails_the_run_in_one_line_and_resume_finishes_it(
    tmp_path: Path, postgres: Postgres, secret_database: SecretDatabase, stopped_midway
):
    config = tmp_path / "shoplint-test.yml"
    config.write_text(
        yaml.safe_dump(
            {"crawl": {"concurrency": 1, "internal_only": True},
             "store": {"password_env": PASSWORD_VARIABLE}}
        )
    )  # fmt: skip
    out = tmp_path / "report"
    with FixtureServer(_slow_shop) as shop:
        run = ["run", shop.url, "--db", secret_database.url, "--config", str(config)]
        with open(tmp_path / "lost.log", "w+") as log:
            proc = subprocess.Popen(
                shoplint_command(*run, "--out", str(out)),
                cwd=tmp_path,
                env=secret_database.env(),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            try:
                deadline = time.monotonic() + RUN_TIMEOUT
                while not _stored_pages(secret_database):  # the crawl's first batch is in
                    assert proc.poll() is None and time.monotonic() < deadline, "ended early"
                    time.sleep(0.05)
                postgres.pg_ctl("stop", "-m", "fast")
                stopped_midway.append(True)
                stdout, _ = proc.communicate(timeout=RUN_TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            log.seek(0)
            stderr = log.read()
        assert proc.returncode == 3, stderr
        (line,) = [line for line in stderr.splitlines() if line.startswith("shoplint:")]
        assert f"store {secret_database.url}" in line
        assert "Traceback" not in stderr
        postgres.pg_ctl("start")
        stopped_midway.clear()
        assert _stored_pages(secret_database) < PAGES  # the crawl did stop halfway

        resumed = _run(tmp_path, *run, "--out", str(out), "--resume", env=secret_database.env())
    assert resumed.returncode in CRAWLED, resumed.stderr
    assert report_of(out)["run"]["status"] == "complete"
    assert _stored_pages(secret_database) == 1 + PAGES  # each once: the key is (run, url)
    links = secret_database.query("SELECT source, COUNT(*) FROM refs GROUP BY source")
    assert sorted(n for _, n in links) == [1] * PAGES + [PAGES]  # each page's links once
    shown = stdout + stderr + resumed.stdout + resumed.stderr
    written = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert secret_database.password not in shown + written


def _stored_pages(database: SecretDatabase) -> int:
    """Pages of the slow shop in the store: 0 until its schema and first batch are in."""
    import psycopg

    try:
        rows = database.query("SELECT COUNT(*) FROM fetches WHERE is_page = 1")
    except psycopg.errors.UndefinedTable:
        return 0
    return rows[0][0]


def test_a_wrong_password_is_one_line_naming_the_store(
    tmp_path: Path, secret_database: SecretDatabase, write_config
):
    config = write_config({"store": {"password_env": PASSWORD_VARIABLE}})
    env = {**subprocess_env(), PASSWORD_VARIABLE: "not-" + secret_database.password}
    proc = _run(tmp_path, "gate", "--db", secret_database.url, "--config", str(config), env=env)
    assert proc.returncode == 3
    assert proc.stderr.startswith(f"shoplint: store {secret_database.url}: connection failed")
    assert "password authentication failed" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert secret_database.password not in proc.stderr
