"""The path traps the frontier met (crawler/path_traps.py), written to the run store as the
crawl closes: one fetch row per trap, its first refused address with the outcome
`skipped` and the trap in `error` ("endless_path /agenda/{year}/{month}/"), for the pages
rules to report. The other refused addresses are counted, not stored."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from ground.model import Fetch, Outcome
from store import open_store


class TrapRecords:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapRecords:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        frontier = getattr(self.crawler.spider, "frontier", None)
        traps = getattr(frontier, "traps", ())  # a frontier may keep no path guards
        if not traps:
            return
        settings = self.crawler.settings
        store = open_store(settings["SHOPLINT_STORE_PATH"])
        try:
            rows = [
                Fetch(t.example, t.depth, Outcome.SKIPPED, error=f"{t.reason} {t.pattern}")
                for t in traps
            ]
            store.write_batch(settings.getint("SHOPLINT_RUN_ID"), rows, (), ())
        finally:
            store.close()
