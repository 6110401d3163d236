"""The SQLite run store (the default): one file, many runs, written in batches."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from ground.errors import CrawlError
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
from store.rows import FETCH_COLUMNS, RUN_COLUMNS, fetch_of, fetch_row, run_info_of, steps_of

SCHEMA_VERSION = 2
_UPGRADES = {  # version -> the statements that bring a store of the version before up to it
    2: (
        "ALTER TABLE fetches ADD COLUMN availability TEXT",
        "ALTER TABLE fetches ADD COLUMN updated TEXT",
    ),
}
_SQL_VARIABLES = 500  # parameters per IN (...) list, well under SQLite's limit
_NAVIGABLE_KINDS = tuple(kind.value for kind in RefKind if kind.navigable)  # SQL literal
_SEVERITIES = {severity.value: severity for severity in Severity}  # faster than Severity(s)
_REF_KINDS = {kind.value: kind for kind in RefKind}  # faster than RefKind(k)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteStore:
    def __init__(self, path: str):
        self.path = path
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise CrawlError(f"store {path}: cannot open it for writing ({exc})") from None

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"made by a newer shoplint (schema {version}, this one knows {SCHEMA_VERSION})"
            )
        schema = files("store").joinpath("schema.sql").read_text(encoding="utf-8")
        with self._db:
            # version 0 is a new store: the schema below creates its tables as they are now
            for upgrade in range(version + 1, SCHEMA_VERSION + 1) if version else ():
                for statement in _UPGRADES[upgrade]:
                    self._db.execute(statement)
            self._db.executescript(schema)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, start_url: str, config_digest: str, today: str) -> int:
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO runs (start_url, config_digest, started_at, status, today)"
                " VALUES (?, ?, ?, ?, ?)",
                (start_url, config_digest, now_iso(), RunStatus.RUNNING, today),
            )
        return int(cursor.lastrowid)

    def reopen_run(self, run_id: int) -> None:
        with self._db:
            self._db.execute(
                "UPDATE runs SET status = ?, finished_at = NULL WHERE id = ?",
                (RunStatus.RUNNING, run_id),
            )

    def finish_run(self, run_id: int, status: RunStatus, counters: dict[str, int]) -> None:
        with self._db:
            self._db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, counters = ? WHERE id = ?",
                (status, now_iso(), json.dumps(counters, sort_keys=True), run_id),
            )

    def latest_unfinished_run(self, start_url: str) -> RunInfo | None:
        """The newest run of `start_url` that was interrupted or died while running."""
        row = self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE start_url = ? AND status IN (?, ?)"
            " ORDER BY id DESC LIMIT 1",
            (start_url, RunStatus.INTERRUPTED, RunStatus.RUNNING),
        ).fetchone()
        return run_info_of(row) if row else None

    def run(self, run_id: int) -> RunInfo:
        row = self._db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        return run_info_of(row)

    # -- crawl results ------------------------------------------------------------------

    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
    ) -> None:
        """Write one batch in one transaction, so a crash never leaves a page without
        its references and findings (resume relies on that)."""
        with self._db:
            self._insert_findings(run_id, findings)
            self._db.executemany(
                f"INSERT OR REPLACE INTO fetches (run_id, {FETCH_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, *fetch_row(f)) for f in fetches),
            )
            # a Reference is already the row: no Python work per reference (the run id is
            # an int, written into the statement)
            self._db.executemany(
                "INSERT INTO refs (run_id, source, kind, raw, url, target, text, method)"
                f" VALUES ({int(run_id)}, ?, ?, ?, ?, ?, ?, ?)",
                refs,
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO sitemap_entries (run_id, sitemap, url, lastmod)"
                " VALUES (?, ?, ?, ?)",
                ((run_id, e.sitemap, e.url, e.lastmod) for e in sitemap_entries),
            )

    def fetched_urls(self, run_id: int) -> Iterator[tuple[str, bool]]:
        """(url, is_page) of every URL the run fetched: what a resumed crawl skips."""
        rows = self._db.execute("SELECT url, is_page FROM fetches WHERE run_id = ?", (run_id,))
        return ((url, bool(is_page)) for url, is_page in rows)

    def fetches(self, run_id: int) -> Iterator[Fetch]:
        rows = self._db.execute(
            f"SELECT {FETCH_COLUMNS} FROM fetches WHERE run_id = ? ORDER BY url", (run_id,)
        )
        return (fetch_of(row) for row in rows)

    def references(
        self, run_id: int, kinds: Iterable[RefKind] | None = None
    ) -> Iterator[Reference]:
        """A run's references in document order; only those of `kinds` if given (fewer
        rows made into records: most of the cost of a pass over half a million refs)."""
        only = f" AND kind IN {tuple(k.value for k in kinds) + ('',)}" if kinds is not None else ""
        rows = self._db.execute(
            "SELECT source, kind, raw, url, target, text, method FROM refs WHERE run_id = ?"
            f"{only} ORDER BY rowid",
            (run_id,),
        )
        kinds = _REF_KINDS
        return (Reference(s, kinds[k], raw, u, t, text, m) for s, k, raw, u, t, text, m in rows)

    def sitemap_entries(self, run_id: int) -> Iterator[SitemapEntry]:
        rows = self._db.execute(
            "SELECT sitemap, url, lastmod FROM sitemap_entries WHERE run_id = ?", (run_id,)
        )
        return (SitemapEntry(*row) for row in rows)

    def status_counts(self, run_id: int) -> dict[str, int]:
        """How the site answered: URLs per HTTP status, failure reason or robots verdict."""
        rows = self._db.execute(
            """SELECT CASE outcome WHEN 'response' THEN CAST(status AS TEXT)
                                   WHEN 'failed' THEN 'failed: ' || error
                                   ELSE outcome END AS answer, COUNT(*)
                 FROM fetches WHERE run_id = ? GROUP BY answer ORDER BY answer""",
            (run_id,),
        )
        return dict(rows.fetchall())

    def unfetched_targets(self, run_id: int) -> Iterator[tuple[str, int, bool]]:
        """What a resumed crawl still has to fetch: (url, depth, navigable) for every
        reference, redirect hop and sitemap entry whose target was not fetched yet."""
        rows = self._db.execute(
            f"""
            SELECT r.target, MIN(f.depth) + 1, MAX(r.kind IN {_NAVIGABLE_KINDS})
              FROM refs r JOIN fetches f ON f.run_id = r.run_id AND f.url = r.source
             WHERE r.run_id = :run AND r.target IS NOT NULL
               AND (r.kind <> 'form-action' OR r.method = 'GET')  -- a POST is not a link
               AND NOT EXISTS (SELECT 1 FROM fetches g WHERE g.run_id = :run AND g.url = r.target)
             GROUP BY r.target
            UNION ALL
            SELECT f.redirect_to, f.depth, 1 FROM fetches f
             WHERE f.run_id = :run AND f.redirect_to IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM fetches g
                                WHERE g.run_id = :run AND g.url = f.redirect_to)
            UNION ALL
            SELECT e.url, 0, 1 FROM sitemap_entries e
             WHERE e.run_id = :run
               AND NOT EXISTS (SELECT 1 FROM fetches g WHERE g.run_id = :run AND g.url = e.url)
            """,
            {"run": run_id},
        )
        return ((url, depth, bool(navigable)) for url, depth, navigable in rows)

    def redirect_chain(self, run_id: int, url: str, max_hops: int = 50) -> list[Fetch]:
        return walk_redirects(lambda hop: self._fetch_of(run_id, hop), url, max_hops)

    def _fetch_of(self, run_id: int, url: str) -> Fetch | None:
        row = self._db.execute(
            f"SELECT {FETCH_COLUMNS} FROM fetches WHERE run_id = ? AND url = ?", (run_id, url)
        ).fetchone()
        return fetch_of(row) if row else None

    # -- external-link cache (shared by all runs) ----------------------------------------

    def external_checks(self, urls: Iterable[str]) -> dict[str, ExternalCheck]:
        """The cached results for those of `urls` that were checked before."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, ExternalCheck] = {}
        for start in range(0, len(wanted), _SQL_VARIABLES):
            chunk = wanted[start : start + _SQL_VARIABLES]
            rows = self._db.execute(
                "SELECT url, verdict, reason, status, checked_at FROM external_checks"
                f" WHERE url IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for url, verdict, reason, status, checked_at in rows:
                found[url] = ExternalCheck(url, LinkVerdict(verdict), reason, status, checked_at)
        return found

    def save_external_checks(self, checks: Iterable[ExternalCheck]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO external_checks (url, verdict, reason, status, checked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                ((c.url, c.verdict, c.reason, c.status, c.checked_at) for c in checks),
            )

    # -- findings -----------------------------------------------------------------------

    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        with self._db:
            self._insert_findings(run_id, findings)

    def _insert_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        """One finding per (code, url, target): the first one made stands, so a page rule's
        finding (made on the page itself, with its own evidence) is kept over a site rule's
        finding of the same problem after the crawl."""
        self._db.executemany(
            "INSERT OR IGNORE INTO findings (run_id, check_name, code, severity, owner, url,"
            " target, message, evidence, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    run_id,
                    f.check,
                    f.code,
                    f.severity,
                    f.owner,
                    f.url,
                    f.target,
                    f.message,
                    f.evidence,
                    f.fingerprint,
                )
                for f in findings
            ),
        )

    def findings(self, run_id: int, absent_from: int | None = None) -> list[Finding]:
        """The run's findings; with `absent_from`, only those that run does not have (by
        fingerprint): what was fixed since."""
        rows = self._db.execute(
            "SELECT check_name, code, severity, owner, url, target, message, evidence,"
            " fingerprint FROM findings WHERE run_id = ? AND fingerprint NOT IN"
            " (SELECT fingerprint FROM findings WHERE run_id = ?) ORDER BY code, url, target",
            (run_id, absent_from),
        )
        return [Finding(c, code, _SEVERITIES[s], *rest) for c, code, s, *rest in rows]

    def finding_by_fingerprint(self, prefix: str) -> list[Finding]:
        """The newest stored finding of each fingerprint starting with `prefix`."""
        rows = self._db.execute(
            "SELECT check_name, code, severity, owner, url, target, message, evidence,"
            " fingerprint FROM findings WHERE fingerprint >= ? AND fingerprint < ?"
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
        row = self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE status <> :running"
            " AND (:start IS NULL OR start_url = :start) AND (:before IS NULL OR id < :before)"
            " AND (NOT :complete OR status = :done) ORDER BY id DESC LIMIT 1",
            {
                "running": RunStatus.RUNNING,
                "start": start_url,
                "before": before,
                "complete": complete,
                "done": RunStatus.COMPLETE,
            },
        ).fetchone()
        return run_info_of(row) if row else None

    def fingerprints(self, run_id: int) -> set[str]:
        rows = self._db.execute("SELECT fingerprint FROM findings WHERE run_id = ?", (run_id,))
        return {fingerprint for (fingerprint,) in rows}

    def record_first_seen(self, run_id: int) -> None:
        """Note the run's findings in its site's history (the earliest date wins)."""
        with self._db:
            self._db.execute(
                """INSERT INTO finding_history (start_url, fingerprint, first_seen)
                   SELECT r.start_url, f.fingerprint, r.today
                     FROM findings f JOIN runs r ON r.id = f.run_id WHERE f.run_id = ?
                   ON CONFLICT (start_url, fingerprint)
                   DO UPDATE SET first_seen = MIN(first_seen, excluded.first_seen)""",
                (run_id,),
            )

    def first_seen(self, run_id: int) -> dict[str, str]:
        """fingerprint -> the date each finding of the run was first seen on its site."""
        rows = self._db.execute(
            """SELECT f.fingerprint, h.first_seen
                 FROM findings f JOIN runs r ON r.id = f.run_id
                 JOIN finding_history h ON h.start_url = r.start_url
                                       AND h.fingerprint = f.fingerprint
                WHERE f.run_id = ?""",
            (run_id,),
        )
        return dict(rows.fetchall())

    def trend(self, start_url: str, up_to: int, runs: int) -> list[tuple[RunInfo, dict[str, int]]]:
        """The last `runs` complete runs of `start_url` up to run `up_to` (included
        whatever its status), oldest first, each with its findings counted by severity."""
        rows = self._db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE start_url = ? AND id <= ?"
            " AND (status = ? OR id = ?) ORDER BY id DESC LIMIT ?",
            (start_url, up_to, RunStatus.COMPLETE, up_to, runs),
        ).fetchall()
        trend = []
        for row in reversed(rows):
            counts = self._db.execute(
                "SELECT severity, COUNT(*) FROM findings WHERE run_id = ? GROUP BY severity",
                (row[0],),
            )
            trend.append((run_info_of(row), dict(counts.fetchall())))
        return trend

    def prune_runs(self, start_url: str, keep: int) -> list[int]:
        """Delete all but the newest `keep` runs of `start_url`; returns the ids deleted."""
        ids = [
            run_id
            for (run_id,) in self._db.execute(
                "SELECT id FROM runs WHERE start_url = ? AND status <> ?"
                " ORDER BY id DESC LIMIT -1 OFFSET ?",
                (start_url, RunStatus.RUNNING, keep),
            )
        ]
        if not ids:
            return []
        with self._db:
            for table in ("findings", "refs", "fetches", "sitemap_entries", "checkout_flows"):
                self._db.executemany(
                    f"DELETE FROM {table} WHERE run_id = ?", ((run_id,) for run_id in ids)
                )
            self._db.executemany("DELETE FROM runs WHERE id = ?", ((run_id,) for run_id in ids))
            self._db.execute(
                """DELETE FROM finding_history WHERE start_url = :start AND NOT EXISTS (
                       SELECT 1 FROM findings f JOIN runs r ON r.id = f.run_id
                        WHERE f.fingerprint = finding_history.fingerprint
                          AND r.start_url = :start)""",
                {"start": start_url},
            )
        return ids

    # -- checkout flows -----------------------------------------------------------------

    def add_checkout_flow(self, run_id: int, flow: FlowOutcome) -> None:
        steps = [{**asdict(step), "hops": list(step.hops)} for step in flow.steps]
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO checkout_flows"
                " (run_id, name, start_url, end_state, total_ms, steps) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, flow.name, flow.start_url, flow.end, flow.total_ms, json.dumps(steps)),
            )

    def checkout_flows(self, run_id: int) -> list[FlowOutcome]:
        rows = self._db.execute(
            "SELECT name, start_url, end_state, total_ms, steps FROM checkout_flows"
            " WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
        return [
            FlowOutcome(name, start, FlowEnd(end), total_ms, steps_of(steps))
            for name, start, end, total_ms, steps in rows
        ]

    def close(self) -> None:
        self._db.close()
