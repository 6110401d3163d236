"""What every SQL store does the same way: the roles' queries, written once in the SQL that
SQLite (3.35 or newer) and PostgreSQL both speak, with `?` for parameters. A backend
supplies the connection (the few primitives at the end) and its own batch writes."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from ground.model import (
    ExternalCheck,
    Fetch,
    Finding,
    FlowEnd,
    FlowOutcome,
    LinkVerdict,
    Reference,
    RefKind,
    RunInfo,
    RunStatus,
    Severity,
    SitemapEntry,
    walk_redirects,
)
from store.rows import FETCH_COLUMNS, FINDING_COLUMNS, RUN_COLUMNS, fetch_of, run_info_of, steps_of
from store.schema import Table

_SQL_VARIABLES = 500  # parameters per IN (...) list, well under SQLite's limit
_NAVIGABLE_KINDS = tuple(kind.value for kind in RefKind if kind.navigable)  # SQL literal
_SEVERITIES = {severity.value: severity for severity in Severity}  # faster than Severity(s)
_REF_KINDS = {kind.value: kind for kind in RefKind}  # faster than RefKind(k)


def _in_chunks(values: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """`values` some hundreds at a time, each chunk with its "?, ?, ..." for an IN list
    (SQLite limits a statement's parameters)."""
    for start in range(0, len(values), _SQL_VARIABLES):
        chunk = list(values[start : start + _SQL_VARIABLES])
        yield chunk, ", ".join("?" * len(chunk))


def _of_kinds(kinds: Iterable[RefKind] | None) -> str:
    """The SQL condition on a reference's kind (none: every kind); the kinds are ours."""
    if kinds is None:
        return ""
    return f" AND kind IN {tuple(k.value for k in kinds) + ('',)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqlStore(ABC):
    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, start_url: str, config_digest: str, today: str) -> int:
        with self._transaction():
            (run_id,) = self._select(
                "INSERT INTO runs (start_url, config_digest, started_at, status, today)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (start_url, config_digest, now_iso(), RunStatus.RUNNING, today),
            )[0]
        return int(run_id)

    def reopen_run(self, run_id: int) -> None:
        with self._transaction():
            self._execute(
                "UPDATE runs SET status = ?, finished_at = NULL WHERE id = ?",
                (RunStatus.RUNNING, run_id),
            )

    def finish_run(self, run_id: int, status: RunStatus, counters: dict[str, int]) -> None:
        with self._transaction():
            self._execute(
                "UPDATE runs SET status = ?, finished_at = ?, counters = ? WHERE id = ?",
                (status, now_iso(), json.dumps(counters, sort_keys=True), run_id),
            )

    def latest_unfinished_run(self, start_url: str) -> RunInfo | None:
        """The newest run of `start_url` that was interrupted or died while running."""
        rows = self._select(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE start_url = ? AND status IN (?, ?)"
            " ORDER BY id DESC LIMIT 1",
            (start_url, RunStatus.INTERRUPTED, RunStatus.RUNNING),
        )
        return run_info_of(rows[0]) if rows else None

    def run(self, run_id: int) -> RunInfo:
        rows = self._select(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise KeyError(run_id)
        return run_info_of(rows[0])

    # -- crawl results ------------------------------------------------------------------

    def fetched_urls(self, run_id: int) -> Iterator[tuple[str, bool]]:
        """(url, is_page) of every URL the run fetched: what a resumed crawl skips."""
        rows = self._stream("SELECT url, is_page FROM fetches WHERE run_id = ?", (run_id,))
        return ((url, bool(is_page)) for url, is_page in rows)

    def fetches(self, run_id: int) -> Iterator[Fetch]:
        rows = self._stream(
            f"SELECT {FETCH_COLUMNS} FROM fetches WHERE run_id = ? ORDER BY url", (run_id,)
        )
        return (fetch_of(row) for row in rows)

    def references(
        self,
        run_id: int,
        kinds: Iterable[RefKind] | None = None,
        sources: Iterable[str] | None = None,
        targets: Iterable[str] | None = None,
    ) -> Iterator[Reference]:
        """A run's references in document order; only those of `kinds`, and those on the
        pages `sources` or to the addresses `targets` (one of the two), if given: fewer rows
        made into records, most of the cost of a pass over half a million refs. Pages or
        addresses are read some hundreds at a time: in document order for each."""
        query = (
            "SELECT source, kind, raw, url, target, text, method FROM refs WHERE run_id = ?"
            f"{_of_kinds(kinds)}"
        )
        rows: Iterable[tuple]
        if sources is not None:
            rows = self._among(query, run_id, "source", sources)
        elif targets is not None:
            rows = self._among(query, run_id, "target", targets)
        else:
            rows = self._stream(f"{query} ORDER BY rowid", (run_id,))
        kinds = _REF_KINDS
        return (Reference(s, kinds[k], raw, u, t, text, m) for s, k, raw, u, t, text, m in rows)

    def _among(
        self, query: str, run_id: int, column: str, values: Iterable[str]
    ) -> Iterator[tuple]:
        """The rows of `query` whose `column` is one of `values`, in chunks."""
        for chunk, marks in _in_chunks(sorted(set(values))):
            yield from self._stream(
                f"{query} AND {column} IN ({marks}) ORDER BY rowid", (run_id, *chunk)
            )

    def linking_pages(
        self, run_id: int, kinds: Iterable[RefKind]
    ) -> Iterator[tuple[str, str, str]]:
        """(target, least source, greatest source) of every address references of `kinds`
        lead to: whether a page other than X links to it, counted by the database rather
        than row by row (the two differ, or differ from X)."""
        return self._stream(
            "SELECT target, MIN(source), MAX(source) FROM refs WHERE run_id = ?"
            f"{_of_kinds(kinds)} AND target IS NOT NULL GROUP BY target",
            (run_id,),
        )

    def sitemap_entries(self, run_id: int) -> Iterator[SitemapEntry]:
        rows = self._stream(
            "SELECT sitemap, url, lastmod FROM sitemap_entries WHERE run_id = ?", (run_id,)
        )
        return (SitemapEntry(*row) for row in rows)

    def status_counts(self, run_id: int) -> dict[str, int]:
        """How the site answered: URLs per HTTP status, failure reason or robots verdict."""
        rows = self._select(
            """SELECT CASE outcome WHEN 'response' THEN CAST(status AS TEXT)
                                   WHEN 'failed' THEN 'failed: ' || error
                                   ELSE outcome END AS answer, COUNT(*)
                 FROM fetches WHERE run_id = ? GROUP BY answer ORDER BY answer""",
            (run_id,),
        )
        return dict(rows)

    def unfetched_targets(self, run_id: int) -> Iterator[tuple[str, int, bool]]:
        """What a resumed crawl still has to fetch: (url, depth, navigable) for every
        reference, redirect hop and sitemap entry whose target was not fetched yet."""
        rows = self._stream(
            f"""
            SELECT r.target, MIN(f.depth) + 1,
                   MAX(CASE WHEN r.kind IN {_NAVIGABLE_KINDS} THEN 1 ELSE 0 END)
              FROM refs r JOIN fetches f ON f.run_id = r.run_id AND f.url = r.source
             WHERE r.run_id = ? AND r.target IS NOT NULL
               AND (r.kind <> 'form-action' OR r.method = 'GET')  -- a POST is not a link
               AND NOT EXISTS (SELECT 1 FROM fetches g WHERE g.run_id = r.run_id
                                                         AND g.url = r.target)
             GROUP BY r.target
            UNION ALL
            SELECT f.redirect_to, f.depth, 1 FROM fetches f
             WHERE f.run_id = ? AND f.redirect_to IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM fetches g
                                WHERE g.run_id = f.run_id AND g.url = f.redirect_to)
            UNION ALL
            SELECT e.url, 0, 1 FROM sitemap_entries e
             WHERE e.run_id = ?
               AND NOT EXISTS (SELECT 1 FROM fetches g WHERE g.run_id = e.run_id AND g.url = e.url)
            """,
            (run_id, run_id, run_id),
        )
        return ((url, depth, bool(navigable)) for url, depth, navigable in rows)

    def redirect_chain(self, run_id: int, url: str, max_hops: int = 50) -> list[Fetch]:
        return walk_redirects(lambda hop: self._fetch_of(run_id, hop), url, max_hops)

    def _fetch_of(self, run_id: int, url: str) -> Fetch | None:
        rows = self._select(
            f"SELECT {FETCH_COLUMNS} FROM fetches WHERE run_id = ? AND url = ?", (run_id, url)
        )
        return fetch_of(rows[0]) if rows else None

    # -- external-link cache (shared by all runs) ----------------------------------------

    def external_checks(self, urls: Iterable[str]) -> dict[str, ExternalCheck]:
        """The cached results for those of `urls` that were checked before."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, ExternalCheck] = {}
        for chunk, marks in _in_chunks(wanted):
            rows = self._select(
                "SELECT url, verdict, reason, status, checked_at FROM external_checks"
                f" WHERE url IN ({marks})",
                chunk,
            )
            for url, verdict, reason, status, checked_at in rows:
                found[url] = ExternalCheck(url, LinkVerdict(verdict), reason, status, checked_at)
        return found

    def save_external_checks(self, checks: Iterable[ExternalCheck]) -> None:
        """The last answer per URL stands; written in URL order, as every writer does, so
        two runs saving the same URLs at once cannot wait for each other in a circle."""
        latest = {c.url: c for c in sorted(checks, key=lambda c: c.url)}
        with self._transaction():
            self._execute_many(
                "INSERT INTO external_checks (url, verdict, reason, status, checked_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " verdict = excluded.verdict, reason = excluded.reason,"
                " status = excluded.status, checked_at = excluded.checked_at",
                [(c.url, c.verdict, c.reason, c.status, c.checked_at) for c in latest.values()],
            )

    # -- spelling's neighbour cache (shared by all runs) ---------------------------------

    def spelling_neighbours(
        self, dictionaries: str, words: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, ...]]:
        """The known words one slip from each of `words` ((language, word) pairs) found
        before with the same `dictionaries`, for those searched before."""
        by_lang: dict[str, list[str]] = {}
        for lang, word in dict.fromkeys(words):
            by_lang.setdefault(lang, []).append(word)
        found: dict[tuple[str, str], tuple[str, ...]] = {}
        for lang, wanted in by_lang.items():
            for chunk, marks in _in_chunks(wanted):
                rows = self._select(
                    "SELECT word, neighbours FROM spelling_neighbours"
                    f" WHERE dictionaries = ? AND lang = ? AND word IN ({marks})",
                    [dictionaries, lang, *chunk],
                )
                for word, neighbours in rows:
                    found[lang, word] = tuple(neighbours.split()) if neighbours else ()
        return found

    def save_spelling_neighbours(
        self, dictionaries: str, found: Mapping[tuple[str, str], tuple[str, ...]]
    ) -> None:
        """Written in key order, as every writer does (see save_external_checks)."""
        with self._transaction():
            self._execute_many(
                "INSERT INTO spelling_neighbours (lang, word, dictionaries, neighbours)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (lang, word) DO UPDATE SET"
                " dictionaries = excluded.dictionaries, neighbours = excluded.neighbours",
                [
                    (lang, word, dictionaries, " ".join(found[lang, word]))
                    for lang, word in sorted(found)
                ],  # fmt: skip
            )

    # -- findings -----------------------------------------------------------------------

    def findings(self, run_id: int, absent_from: int | None = None) -> list[Finding]:
        """The run's findings; with `absent_from`, only those that run does not have (by
        fingerprint): what was fixed since."""
        rows = self._select(
            f"SELECT {FINDING_COLUMNS} FROM findings WHERE run_id = ? AND fingerprint NOT IN"
            " (SELECT fingerprint FROM findings WHERE run_id = ?)"
            " ORDER BY code, url, target NULLS FIRST",
            (run_id, absent_from),
        )
        return [Finding(c, code, _SEVERITIES[s], *rest) for c, code, s, *rest in rows]

    def finding_by_fingerprint(self, prefix: str) -> list[Finding]:
        """The newest stored finding of each fingerprint starting with `prefix`."""
        rows = self._select(
            f"SELECT {FINDING_COLUMNS} FROM findings WHERE fingerprint >= ? AND fingerprint < ?"
            " ORDER BY run_id DESC",
            (prefix, prefix + "\uffff"),
        )
        newest: dict[str, Finding] = {}
        for c, code, s, *rest in rows:
            newest.setdefault(rest[-1], Finding(c, code, _SEVERITIES[s], *rest))
        return list(newest.values())

    # -- history ------------------------------------------------------------------------

    def latest_run(
        self, start_url: str | None = None, before: int | None = None, complete: bool = False
    ) -> RunInfo | None:
        """The newest finished run (of `start_url`, older than run `before`, complete), or None."""
        where, params = ["status <> ?"], [RunStatus.RUNNING]
        for condition, value, wanted in (
            ("start_url = ?", start_url, start_url is not None),
            ("id < ?", before, before is not None),
            ("status = ?", RunStatus.COMPLETE, complete),
        ):
            if wanted:
                where.append(condition)
                params.append(value)
        rows = self._select(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT 1",
            params,
        )
        return run_info_of(rows[0]) if rows else None

    def fingerprints(self, run_id: int) -> set[str]:
        rows = self._select("SELECT fingerprint FROM findings WHERE run_id = ?", (run_id,))
        return {fingerprint for (fingerprint,) in rows}

    def record_first_seen(self, run_id: int) -> None:
        """Note the run's findings in its site's history (the earliest date wins)."""
        with self._transaction():
            self._execute(
                """INSERT INTO finding_history (start_url, fingerprint, first_seen)
                   SELECT DISTINCT r.start_url, f.fingerprint, r.today
                     FROM findings f JOIN runs r ON r.id = f.run_id WHERE f.run_id = ?
                   ON CONFLICT (start_url, fingerprint) DO UPDATE SET first_seen =
                      CASE WHEN excluded.first_seen < finding_history.first_seen
                           THEN excluded.first_seen ELSE finding_history.first_seen END""",
                (run_id,),
            )

    def first_seen(self, run_id: int) -> dict[str, str]:
        """fingerprint -> the date each finding of the run was first seen on its site."""
        rows = self._select(
            """SELECT f.fingerprint, h.first_seen
                 FROM findings f JOIN runs r ON r.id = f.run_id
                 JOIN finding_history h ON h.start_url = r.start_url
                                       AND h.fingerprint = f.fingerprint
                WHERE f.run_id = ?""",
            (run_id,),
        )
        return dict(rows)

    def trend(self, start_url: str, up_to: int, runs: int) -> list[tuple[RunInfo, dict[str, int]]]:
        """The last `runs` complete runs of `start_url` up to run `up_to` (included
        whatever its status), oldest first, each with its findings counted by severity."""
        rows = self._select(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE start_url = ? AND id <= ?"
            " AND (status = ? OR id = ?) ORDER BY id DESC LIMIT ?",
            (start_url, up_to, RunStatus.COMPLETE, up_to, runs),
        )
        trend = []
        for row in reversed(rows):
            counts = self._select(
                "SELECT severity, COUNT(*) FROM findings WHERE run_id = ? GROUP BY severity",
                (row[0],),
            )
            trend.append((run_info_of(row), dict(counts)))
        return trend

    def prune_runs(self, start_url: str, keep: int) -> list[int]:
        """Delete all but the newest `keep` runs of `start_url`; returns the ids deleted."""
        rows = self._select(
            "SELECT id FROM runs WHERE start_url = ? AND status <> ? ORDER BY id DESC",
            (start_url, RunStatus.RUNNING),
        )
        ids = [(run_id,) for (run_id,) in rows[keep:]]
        if not ids:
            return []
        with self._transaction():
            for table in ("findings", "refs", "fetches", "sitemap_entries", "checkout_flows"):
                self._execute_many(f"DELETE FROM {table} WHERE run_id = ?", ids)
            self._execute_many("DELETE FROM runs WHERE id = ?", ids)
            self._execute(
                """DELETE FROM finding_history WHERE start_url = ? AND NOT EXISTS (
                       SELECT 1 FROM findings f JOIN runs r ON r.id = f.run_id
                        WHERE f.fingerprint = finding_history.fingerprint
                          AND r.start_url = finding_history.start_url)""",
                (start_url,),
            )
        return [run_id for (run_id,) in ids]

    # -- checkout flows -----------------------------------------------------------------

    def add_checkout_flow(self, run_id: int, flow: FlowOutcome) -> None:
        """A flow walked again replaces the one of its name, and goes to the end."""
        steps = [{**asdict(step), "hops": list(step.hops)} for step in flow.steps]
        with self._transaction():
            self._execute(
                "DELETE FROM checkout_flows WHERE run_id = ? AND name = ?", (run_id, flow.name)
            )
            self._execute(
                "INSERT INTO checkout_flows"
                " (run_id, name, start_url, end_state, total_ms, steps) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, flow.name, flow.start_url, flow.end, flow.total_ms, json.dumps(steps)),
            )

    def checkout_flows(self, run_id: int) -> list[FlowOutcome]:
        rows = self._select(
            "SELECT name, start_url, end_state, total_ms, steps FROM checkout_flows"
            " WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
        return [
            FlowOutcome(name, start, FlowEnd(end), total_ms, steps_of(steps))
            for name, start, end, total_ms, steps in rows
        ]

    # -- the whole store, table by table (shoplint db copy) --------------------------------

    def holds_runs(self) -> bool:
        return bool(self._select("SELECT 1 FROM runs LIMIT 1"))

    def dump(self, table: Table) -> Iterator[tuple]:
        """Every row of `table`, in the order written where the order means something
        (references in document order)."""
        order = f" ORDER BY {table.order}" if table.order else ""
        return self._stream(f"SELECT {', '.join(table.columns)} FROM {table.name}{order}")

    # -- what each backend supplies -----------------------------------------------------

    @abstractmethod
    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
        replaced: Iterable[str] = (),
    ) -> None:
        """Write one batch in one transaction, so a crash never leaves a page without
        its references and findings (resume relies on that). `replaced`: pages stored
        before in the run and written again in this batch (rendered after all,
        crawler/render_decision.py): their references and findings written before go."""

    def _forget_pages(self, run_id: int, urls: Iterable[str]) -> None:
        """The references and findings of pages to be written again (write_batch's
        `replaced`), in the batch's transaction: a statement for some hundreds of pages, as
        refs has no index on its page (each statement reads the run's references once)."""
        for chunk, marks in _in_chunks(sorted(set(urls))):
            self._execute(
                f"DELETE FROM refs WHERE run_id = ? AND source IN ({marks})", (run_id, *chunk)
            )
            self._execute(
                f"DELETE FROM findings WHERE run_id = ? AND url IN ({marks})", (run_id, *chunk)
            )

    @abstractmethod
    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        """One finding per (code, url, target): the first one made stands, so a page rule's
        finding (made on the page itself, with its own evidence) is kept over a site rule's
        finding of the same problem after the crawl."""

    @abstractmethod
    def load(self, rows_by_table: Iterable[tuple[Table, Iterable[tuple]]]) -> dict[str, int]:
        """Rows into each table, in one transaction (a copy that fails leaves nothing);
        how many went into each."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _select(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]: ...

    @abstractmethod
    def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[tuple]:
        """Rows of a result that may be large, without holding them all in memory."""

    @abstractmethod
    def _execute(self, sql: str, params: Iterable[Any] = ()) -> None: ...

    @abstractmethod
    def _execute_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None: ...

    @abstractmethod
    def close(self) -> None: ...
