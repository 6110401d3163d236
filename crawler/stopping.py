"""Stopping a crawl on request (SIGTERM, Ctrl-C, the run's time limit) within seconds.

Scrapy's own close waits for every request in flight: 20 s of download timeout against a
stalled shop, hours against one that drips a byte at a time, while CI's SIGKILL follows
SIGTERM within seconds. So the close is Scrapy's, and its requests get `grace` seconds to
finish; after that those still in flight and those queued are abandoned: an IgnoreRequest
with no errback to hear of it, which Scrapy drops in silence. Nothing is recorded of them,
so `--resume` fetches them again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawler.signals import ABANDON, STOP

logger = logging.getLogger(__name__)

ABANDONED = "abandoned: the crawl was stopping"
_NOT_OPEN_YET = 0.1  # seconds before a stop asked for before the spider opened is tried again


def _abandoned(request: Request, stats: StatsCollector) -> IgnoreRequest:
    """The exception that drops `request`, counted; the spider's errback never hears of it
    (it records every failure: this one is not the shop's)."""
    request.errback = None
    stats.inc_value("shoplint/abandoned")
    return IgnoreRequest(ABANDONED)


class Abandonable:
    """Makes a Scrapy download handler's downloads in flight abandonable at once; put it
    before the handler class it extends."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)  # type: ignore[call-arg]
        self._stats = crawler.stats
        self._abandoned = False
        self._transfers: set[asyncio.Task[Response]] = set()
        crawler.signals.connect(self._abandon, signal=ABANDON)

    async def download_request(self, request: Request) -> Response:
        if self._abandoned:
            raise _abandoned(request, self._stats)
        transfer = asyncio.ensure_future(super().download_request(request))  # type: ignore[misc]
        self._transfers.add(transfer)
        try:
            return await transfer
        except asyncio.CancelledError:
            if not (self._abandoned and transfer.cancelled()):
                raise
            raise _abandoned(request, self._stats) from None
        finally:
            self._transfers.discard(transfer)

    def _abandon(self) -> None:
        self._abandoned = True
        for transfer in self._transfers:
            transfer.cancel()  # cancels Twisted's request too: the connection is closed


class AbandonableDownloadHandler(Abandonable, HTTP11DownloadHandler):
    """Scrapy's HTTP handler, whose downloads in flight can be given up at once."""


class Stopper:
    """Stops one crawler: `request(reason)` in the reactor's thread (a signal handler hands
    it over with callFromThread). Asked twice, it abandons at once."""

    def __init__(self, crawler: Crawler, grace: float):
        self.crawler = crawler
        self.grace = grace  # seconds requests in flight get to finish, then again to close
        self.reason: str | None = None
        self._open = self._closed = self._abandoned = False
        self.halted = False  # the reactor was halted: its thread pool was left running
        crawler.signals.connect(self._on_open, signal=signals.spider_opened)
        crawler.signals.connect(self._on_close, signal=signals.spider_closed)
        crawler.signals.connect(self.request, signal=STOP)

    def request(self, reason: str) -> None:
        from twisted.internet import reactor  # the one CrawlerProcess installed

        if self._closed:
            return
        if self.reason is not None:
            self.abandon()
            return
        if not self._open:
            reactor.callLater(_NOT_OPEN_YET, self.request, reason)
            return
        self.reason = reason
        logger.warning("crawl: stopping (%s)", reason)
        engine = self.crawler.engine
        assert engine is not None
        deferred_from_coro(engine.close_spider_async(reason=reason))
        reactor.callLater(self.grace, self.abandon)

    def abandon(self) -> None:
        """Gives up the requests queued and in flight; should the close still not end, the
        reactor is halted after another grace, shutdown triggers and all (they would wait
        for the close): the store pipeline's last batch is then lost, as on a kill."""
        from twisted.internet import reactor

        if self._abandoned or self._closed:
            return
        self._abandoned = True
        engine = self.crawler.engine
        if engine is not None:
            # queued behind a download delay or a busy slot: each would still be started
            for slot in engine.downloader.slots.values():
                while slot.queue:
                    request, queued = slot.queue.popleft()
                    queued.errback(Failure(_abandoned(request, self.crawler.stats)))
        self.crawler.signals.send_catch_log(signal=ABANDON)
        reactor.callLater(self.grace, self._force)

    def _force(self) -> None:
        from twisted.internet import reactor

        if not self._closed:
            logger.warning("crawl: still closing %g s after abandoning its requests", self.grace)
            self.halted = True
            reactor.crash()

    def _on_open(self, spider: Any = None) -> None:
        self._open = True

    def _on_close(self, spider: Any = None, reason: str = "") -> None:
        self._closed = True
