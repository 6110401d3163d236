"""The PostgreSQL run store: one database for many runs, many crawl workers writing at once
and reports reading while they do (the `distributed` extra: psycopg 3).

Batches go in with COPY. Rows that may meet a row of the same key (fetches, sitemap
entries, findings) are copied into a temporary table first and merged from there with
INSERT ... ON CONFLICT, in key order: concurrent writers take their row locks in the same
order, so they wait for each other but never in a circle; a batch that is chosen as a
deadlock's victim all the same is written once more.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from functools import cache
from typing import Any, TypeVar

import psycopg
from psycopg import errors

from ground.errors import CrawlError
from ground.model import Fetch, Finding, Reference, SitemapEntry
from store.locations import shown
from store.rows import fetch_row, finding_row
from store.schema import SCHEMA_VERSION, Table, newer_schema, statements, tables
from store.sql import SqlStore

T = TypeVar("T")

# rows per round trip when a large result is read (libpq 17 or newer; else one at a time)
_STREAM_ROWS = 5000 if psycopg.capabilities.has_stream_chunked() else 1
_SCHEMA_LOCK = 0x73686F706C696E74  # pg_advisory_xact_lock key: one schema upgrade at a time
_COLUMNS = {table.name: table.columns for table in tables()}
# table -> (the order rows are merged in: its unique key, what a row of the same key does)
_MERGES = {
    "fetches": (
        "run_id, url",
        "ON CONFLICT (run_id, url) DO UPDATE SET "  # the later fetch stands (a re-fetch)
        + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS["fetches"][2:]),
    ),
    "sitemap_entries": (
        "run_id, sitemap, url",
        "ON CONFLICT (run_id, sitemap, url) DO UPDATE SET lastmod = excluded.lastmod",
    ),
    "findings": ("run_id, code, url, COALESCE(target, '')", "ON CONFLICT DO NOTHING"),
}


class PostgresStore(SqlStore):
    def __init__(self, url: str, password: str | None = None):
        self.where = shown(url)
        self._url, self._password = url, password
        self._readers: list[psycopg.Connection] = []  # idle connections of _stream
        self._merge_tables_on: psycopg.Connection | None = None  # where _merge's tables are
        with self._guard():
            self._conn = _connect(url, password)
            try:
                self._migrate()
            except BaseException:  # refused (a newer schema) or failed: not left open
                self._conn.close()
                raise

    def _migrate(self) -> None:
        version = self.schema_found = self._schema_version()
        if version == SCHEMA_VERSION:
            return
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            version = self._schema_version()  # another process may have been first
            if version > SCHEMA_VERSION:
                raise newer_schema(self.where, version)
            if version == SCHEMA_VERSION:
                return
            for statement in statements(version, "postgresql"):
                self._conn.execute(statement)
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            self._conn.execute("DELETE FROM schema_version")
            self._conn.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION,))

    def _schema_version(self) -> int:
        """The schema's version; 0 for a database without shoplint's tables."""
        if not self._select("SELECT 1 WHERE to_regclass('schema_version') IS NOT NULL"):
            return 0
        (version,) = self._select("SELECT MAX(version) FROM schema_version")[0]
        return version or 0

    # -- batch writes -------------------------------------------------------------------

    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
        replaced: Iterable[str] = (),
    ) -> None:
        # materialised once: a batch written again after a deadlock writes the same rows
        finding_rows = _findings_rows(run_id, findings)
        fetch_rows = [
            (run_id, *fetch_row(f)) for f in _one_per_key(fetches, lambda f: f.url, last=True)
        ]
        refs = refs if isinstance(refs, list) else list(refs)
        entries = _one_per_key(sitemap_entries, lambda e: (e.sitemap, e.url), last=True)
        entry_rows = [(run_id, e.sitemap, e.url, e.lastmod) for e in entries]
        replaced = list(replaced)

        def write() -> None:
            self._forget_pages(run_id, replaced)
            self._merge("findings", finding_rows)
            self._merge("fetches", fetch_rows)
            if refs:
                columns = ", ".join(_COLUMNS["refs"])
                with self._conn.cursor().copy(f"COPY refs ({columns}) FROM STDIN") as copy:
                    for ref in refs:
                        copy.write_row((run_id, *ref))
            self._merge("sitemap_entries", entry_rows)

        self._write(write)

    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        rows = _findings_rows(run_id, findings)
        self._write(lambda: self._merge("findings", rows))

    def _merge(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = ", ".join(_COLUMNS[table])
        order, on_conflict = _MERGES[table]
        with self._conn.cursor().copy(f"COPY merge_{table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self._conn.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM merge_{table}"
            f" ORDER BY {order} {on_conflict}"
        )

    def _write(self, write: Callable[[], None]) -> None:
        """`write()` in a transaction; once more if it was a deadlock's victim or could not
        be serialised (the other transaction has gone through by then)."""
        for attempt in (1, 2):
            try:
                with self._transaction():
                    if self._merge_tables_on is not self._conn:
                        for table in _MERGES:
                            self._conn.execute(
                                f"CREATE TEMPORARY TABLE IF NOT EXISTS merge_{table} ON COMMIT"
                                f" DELETE ROWS AS SELECT {', '.join(_COLUMNS[table])}"
                                f" FROM {table} WITH NO DATA"
                            )
                    write()
                self._merge_tables_on = self._conn  # committed: they stay with the connection
                return
            except errors.TransactionRollback as exc:
                if attempt == 2:
                    detail = _detail(exc, self._password)
                    raise CrawlError(f"store {self.where}: {detail}") from None

    # -- the whole store, table by table ------------------------------------------------

    def load(self, rows_by_table: Iterable[tuple[Table, Iterable[tuple]]]) -> dict[str, int]:
        loaded = {}
        with self._transaction():
            for table, rows in rows_by_table:
                cursor = self._conn.cursor()
                with cursor.copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as c:
                    for row in rows:
                        c.write_row(row)
                loaded[table.name] = cursor.rowcount
            # new runs are numbered on from the ones copied
            self._conn.execute(
                "SELECT setval(pg_get_serial_sequence('runs', 'id'), MAX(id)) FROM runs"
                " HAVING MAX(id) IS NOT NULL"
            )
        return loaded

    # -- the connection -----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard(), ExitStack() as stack:
            try:
                stack.enter_context(self._live().transaction())
            except psycopg.OperationalError:
                if not self._conn.closed:
                    raise
                # lost while idle (nothing was sent yet): once more, on a new connection
                stack.enter_context(self._live().transaction())
            yield

    def _select(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self._guard():
            return self._live().execute(_pg(sql), tuple(params)).fetchall()

    def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[tuple]:
        """Rows streamed a chunk at a time on a connection of their own, free again when
        the last row is read: the store's connection stays free for queries made while
        reading, and no result is held whole, neither here nor on the server."""
        with self._guard():
            reader = self._readers.pop() if self._readers else _connect(self._url, self._password)
        try:
            with self._guard():
                yield from reader.cursor().stream(_pg(sql), tuple(params), size=_STREAM_ROWS)
        except BaseException:  # left half-read too: its rows may still be on their way
            reader.close()
            raise
        self._readers.append(reader)

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        with self._guard():
            self._live().execute(_pg(sql), tuple(params))

    def _execute_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        with self._guard():
            self._live().cursor().executemany(_pg(sql), [tuple(row) for row in rows])

    def _live(self) -> psycopg.Connection:
        """The store's connection; a new one if the last was lost (the database restarted
        while a long crawl ran, say)."""
        if self._conn.closed:
            self._conn = _connect(self._url, self._password)
        return self._conn

    def _guard(self) -> AbstractContextManager[None]:
        return _reaching(self.where, self._password)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
        with suppress(AttributeError):  # never connected
            self._conn.close()


def postgres_store_exists(url: str, password: str | None = None) -> bool:
    """Whether the database at `url` holds a run store (a reachable database without
    shoplint's tables does not)."""
    with _reaching(shown(url), password), _connect(url, password) as conn:
        (found,) = conn.execute("SELECT to_regclass('runs') IS NOT NULL").fetchone()
    return bool(found)


@contextmanager
def _reaching(where: str, password: str | None) -> Iterator[None]:
    """The database gone (stopped, restarted, the network down), or refusing the
    connection: one line naming the store, for exit 3. Other errors are shoplint's own,
    and left as they are."""
    try:
        yield
    except errors.TransactionRollback:
        raise  # PostgresStore._write tries once more
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise CrawlError(f"store {where}: {_detail(exc, password)}") from None


def _detail(error: psycopg.Error, password: str | None) -> str:
    """The first line of the error, which names what happened (the password blanked out,
    should libpq ever quote it)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    detail = lines[0] if lines else type(error).__name__
    return detail.replace(password, "***") if password else detail


def _connect(url: str, password: str | None) -> psycopg.Connection:
    """A connection that commits each statement unless a transaction is opened; the
    password, if given, goes to libpq as a parameter, never into the URL."""
    extra = {"password": password} if password else {}
    return psycopg.connect(url, autocommit=True, **extra)


@cache
def _pg(sql: str) -> str:
    """The shared SQL's `?` parameters as psycopg's `%s`."""
    return sql.replace("%", "%%").replace("?", "%s")


def _one_per_key(rows: Iterable[T], key: Callable[[T], Hashable], last: bool) -> list[T]:
    """One row per key: the last written, as INSERT OR REPLACE keeps, or the first, as
    INSERT OR IGNORE does (a merge may meet each key only once)."""
    chosen: dict[Hashable, T] = {}
    for row in rows:
        if last:
            chosen[key(row)] = row
        else:
            chosen.setdefault(key(row), row)
    return list(chosen.values())


def _findings_rows(run_id: int, findings: Iterable[Finding]) -> list[tuple]:
    unique = _one_per_key(findings, lambda f: (f.code, f.url, f.target or ""), last=False)
    return [finding_row(run_id, f) for f in unique]
