"""The run store: every run's fetches, references, sitemap entries and findings, and the
history and caches kept across runs.

Each phase of a run sees only the role it uses, so a second backend can be written role by
role and no phase can touch what is not its own:

- `CrawlWriter`: the crawl's store pipeline (crawler/pipelines.py) writes fetches,
  references, sitemap entries and page findings in batches.
- `RunReader`: site rules read one run's fetches, references and sitemap entries, through
  checks/site.py's SiteView.
- `LinkCache`: the external-link probe (checks/external.py) remembers answers across runs.
- `RunBook`: the runner (shoplint/runner.py) begins, resumes and finishes runs, and stores
  the site rules' and checkout flows' results.
- `History`: the reports (reports/assemble.py) and `shoplint accept` read stored runs,
  findings, first sightings and trends.

SQLite (store/sqlite.py) is the default, embedded and without set-up, and plays every role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

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
from store.sqlite import SqliteStore

__all__ = [
    "CrawlWriter",
    "History",
    "LinkCache",
    "RunBook",
    "RunReader",
    "SqliteStore",
    "Store",
    "open_store",
]


class CrawlWriter(Protocol):
    def write_batch(
        self,
        run_id: int,
        fetches: Iterable[Fetch],
        refs: Iterable[Reference],
        sitemap_entries: Iterable[SitemapEntry],
        findings: Iterable[Finding] = (),
    ) -> None: ...
    def close(self) -> None: ...


class RunReader(Protocol):
    def fetches(self, run_id: int) -> Iterator[Fetch]: ...
    def references(
        self, run_id: int, kinds: Iterable[RefKind] | None = None
    ) -> Iterator[Reference]: ...
    def sitemap_entries(self, run_id: int) -> Iterator[SitemapEntry]: ...


class LinkCache(Protocol):
    def external_checks(self, urls: Iterable[str]) -> dict[str, ExternalCheck]: ...
    def save_external_checks(self, checks: Iterable[ExternalCheck]) -> None: ...


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


class Store(CrawlWriter, RunReader, LinkCache, RunBook, History, Protocol):
    """Every role at once: what a backend implements, and what `open_store` returns."""


def open_store(path: str) -> Store:
    """Open (creating if needed) the store at `path`; raises CrawlError if it cannot."""
    return SqliteStore(path)
