"""The item pipeline: writes what the spider yields to the run store, in batches."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any

from scrapy.crawler import Crawler

from checks.engine import page_findings, page_rules_on
from checks.page import Page
from crawler.check_workers import check_context, check_in_worker, findings_of, start_pool
from crawler.items import CrawledUrl, SitemapUrls
from shoplint.model import Fetch, Finding, Reference, SitemapEntry
from shoplint.store import Store, open_store

logger = logging.getLogger(__name__)


class PageChecksPipeline:
    """Runs the page rules on each parsed page, then lets the tree and the bytes go: the
    store never sees them. In a check worker (crawler/check_workers.py) when there is one,
    else on the tree the spider parsed. Should the worker die, the crawl's own process takes
    over: no page goes unchecked."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.context_args = (
            settings.getdict("SHOPLINT_CHECKS"),
            settings["SHOPLINT_START_URL"],
            settings["SHOPLINT_TODAY"],
            settings.getlist("SHOPLINT_SITE_HOSTS"),
        )
        self.context = check_context(*self.context_args)
        self.workers = settings.getint("SHOPLINT_CHECK_WORKERS")
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageChecksPipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        if self.workers and page_rules_on(self.context):
            self.pool = start_pool(self.workers, self.context_args)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not (isinstance(item, CrawledUrl) and item.doc is not None):
            return item
        if self.pool is None:
            findings = page_findings(Page(item.fetch, item.doc, item.refs), self.context)
        else:
            findings = await self._in_worker(self.pool, item)
        return replace(item, doc=None, body=b"", findings=findings)

    async def _in_worker(self, pool: ProcessPoolExecutor, item: CrawledUrl) -> tuple[Finding, ...]:
        args = (item.fetch, item.refs, item.body, item.encoding)
        try:
            return await asyncio.wrap_future(pool.submit(check_in_worker, *args))
        except BrokenProcessPool as error:
            if self.pool is pool:  # the first page to learn it says so
                logger.warning(
                    "page checks: the check worker stopped (%s); the crawl's "
                    "process checks the pages from now on",
                    error,
                )
                self.pool = None
        return findings_of(*args, self.context)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.pool.shutdown()


class StorePipeline:
    """Buffers records and writes them one transaction per batch, so memory stays flat
    however large the site, and at most one batch is lost if the process is killed."""

    def __init__(self, store_path: str, run_id: int, batch_size: int, flush_seconds: float):
        self.store_path = store_path
        self.run_id = run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.store: Store | None = None
        self._fetches: list[Fetch] = []
        self._refs: list[Reference] = []
        self._entries: list[SitemapEntry] = []
        self._findings: list[Finding] = []
        self._last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        return cls(
            settings["SHOPLINT_STORE_PATH"],
            settings.getint("SHOPLINT_RUN_ID"),
            settings.getint("SHOPLINT_STORE_BATCH_SIZE"),
            settings.getfloat("SHOPLINT_STORE_FLUSH_SECONDS"),
        )

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.store_path)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, CrawledUrl):
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

    def flush(self) -> None:
        assert self.store is not None
        self.store.write_batch(
            self.run_id, self._fetches, self._refs, self._entries, self._findings
        )
        self._fetches, self._refs, self._entries, self._findings = [], [], [], []
        self._last_flush = time.monotonic()

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
        assert self.store is not None
        self.store.close()
