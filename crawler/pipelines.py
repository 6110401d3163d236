"""The item pipeline: writes what the spider yields to the run store, in batches."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from typing import Any

from scrapy.crawler import Crawler

from checks.context import CheckContext
from checks.engine import page_findings
from checks.page import Page
from crawler.items import CrawledUrl, SitemapUrls
from shoplint.config import RuleConfig
from shoplint.model import Fetch, Finding, Reference, SitemapEntry
from shoplint.store import Store, open_store


class PageChecksPipeline:
    """Runs the page rules on each parsed page, on the tree the spider parsed, then lets
    the tree go: the store never sees it."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        rule_config = {
            code: RuleConfig.model_validate(values)
            for code, values in settings.getdict("SHOPLINT_CHECKS").items()
        }
        self.context = CheckContext(
            rule_config,
            settings["SHOPLINT_START_URL"],
            date.fromisoformat(settings["SHOPLINT_TODAY"]),
            site_hosts=settings.getlist("SHOPLINT_SITE_HOSTS"),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageChecksPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, CrawledUrl) and item.doc is not None:
            page = Page(item.fetch, item.doc, item.refs)
            return replace(item, doc=None, findings=page_findings(page, self.context))
        return item


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
