"""The SQLite run store (the default): one file, many runs, written in batches."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from ground.errors import CrawlError
from ground.model import Fetch, Finding, Reference, SitemapEntry
from store.rows import FETCH_COLUMNS, FINDING_COLUMNS, fetch_row, finding_row
from store.schema import SCHEMA_VERSION, Table, newer_schema, statements
from store.sql import SqlStore


class SqliteStore(SqlStore):
    def __init__(self, path: str):
        self.path = path
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise newer_schema(path, version)
            self.schema_found = version
            with self._db:
                for statement in statements(version, "sqlite"):
                    self._db.executescript(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise CrawlError(f"store {path}: cannot open it for writing ({exc})") from None

    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
        replaced: Iterable[str] = (),
    ) -> None:
        try:
            with self._db:
                self._forget_pages(run_id, replaced)
                self._insert_findings(run_id, findings)
                self._db.executemany(
                    f"INSERT OR REPLACE INTO fetches (run_id, {FETCH_COLUMNS})"
                    f" VALUES (?, {', '.join('?' for _ in FETCH_COLUMNS.split(','))})",
                    ((run_id, *fetch_row(f)) for f in fetches),
                )
                # a Reference is the row, its kind given as a plain str: sqlite3 binds a str
                # subclass (an enum) only after looking for an adapter, which costs more
                # than the unpacking (the run id is an int, written into the statement)
                self._db.executemany(
                    "INSERT INTO refs (run_id, source, kind, raw, url, target, text, method)"
                    f" VALUES ({int(run_id)}, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (source, kind.value, raw, url, target, text, method)
                        for source, kind, raw, url, target, text, method in refs
                    ),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO sitemap_entries (run_id, sitemap, url, lastmod)"
                    " VALUES (?, ?, ?, ?)",
                    ((run_id, e.sitemap, e.url, e.lastmod) for e in sitemap_entries),
                )
        except sqlite3.OperationalError as exc:  # the disk full, the file locked too long
            raise CrawlError(f"store {self.path}: cannot write ({exc})") from None

    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        with self._db:
            self._insert_findings(run_id, findings)

    def _insert_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        self._db.executemany(
            f"INSERT OR IGNORE INTO findings (run_id, {FINDING_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (finding_row(run_id, f) for f in findings),
        )

    def load(self, rows_by_table: Iterable[tuple[Table, Iterable[tuple]]]) -> dict[str, int]:
        loaded = {}
        with self._db:
            for table, rows in rows_by_table:
                values = ", ".join("?" * len(table.columns))
                cursor = self._db.executemany(
                    f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({values})",
                    rows,
                )
                loaded[table.name] = cursor.rowcount
        return loaded

    def _transaction(self) -> AbstractContextManager[Any]:
        return self._db

    def _select(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self._db.execute(sql, tuple(params)).fetchall()

    def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[tuple]:
        return self._db.execute(sql, tuple(params))

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        self._db.execute(sql, tuple(params))

    def _execute_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self._db.executemany(sql, rows)

    def close(self) -> None:
        self._db.close()
