"""A store written by an older shoplint is brought up to the current schema when opened,
keeping its runs (the history and the external-link cache live there)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ground.model import Fetch, Outcome
from store.sqlite import SCHEMA_VERSION, SqliteStore

VERSION_1_FETCHES = """
CREATE TABLE fetches (
    run_id INTEGER NOT NULL, url TEXT NOT NULL, depth INTEGER NOT NULL, outcome TEXT NOT NULL,
    status INTEGER, error TEXT, redirect_to TEXT, content_type TEXT, size INTEGER,
    elapsed_ms INTEGER, last_modified TEXT, is_page INTEGER NOT NULL, title TEXT, lang TEXT,
    canonical TEXT, meta_robots TEXT, heading TEXT, anchors TEXT, body_problem TEXT,
    PRIMARY KEY (run_id, url)
) WITHOUT ROWID;
INSERT INTO fetches (run_id, url, depth, outcome, status, is_page)
VALUES (1, 'https://shop.example/', 0, 'response', 200, 1);
PRAGMA user_version = 1;
"""


def test_a_version_1_store_gets_every_page_facts_column(tmp_path: Path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1_FETCHES)
    store = SqliteStore(str(path))
    (old,) = store.fetches(1)
    assert (old.url, old.availability, old.updated) == ("https://shop.example/", None, None)
    assert (old.description, old.product, old.scripted) == (None, None, None)
    sold_out = Fetch(
        "https://shop.example/p/",
        1,
        Outcome.RESPONSE,
        200,
        is_page=True,
        availability="out_of_stock",
        updated="Laatst bijgewerkt: 3 maart 2022",
        description="Een stevig slot.",
        product='{"description": "Een stevig slot.", "image": null}',
    )
    store.write_batch(1, [sold_out], [], [])
    assert store.redirect_chain(1, sold_out.url) == [sold_out]
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
