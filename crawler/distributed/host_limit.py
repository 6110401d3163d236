"""`crawl.concurrency` as a limit per shop host across every process of a shared crawl.

Scrapy caps the requests in parallel per host within one process: four workers would hit
the shop four times as hard. Here, before a request goes to the downloader, it takes one of
its host's slots in Redis, waiting (short sleeps; the reactor runs on) while all are taken,
and gives it back when its answer or failure comes back. A slot is a lease: the process
holding it renews it while it lives, and one killed with slots in hand loses them when
they lapse, SHOPLINT_HOST_LEASE seconds later. Renewing, not a lease as long as the longest
download, because a request can also wait in Scrapy's own queue (AutoThrottle's delay)
after taking its slot.

A host's slots are a sorted set, lease -> when it lapses by Redis's clock (one clock for
every machine). Taking one is a Lua script (drop the lapsed, count, add); giving one back a
single ZREM.

Place it after every downloader middleware that may drop a request on its way back: those
nearer the downloader answer first, and one that raises skips the rest. Scrapy's last is
HttpCacheMiddleware at 900; this one goes at 950.
"""

from __future__ import annotations

import asyncio
import itertools
import random

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task

from crawler.distributed.keys import CrawlKeys, connect, process_id
from crawler.signals import ABANDON
from crawler.stopping import ABANDONED
from ground.errors import ConfigError

_WAIT = (0.01, 0.05)  # seconds between two tries for a slot (random: no lockstep)
_LEASE = "shoplint_host_slot"  # request.meta key of the slot a request holds
_SLOT_NUMBERS = itertools.count()  # in this process: a slot's name is process and number

# KEYS: the host's slots; ARGV: limit, lease (ms), name. 1 if the slot was taken, else 0.
_TAKE = """
local now = redis.call('TIME')
now = now[1] * 1000 + math.floor(now[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
return 1
"""

# KEYS: the hosts' slots; ARGV: lease (ms), then the name of the slot held in each.
_RENEW = """
local now = redis.call('TIME')
local lapses = now[1] * 1000 + math.floor(now[2] / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', lapses, ARGV[i + 1])
end
return 1
"""


class HostSlots:
    """The download slots of a crawl's hosts: at most `limit` held per host at any time,
    by all processes together."""

    def __init__(self, server: redis.Redis, keys: CrawlKeys, limit: int, lease_seconds: float):
        self.server = server
        self.limit = limit
        self.lease_seconds = lease_seconds
        self._prefix = keys.host_slots
        self._lease_ms = round(lease_seconds * 1000)
        self._take = server.register_script(_TAKE)
        self._renew = server.register_script(_RENEW)
        self._held: dict[str, str] = {}  # slot name -> its host's key

    def take(self, host: str) -> str | None:
        """The name of a slot of `host` now held, or None when all are taken."""
        key, name = self._prefix + host, f"{process_id()}:{next(_SLOT_NUMBERS)}"
        if not self._take(keys=[key], args=[self.limit, self._lease_ms, name]):
            return None
        self._held[name] = key
        return name

    def give_back(self, name: str) -> None:
        key = self._held.pop(name, None)
        if key is not None:
            self.server.zrem(key, name)

    def give_back_all(self) -> None:
        for name in list(self._held):
            self.give_back(name)

    def renew(self) -> None:
        """Every slot held lapses a full lease from now."""
        if self._held:
            self._renew(keys=list(self._held.values()), args=[self._lease_ms, *self._held])


class SharedHostLimit:
    """Downloader middleware: a request is downloaded only while it holds a slot of its
    host (netloc). On when the settings name a Redis (SHOPLINT_REDIS_URL); the limit is
    CONCURRENT_REQUESTS_PER_DOMAIN."""

    def __init__(self, crawler: Crawler, slots: HostSlots):
        self.crawler = crawler
        self.slots = slots
        self._abandoned = asyncio.Event()
        self._renewal = task.LoopingCall(slots.renew)
        crawler.signals.connect(self._abandoned.set, signal=ABANDON)
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedHostLimit:
        settings = crawler.settings
        if not settings.get("SHOPLINT_REDIS_URL"):
            raise NotConfigured
        lease = settings.getfloat("SHOPLINT_HOST_LEASE")
        if lease <= 0:
            raise ConfigError(f"SHOPLINT_HOST_LEASE must be seconds above 0, not {lease}")
        slots = HostSlots(
            connect(settings["SHOPLINT_REDIS_URL"]),
            CrawlKeys(settings["SHOPLINT_REDIS_PREFIX"]),
            settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            lease,
        )
        return cls(crawler, slots)

    def _opened(self) -> None:
        self._renewal.start(self.slots.lease_seconds / 3, now=False)

    def _closed(self) -> None:
        if self._renewal.running:
            self._renewal.stop()
        self.slots.give_back_all()  # of requests given up in Scrapy's queue when stopping

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        while (name := self.slots.take(host)) is None:
            try:
                await asyncio.wait_for(self._abandoned.wait(), random.uniform(*_WAIT))
            except TimeoutError:
                continue
            self.crawler.stats.inc_value("shoplint/abandoned")
            raise IgnoreRequest(ABANDONED)
        request.meta[_LEASE] = name

    def process_response(self, request: Request, response: Response) -> Response:
        self._give_back(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._give_back(request)

    def _give_back(self, request: Request) -> None:
        name = request.meta.pop(_LEASE, None)
        if name is not None:
            self.slots.give_back(name)
