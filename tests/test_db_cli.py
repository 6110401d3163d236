"""`shoplint db upgrade` and `shoplint db copy`, and where a command finds its store: --db,
else $SHOPLINT_DB, else store.path, never with a password on the command line. A SQLite
history copied into PostgreSQL keeps its runs, first sightings and baselines' verdicts."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from stored_runs import SHOP, finding, store_run

from ground.model import (
    ExternalCheck,
    Fetch,
    FlowEnd,
    FlowOutcome,
    LinkVerdict,
    Outcome,
    Reference,
    RefKind,
    RunStatus,
)
from store import open_store
from store.schema import SCHEMA_VERSION

FIXED = finding("LNK001", "/a/", "/gone/")  # in the first run only
KEPT = finding("LNK001", "/b/", "/gone/")  # in both: first seen on the first run's day
NEW = finding("IMG001", "/b/", "/missing.png", "Image that does not exist (404)")


def sqlite_history(db: Path) -> None:
    """Two runs of the shop (with pages, references in order, a checkout flow) and the
    external-link cache: everything `db copy` has to carry."""
    store_run(db, [FIXED, KEPT], today=dt.date(2026, 4, 1))
    run_id = store_run(db, [KEPT, NEW])
    store = open_store(str(db))
    home = SHOP.rstrip("/")
    links = [
        Reference(SHOP, RefKind.A, f"/{n}/", f"{home}/{n}/", f"{home}/{n}/") for n in (9, 1, 5)
    ]
    store.write_batch(run_id, [Fetch(SHOP, 0, Outcome.RESPONSE, 200, is_page=True)], links, [])
    store.add_checkout_flow(run_id, FlowOutcome("guest", SHOP, FlowEnd.COMPLETED, 40, ()))
    store.save_external_checks(
        [ExternalCheck("https://elsewhere.example/", LinkVerdict.OK, "ok", 200, "2026-05-01")]
    )
    store.close()


def answers(location: str) -> dict:
    """What the reports and the gate read from a store."""
    store = open_store(location)
    try:
        latest = store.latest_run()
        assert latest is not None
        return {
            "runs": [(r.id, r.start_url, r.status, r.today) for r in map(store.run, (1, 2))],
            "findings": store.findings(latest.id),
            "fixed": store.findings(1, absent_from=latest.id),
            "first_seen": store.first_seen(latest.id),
            "references": list(store.references(latest.id)),
            "flows": store.checkout_flows(latest.id),
            "cache": store.external_checks(["https://elsewhere.example/"]),
        }
    finally:
        store.close()


def test_a_sqlite_history_copied_into_postgresql_keeps_runs_and_verdicts(
    cli, tmp_path: Path, pg_url: str
):
    source = tmp_path / "shoplint.db"
    sqlite_history(source)
    copied = cli("db", "copy", str(source), pg_url)
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout.startswith(f"Copied {source} to {pg_url} (rows: runs 2,")
    assert answers(pg_url) == answers(str(source))
    assert answers(pg_url)["first_seen"][KEPT.fingerprint] == "2026-04-01"

    baseline = tmp_path / "baseline.yml"
    accepted = cli("accept", KEPT.fingerprint, "--reason", "r", "--by", "me",
                   "--db", str(source), "--baseline", str(baseline))  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
    verdicts = []
    for location in (str(source), pg_url):
        out = tmp_path / f"report-{len(verdicts)}"
        gate = cli("gate", "--db", location, "--baseline", str(baseline), "--out", str(out))
        report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
        verdicts.append((gate.returncode, report["gate"], report["findings"], report["fixed"]))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0] == 1  # NEW is an error nobody accepted

    store = open_store(pg_url)
    assert store.begin_run(SHOP, "digest", "2026-05-02") == 3  # numbered on from the copy
    store.close()
    again = cli("db", "copy", str(source), pg_url)
    assert again.returncode == 2
    assert (
        again.stderr
        == f"shoplint: DST {pg_url}: holds runs already (db copy fills an empty store)\n"
    )


def test_a_postgresql_history_copies_back_into_sqlite(cli, tmp_path: Path, pg_url: str):
    sqlite_history(tmp_path / "first.db")
    assert cli("db", "copy", str(tmp_path / "first.db"), pg_url).returncode == 0
    back = cli("db", "copy", pg_url, str(tmp_path / "back.db"))
    assert back.returncode == 0, back.stderr
    assert answers(str(tmp_path / "back.db")) == answers(str(tmp_path / "first.db"))


def test_db_upgrade_makes_the_schema_then_finds_it_current(cli, pg_url: str):
    made = cli("db", "upgrade", "--db", pg_url)
    assert (made.returncode, made.stdout) == (
        0,
        f"Store {pg_url}: schema version {SCHEMA_VERSION}, created.\n",
    )
    again = cli("db", "upgrade", "--db", pg_url)
    assert again.stdout == f"Store {pg_url}: schema version {SCHEMA_VERSION}, up to date.\n"


def test_db_upgrade_brings_an_old_sqlite_store_up(cli, tmp_path: Path):
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.executescript(
            "CREATE TABLE fetches (run_id INTEGER, url TEXT); PRAGMA user_version = 1;"
        )
    upgraded = cli("db", "upgrade", "--db", str(old))
    assert (
        upgraded.stdout
        == f"Store {old}: schema version {SCHEMA_VERSION}, upgraded from version 1.\n"
    )


def test_a_store_of_a_newer_shoplint_is_refused_in_one_line(cli, pg_url: str):
    import psycopg

    assert cli("db", "upgrade", "--db", pg_url).returncode == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    refused = cli("gate", "--db", pg_url)
    assert refused.returncode == 3
    assert refused.stderr == (
        f"shoplint: store {pg_url}: made by a newer shoplint (schema version"
        f" {SCHEMA_VERSION + 1}, this one knows {SCHEMA_VERSION}): upgrade shoplint to use it\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("run", "https://shop.example/", "--db"),
        ("gate", "--db"),
        ("accept", "abcdef123", "--reason", "r", "--by", "me", "--db"),
        ("db", "upgrade", "--db"),
        ("db", "copy", "shoplint.db"),
    ],
)
def test_a_password_on_the_command_line_is_refused(cli, command: tuple[str, ...]):
    refused = cli(*command, "postgresql://shoplint:hunter2@db.internal/shoplint")
    assert refused.returncode == 2
    assert "postgresql://shoplint@db.internal/shoplint: no password here; use PGPASSWORD" in (
        refused.stderr
    )
    assert "hunter2" not in refused.stdout + refused.stderr
    assert len(refused.stderr.splitlines()) == 1


def test_the_store_is_named_by_db_then_shoplint_db_then_the_config(
    cli, tmp_path: Path, write_config, monkeypatch: pytest.MonkeyPatch
):
    config = str(write_config({"store": {"path": "from-config.db"}}))
    monkeypatch.delenv("SHOPLINT_DB", raising=False)
    assert "Store shoplint.db:" in cli("db", "upgrade").stdout
    assert "Store from-config.db:" in cli("db", "upgrade", "--config", config).stdout
    monkeypatch.setenv("SHOPLINT_DB", "from-env.db")
    assert "Store from-env.db:" in cli("db", "upgrade", "--config", config).stdout
    named = cli("db", "upgrade", "--config", config, "--db", "from-option.db")
    assert "Store from-option.db:" in named.stdout


def test_shoplint_db_may_hold_a_password_that_is_never_shown(
    cli, monkeypatch: pytest.MonkeyPatch, pg_url: str
):
    with_password = pg_url.replace("postgresql://postgres@", "postgresql://postgres:hunter2@")
    monkeypatch.setenv("SHOPLINT_DB", with_password)  # the environment may hold secrets
    made = cli("db", "upgrade")
    assert made.stdout == f"Store {pg_url}: schema version {SCHEMA_VERSION}, created.\n"
    missing = cli("gate")
    assert missing.stderr == f"shoplint: --db {pg_url}: no finished run of any site\n"


def test_a_copy_from_nowhere_names_the_source(cli, tmp_path: Path):
    missing = cli("db", "copy", str(tmp_path / "none.db"), str(tmp_path / "new.db"))
    assert (missing.returncode, missing.stderr) == (
        2, f"shoplint: SRC {tmp_path / 'none.db'}: no run store there\n"
    )  # fmt: skip
    assert not (tmp_path / "new.db").exists()


def test_an_interrupted_run_copied_can_be_resumed_there(tmp_path: Path, cli, pg_url: str):
    db = tmp_path / "shoplint.db"
    store_run(db, [KEPT], status=RunStatus.INTERRUPTED)
    assert cli("db", "copy", str(db), pg_url).returncode == 0
    store = open_store(pg_url)
    assert store.latest_unfinished_run(SHOP).id == 1  # --resume finds it on PostgreSQL
    store.close()
