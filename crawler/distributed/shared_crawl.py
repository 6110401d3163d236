"""One crawl shared by many processes: when it is over, who is alive, what they counted.

Every process of a shared crawl (the coordinator, which seeded it, and the workers that
joined) runs this Scrapy extension. It beats (a heartbeat key that expires), and when its
process has nothing left to do it adds its counters to the crawl's, has its store pipeline
write what it holds (which ends the leases of those pages) and then:

- a worker waits for more (the queue may fill again) until the crawl has an end;
- the coordinator decides whether the crawl is over: nothing queued, no lease held by
  anyone (leases of processes that stopped beating are queued again first), and every URL
  admitted is in the store (one admitted but never stored, e.g. lost with a killed process
  between two writes, is queued again). Then it writes the end, and every process closes.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.distributed.keys import ALIVE_SECONDS, CrawlKeys, connect, process_id
from crawler.distributed.queue import Leases
from crawler.distributed.settings import Sharing
from crawler.signals import BATCH_WRITTEN, FLUSH_STORE, ROBOTS_FETCHED, STOP
from store import open_store

logger = logging.getLogger(__name__)

FINISHED = "finished"
COORDINATOR_GONE = "coordinator-gone"
_BEAT_SECONDS = 3.0
# Scrapy looks for new requests this often when it has none in hand (its default, 5 s, is
# how long an idle worker would leave work queued by others waiting).
_POLL_SECONDS = 0.5


class SharedCrawl:
    def __init__(self, crawler: Crawler, server: redis.Redis, keys: CrawlKeys):
        settings = crawler.settings
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.leases = Leases(server, keys)
        self.coordinator = settings.getbool("SHOPLINT_COORDINATOR")
        self.coordinator_id = settings.get("SHOPLINT_COORDINATOR_ID") or process_id()
        self._pushed: dict[str, int] = {}
        self._calls: list[task.LoopingCall] = []
        self._coordinator_missed = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedCrawl:
        settings = crawler.settings
        if not settings.get("SHOPLINT_REDIS_URL"):
            raise NotConfigured
        server = connect(settings["SHOPLINT_REDIS_URL"])
        extension = cls(crawler, server, CrawlKeys(settings["SHOPLINT_REDIS_PREFIX"]))
        for handler, signal in (
            (extension.engine_started, signals.engine_started),
            (extension.spider_idle, signals.spider_idle),
            (extension.spider_closed, signals.spider_closed),
            (extension.batch_written, BATCH_WRITTEN),
            (extension.robots_fetched, ROBOTS_FETCHED),
            (extension.stopping, STOP),
        ):
            crawler.signals.connect(handler, signal=signal)
        return extension

    # -- while it runs ----------------------------------------------------------------------

    def engine_started(self) -> None:
        engine = self.crawler.engine
        assert engine is not None
        engine._SLOT_HEARTBEAT_INTERVAL = _POLL_SECONDS  # read when the engine opens its slot
        self._repeat(self.beat, _BEAT_SECONDS)
        if not self.coordinator:
            self._repeat(self.listen, _POLL_SECONDS)

    def _repeat(self, call: Any, seconds: float) -> None:
        looping = task.LoopingCall(call)
        looping.start(seconds, now=True)
        self._calls.append(looping)

    def beat(self) -> None:
        """Says this process is alive."""
        self.server.set(self.keys.alive + process_id(), "1", ex=ALIVE_SECONDS)

    def listen(self) -> None:
        """A worker hears that the crawl was stopped within half a second: until then it
        fetches pages the coordinator's --resume may not want."""
        end = self._end()
        if end is not None and end != FINISHED:
            self.crawler.signals.send_catch_log(STOP, reason=f"coordinator: {end}")

    def stopping(self, reason: str) -> None:
        """A coordinator tells its workers it stops as it begins to, not once it has closed."""
        if self.coordinator and not self.server.exists(self.keys.end):
            self.server.set(self.keys.end, reason)

    def batch_written(self, urls: list[str]) -> None:
        self.leases.release(urls)

    def robots_fetched(self, body: bytes | None) -> None:
        self.server.set(self.keys.robots, body or b"")

    def spider_idle(self) -> None:
        self._push_counters()
        self.crawler.signals.send_catch_log(FLUSH_STORE)
        dropped = self.leases.drop_own()
        if dropped:
            logger.info("crawl: %d requests ended without a record", dropped)
        if self.coordinator:
            if self._crawl_over():
                self.server.set(self.keys.end, FINISHED)
                return  # Scrapy closes the spider
        elif (end := self._end()) is not None:
            if end != FINISHED:  # stopped, heard here before the next beat
                raise CloseSpider(f"coordinator: {end}")
            return
        elif self._coordinator_gone():
            raise CloseSpider(COORDINATOR_GONE)
        raise DontCloseSpider

    def _crawl_over(self) -> bool:
        requeued = self.leases.requeue_orphans()
        if requeued:
            logger.warning("crawl: %d requests of stopped workers queued again", requeued)
            return False
        if self.server.zcard(self.keys.queue) or self.leases.held():
            return False
        return not self._requeue_unstored()

    def _requeue_unstored(self) -> int:
        """Queues again every admitted URL the store does not have: what a process took
        and lost between its last write and its death."""
        frontier = self.crawler.spider.frontier
        settings = self.crawler.settings
        store = open_store(
            settings["SHOPLINT_STORE_PATH"], settings.get("SHOPLINT_STORE_PASSWORD_ENV")
        )
        try:
            stored = {url for url, _ in store.fetched_urls(settings.getint("SHOPLINT_RUN_ID"))}
        finally:
            store.close()
        missing = [entry for entry in frontier.admitted_entries() if entry[0] not in stored]
        for url, depth, navigable in missing:
            self.crawler.engine.crawl(self.crawler.spider.request_for(url, depth, navigable))
        if missing:
            logger.warning("crawl: %d admitted URLs not in the store, queued again", len(missing))
        return len(missing)

    def _end(self) -> str | None:
        end = self.server.get(self.keys.end)
        return end.decode() if end is not None else None

    def _coordinator_gone(self) -> bool:
        return not self.server.exists(self.keys.alive + self.coordinator_id)

    def _push_counters(self) -> None:
        """Adds what this process counted since it last did to the crawl's counters."""
        stats = self.crawler.stats.get_stats()
        pipe = self.server.pipeline(transaction=False)
        for key, value in stats.items():
            if key.startswith("shoplint/") and isinstance(value, int):
                delta = value - self._pushed.get(key, 0)
                if delta:
                    pipe.hincrby(self.keys.counters, key, delta)
                    self._pushed[key] = value
        pipe.execute()

    # -- at the end -------------------------------------------------------------------------

    def spider_closed(self, reason: str = "") -> None:
        for looping in self._calls:
            if looping.running:
                looping.stop()
        self._push_counters()
        if self.coordinator and reason != FINISHED:
            self.server.set(self.keys.end, reason)
        self.server.delete(self.keys.alive + process_id())


def crawl_counters(sharing: Sharing) -> dict[str, Any]:
    """The counters every process of the crawl added up (Scrapy stat names)."""
    counters = connect(sharing.redis_url).hgetall(sharing.keys.counters)
    return {key.decode(): int(value) for key, value in counters.items()}
