"""Crawl progress: a live line on a terminal, plain periodic log lines elsewhere (CI)."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class CrawlProgress:
    """Shows pages done, queued, errors and pages/s while the crawl runs.

    SHOPLINT_PROGRESS: "auto" (live on a terminal, log lines otherwise), "live", "log" or
    "off"; SHOPLINT_PROGRESS_INTERVAL: seconds between log lines.
    """

    def __init__(self, crawler: Crawler, mode: str, interval: float):
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self._started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._live: Live | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        mode = crawler.settings.get("SHOPLINT_PROGRESS", "auto")
        if mode == "off":
            raise NotConfigured
        if mode == "auto":
            mode = "live" if sys.stderr.isatty() else "log"
        interval = (
            0.5 if mode == "live" else crawler.settings.getfloat("SHOPLINT_PROGRESS_INTERVAL")
        )
        extension = cls(crawler, mode, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        self._started = time.monotonic()
        if self.mode == "live":
            self._live = Live(console=Console(stderr=True), refresh_per_second=4, transient=True)
            self._live.start()
        self._loop = task.LoopingCall(self.show)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._live is not None:
            self._live.stop()
        print(self.line(), file=sys.stderr)

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("shoplint/pages", 0)
        fetched = stats.get_value("shoplint/fetched", 0)
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        errors = stats.get_value("shoplint/http_errors", 0) + stats.get_value(
            "shoplint/failures", 0
        )
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return (
            f"crawl: {pages} pages, {fetched} URLs fetched, {queued} queued, {errors} errors,"
            f" {pages / elapsed:.1f} pages/s, {elapsed:.0f} s"
        )

    def show(self) -> None:
        if self._live is not None:
            self._live.update(Text(self.line(), style="bold"))
        else:
            print(self.line(), file=sys.stderr, flush=True)
