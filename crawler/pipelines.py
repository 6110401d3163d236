"""The item pipelines: page checks on each parsed page, then the run store, in batches."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Protocol

from scrapy.crawler import Crawler

from crawler.items import CrawledUrl, SitemapUrls
from crawler.signals import BATCH_WRITTEN, FLUSH_STORE, STOP
from ground.errors import CrawlError
from ground.model import Fetch, Finding, Reference, SitemapEntry
from store import CrawlWriter, open_store

STORE_FAILED = "store-failed"  # the finish reason of a crawl whose store could not be written
STORE_FAILURE = "store_failure"  # the crawl's stats: why it could not be written (one line)


class PageChecks(Protocol):
    """What the crawl asks of the page checks it is handed (checks/page_checks.py is one):
    the page's fetch with the facts the checks read off it, and their findings."""

    active: bool  # False: no check reads pages, which then pass unread

    def open(self) -> None: ...
    async def checked(
        self, fetch: Fetch, refs: tuple[Reference, ...], doc: Any, body: bytes, encoding: str
    ) -> tuple[Fetch, tuple[Finding, ...]]: ...
    def close(self) -> None: ...


class PageChecksPipeline:
    """Hands each parsed page to the page checks the run gave the crawl (the spider's
    `page_checks` argument), then lets the tree and the bytes go: the store never sees
    them. Without page checks, pages pass through unchecked."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.checks: PageChecks | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageChecksPipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        checks = getattr(self.crawler.spider, "page_checks", None)
        self.checks = checks if checks is not None and checks.active else None
        if self.checks is not None:
            self.checks.open()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.checks is None or not (isinstance(item, CrawledUrl) and item.doc is not None):
            return item
        fetch, findings = await self.checks.checked(
            item.fetch, item.refs, item.doc, item.body, item.encoding
        )
        return replace(item, fetch=fetch, doc=None, body=b"", findings=findings)

    def close_spider(self, spider: Any = None) -> None:
        if self.checks is not None:
            self.checks.close()


class StorePipeline:
    """Buffers records and writes them one transaction per batch, so memory stays flat
    however large the site, and at most one batch is lost if the process is killed. The
    path traps the frontier met go with the last batch. A batch the store cannot take (the
    database went away) stops the crawl: nothing after it is written, and the run can be
    resumed once the store is back."""

    def __init__(
        self,
        crawler: Crawler,
        store_path: str,
        run_id: int,
        batch_size: int,
        flush_seconds: float,
        password_env: str | None = None,
    ):
        self.crawler = crawler
        self.store_path = store_path
        self.password_env = password_env  # store.password_env
        self.run_id = run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.store: CrawlWriter | None = None
        self._fetches: list[Fetch] = []
        self._refs: list[Reference] = []
        self._entries: list[SitemapEntry] = []
        self._findings: list[Finding] = []
        self._replaced: list[str] = []  # pages stored before, their refs and findings to go
        self._last_flush = time.monotonic()
        self.failure: str | None = None  # why the store could not be written

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            settings["SHOPLINT_STORE_PATH"],
            settings.getint("SHOPLINT_RUN_ID"),
            settings.getint("SHOPLINT_STORE_BATCH_SIZE"),
            settings.getfloat("SHOPLINT_STORE_FLUSH_SECONDS"),
            settings.get("SHOPLINT_STORE_PASSWORD_ENV"),
        )
        crawler.signals.connect(pipeline.flush_held, signal=FLUSH_STORE)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.store_path, self.password_env)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, CrawledUrl):
            if item.again:
                self._replace(item.fetch.url)
            self._fetches.append(item.fetch)
            self._refs.extend(item.refs)
            self._findings.extend(item.findings)
        elif isinstance(item, SitemapUrls):
            self._entries.extend(item.entries)
        if (
            len(self._fetches) >= self.batch_size
            or time.monotonic() - self._last_flush >= self.flush_seconds
        ):
            self.flush()
        return item

    def _replace(self, url: str) -> None:
        """A page stored before comes again (rendered after all): its references and
        findings, held or written, go; its fetch row is overwritten."""
        self._refs = [ref for ref in self._refs if ref.source != url]
        self._findings = [finding for finding in self._findings if finding.url != url]
        self._replaced.append(url)

    def flush(self) -> None:
        assert self.store is not None
        fetches, refs, entries, findings = self._fetches, self._refs, self._entries, self._findings
        self._fetches, self._refs, self._entries, self._findings = [], [], [], []
        replaced, self._replaced = self._replaced, []
        self._last_flush = time.monotonic()
        if self.failure is not None:
            return
        try:
            self.store.write_batch(self.run_id, fetches, refs, entries, findings, replaced)
        except CrawlError as error:
            self.failure = str(error)
            self.crawler.stats.set_value(STORE_FAILURE, self.failure)
            self.crawler.signals.send_catch_log(STOP, reason=STORE_FAILED)
            return
        self.crawler.signals.send_catch_log(BATCH_WRITTEN, urls=[fetch.url for fetch in fetches])

    def flush_held(self) -> None:
        """Writes what is held now: the crawl went idle, and a shared crawl's other
        processes learn from the store what this one has done."""
        if self.store is not None and (self._fetches or self._entries or self._findings):
            self.flush()

    def close_spider(self, spider: Any = None) -> None:
        frontier = getattr(self.crawler.spider, "frontier", None)
        self._fetches.extend(trap.record() for trap in getattr(frontier, "traps", ()))
        self.flush()
        assert self.store is not None
        self.store.close()
