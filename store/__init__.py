"""The run store: every run's fetches, references, sitemap entries and findings, and the
history and caches kept across runs.

Each phase of a run sees only the role it uses, so a second backend can be written role by
role and no phase can touch what is not its own:

- `CrawlWriter`: the crawl's store pipeline (crawler/pipelines.py) writes fetches,
  references, sitemap entries and page findings in batches.
- `RunReader`: site rules read one run's fetches, references and sitemap entries, through
  checks/site.py's SiteView.
- `LinkCache`: the external-link probe (checks/external.py) remembers answers across runs.
- `SpellingCache`: the spelling rules (checks/spelling/judge.py) remember their searches
  across runs.
- `RunBook`: the runner (shoplint/runner.py) begins, resumes and finishes runs, and stores
  the site rules' and checkout flows' results.
- `History`: the reports (reports/assemble.py) and `shoplint accept` read stored runs,
  findings, first sightings and trends.
- `Upkeep`: `shoplint db` upgrades a store's schema and copies every table into another.

SQLite (store/sqlite.py) is the default, embedded and without set-up; PostgreSQL
(store/postgres.py, the `distributed` extra) is for runs shared by many machines and teams.
Each plays every role, with the same answers: what they share is written once (store/sql.py,
and the schema, store/schema.sql and store/schema.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

from ground.errors import ConfigError
from ground.model import (
    ExternalCheck,
    Fetch,
    Finding,
    FlowOutcome,
    Reference,
    RefKind,
    RunInfo,
    RunStatus,
    SitemapEntry,
)
from store.locations import is_postgres, password_from, shown
from store.schema import Table
from store.sqlite import SqliteStore

__all__ = [
    "CrawlWriter",
    "History",
    "LinkCache",
    "RunBook",
    "RunReader",
    "SpellingCache",
    "SqliteStore",
    "Store",
    "Upkeep",
    "open_store",
    "shown",
    "store_exists",
]


class CrawlWriter(Protocol):
    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
        replaced: Iterable[str] = (),
    ) -> None: ...
    def close(self) -> None: ...


class RunReader(Protocol):
    def fetches(self, run_id: int) -> Iterator[Fetch]: ...
    def references(
        self,
        run_id: int,
        kinds: Iterable[RefKind] | None = None,
        sources: Iterable[str] | None = None,
        targets: Iterable[str] | None = None,
    ) -> Iterator[Reference]: ...
    def linking_pages(
        self, run_id: int, kinds: Iterable[RefKind]
    ) -> Iterator[tuple[str, str, str]]: ...
    def sitemap_entries(self, run_id: int) -> Iterator[SitemapEntry]: ...


class LinkCache(Protocol):
    def external_checks(self, urls: Iterable[str]) -> dict[str, ExternalCheck]: ...
    def save_external_checks(self, checks: Iterable[ExternalCheck]) -> None: ...


class SpellingCache(Protocol):
    def spelling_neighbours(
        self, dictionaries: str, words: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, ...]]: ...
    def save_spelling_neighbours(
        self, dictionaries: str, found: Mapping[tuple[str, str], tuple[str, ...]]
    ) -> None: ...


class RunBook(Protocol):
    def begin_run(self, start_url: str, config_digest: str, today: str) -> int: ...
    def reopen_run(self, run_id: int) -> None: ...
    def latest_unfinished_run(self, start_url: str) -> RunInfo | None: ...
    def fetched_urls(self, run_id: int) -> Iterator[tuple[str, bool]]: ...
    def unfetched_targets(self, run_id: int) -> Iterator[tuple[str, int, bool]]: ...
    def redirect_chain(self, run_id: int, url: str, max_hops: int = 50) -> list[Fetch]: ...
    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None: ...
    def add_checkout_flow(self, run_id: int, flow: FlowOutcome) -> None: ...
    def finish_run(self, run_id: int, status: RunStatus, counters: dict[str, int]) -> None: ...
    def record_first_seen(self, run_id: int) -> None: ...
    def prune_runs(self, start_url: str, keep: int) -> list[int]: ...
    def close(self) -> None: ...


class History(Protocol):
    def run(self, run_id: int) -> RunInfo: ...
    def latest_run(
        self, start_url: str | None = None, before: int | None = None, complete: bool = False
    ) -> RunInfo | None: ...
    def findings(self, run_id: int, absent_from: int | None = None) -> list[Finding]: ...
    def finding_by_fingerprint(self, prefix: str) -> list[Finding]: ...
    def fingerprints(self, run_id: int) -> set[str]: ...
    def first_seen(self, run_id: int) -> dict[str, str]: ...
    def trend(
        self, start_url: str, up_to: int, runs: int
    ) -> list[tuple[RunInfo, dict[str, int]]]: ...
    def status_counts(self, run_id: int) -> dict[str, int]: ...
    def checkout_flows(self, run_id: int) -> list[FlowOutcome]: ...


class Upkeep(Protocol):
    schema_found: int  # the schema version the store had when opened; 0: made just now

    def holds_runs(self) -> bool: ...
    def dump(self, table: Table) -> Iterator[tuple]: ...
    def load(self, rows_by_table: Iterable[tuple[Table, Iterable[tuple]]]) -> dict[str, int]: ...


class Store(CrawlWriter, RunReader, LinkCache, SpellingCache, RunBook, History, Upkeep, Protocol):
    """Every role at once: what a backend implements, and what `open_store` returns."""


def open_store(location: str, password_env: str | None = None) -> Store:
    """Open (creating or upgrading its schema if needed) the store at `location`, a SQLite
    file or a PostgreSQL URL; `password_env` names the environment variable holding the
    database's password (store.password_env). Raises CrawlError if it cannot."""
    if not is_postgres(location):
        return SqliteStore(location)
    from store.postgres import PostgresStore

    return PostgresStore(location, _postgres_password(location, password_env))


def store_exists(location: str, password_env: str | None = None) -> bool:
    """Whether a run store is there already: the commands that only read runs make none."""
    if not is_postgres(location):
        return Path(location).is_file()
    from store.postgres import postgres_store_exists

    return postgres_store_exists(location, _postgres_password(location, password_env))


def _postgres_password(location: str, password_env: str | None) -> str | None:
    """The password for a PostgreSQL store, once it is sure psycopg is there to use it."""
    if find_spec("psycopg") is None:
        raise ConfigError(
            f"store {shown(location)}: a PostgreSQL store needs the distributed extra:"
            " pip install 'shoplint[distributed]'"
        )
    return password_from(password_env)
