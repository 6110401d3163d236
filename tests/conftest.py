"""Shared fixtures: run the `shoplint` CLI as a subprocess (Twisted's reactor cannot be
restarted, so one crawl per process) and read what it stored."""

from __future__ import annotations

import itertools
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from services import Postgres, Redis, new_database, postgres_server, redis_server

TODAY = "2026-05-01"
CRAWLED = (0, 1)  # exit codes of a finished crawl: 1 is the release gate's verdict, not the crawl's
RUN_TIMEOUT = 120  # seconds; a hung crawl fails the test instead of the whole suite


class StoreReader:
    """Plain-dict views of a run store, read with sqlite3 (independent of SqliteStore)."""

    def __init__(self, db: Path, out: Path):
        self.db = db
        self.out = out

    def _query(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params)]

    def runs(self) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM runs ORDER BY id")
        for row in rows:
            row["counters"] = json.loads(row["counters"])
        return rows

    def run(self) -> dict[str, Any]:
        """The latest run."""
        return self.runs()[-1]

    def fetches(self, run_id: int | None = None) -> dict[str, dict[str, Any]]:
        """url -> fetch row of the run (default: the latest)."""
        run_id = run_id or self.run()["id"]
        rows = self._query("SELECT * FROM fetches WHERE run_id = ?", (run_id,))
        return {row["url"]: row for row in rows}

    def refs(self, source: str | None = None, run_id: int | None = None) -> list[dict[str, Any]]:
        """Reference rows in document order, optionally only those on `source`."""
        run_id = run_id or self.run()["id"]
        rows = self._query("SELECT * FROM refs WHERE run_id = ? ORDER BY rowid", (run_id,))
        return [row for row in rows if source is None or row["source"] == source]

    def sitemap_entries(self, run_id: int | None = None) -> list[dict[str, Any]]:
        run_id = run_id or self.run()["id"]
        return self._query("SELECT * FROM sitemap_entries WHERE run_id = ?", (run_id,))

    def findings_json(self) -> dict[str, Any]:
        return json.loads((self.out / "findings.json").read_text(encoding="utf-8"))


def report_of(out: Path) -> dict[str, Any]:
    """findings.json of the report in `out`."""
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def stable_findings(report: dict[str, Any], status: str | None = None) -> set[tuple[str, str]]:
    """(code, fingerprint) of the findings, but for the sort and filter variants of a
    category (`?merk=`, `?sort=`): which of them get in under max_query_variants depends
    on the order pages arrive in, which differs from run to run."""
    return {
        (f["code"], f["fingerprint"])
        for f in report["findings"]
        if "?" not in f["url"] + (f["target"] or "") and status in (None, f["status"])
    }


def shoplint_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shoplint", *args]


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPLINT_")}
    env["SHOPLINT_TODAY"] = TODAY
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_to_end(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` run to its end as the tests run shoplint: its output kept as text, the
    tests' environment (fixed SHOPLINT_TODAY), and RUN_TIMEOUT against a hang."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env or subprocess_env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def shoplint_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`shoplint ARGS` run to its end in `cwd`."""
    return run_to_end(shoplint_command(*args), cwd)


RunShoplint = Callable[..., tuple[subprocess.CompletedProcess[str], StoreReader]]


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    def write(config: dict[str, Any], name: str = "shoplint-test.yml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    return write


@pytest.fixture
def store_reader(tmp_path: Path) -> StoreReader:
    return StoreReader(tmp_path / "shoplint.db", tmp_path / "report")


@pytest.fixture
def run_args(tmp_path: Path, write_config, store_reader: StoreReader):
    """The argument list of `shoplint run URL ...` with --db and --out in tmp_path."""

    def build(
        url: str,
        *args: str,
        config: dict[str, Any] | None = None,
        store: StoreReader | None = None,
    ) -> list[str]:
        store = store or store_reader
        extra = ["--config", str(write_config(config))] if config is not None else []
        return shoplint_command(
            "run", url, "--db", str(store.db), "--out", str(store.out), *extra, *args
        )

    return build


@pytest.fixture
def run_shoplint(tmp_path: Path, run_args, store_reader: StoreReader) -> RunShoplint:
    """run_shoplint(url, *args, config=None) -> (completed process, store reader).

    Runs in tmp_path (so no stray ./shoplint.yml is read), with SHOPLINT_TODAY fixed; the
    same test calling it twice uses the same store, as --resume needs. `store=` names
    another store (StoreReader(db, out)) for a second, independent run."""

    def run(
        url: str,
        *args: str,
        config: dict[str, Any] | None = None,
        store: StoreReader | None = None,
    ):
        proc = run_to_end(run_args(url, *args, config=config, store=store), tmp_path)
        return proc, store or store_reader

    return run


@pytest.fixture
def shoplint_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Any shoplint command line, run in tmp_path."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return shoplint_in(tmp_path, *args)

    return run


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path: Path):
    """`shoplint ...` in-process (fast: no crawl), in tmp_path, with SHOPLINT_TODAY fixed."""
    from stored_runs import call_cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOPLINT_TODAY", TODAY)
    return lambda *args: call_cli(capsys, *args)


# -- real PostgreSQL and Redis (tests/services.py) -------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL for the session; tests take a database each (`pg_url`)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def pg_url(postgres: Postgres, request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database for this test."""
    name = "t_" + re.sub(r"\W", "_", request.node.name)[:40].lower() + f"_{os.getpid()}"
    return new_database(postgres, f"{name}_{next(_DATABASES)}")


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    """A throwaway redis-server for this test."""
    with redis_server(tmp_path / "redis") as server:
        yield server


_DATABASES = itertools.count()
