"""The per-host limit across processes (crawler/distributed/host_limit.py) against a real
redis-server: holders of one host's slots never outnumber the limit, a killed holder's
slots lapse while a living one's do not, and two Scrapy crawls of one shop together keep
to the limit the shop's server sees."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest
import scrapy
from fixture_server import FixtureServer, html_page
from redis import Redis
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.distributed.host_limit import HostSlots, SharedHostLimit
from crawler.distributed.keys import CrawlKeys
from crawler.signals import ABANDON

KEYS = CrawlKeys("shoplint:7:")
HOST = "shop.nl"
GIVE_UP = 30  # seconds: a test waiting longer than this for something has failed


def _slots(server, limit: int, lease: float = 60.0) -> HostSlots:
    """The slots as one process sees them: its own connection."""
    return HostSlots(Redis.from_url(server.url), KEYS, limit, lease)


def test_holders_of_one_host_never_outnumber_its_limit(redis):
    limit, holders, peak = 3, [0], [0]
    lock, start = threading.Lock(), threading.Barrier(8)

    def hold_and_give_back() -> None:
        slots = _slots(redis, limit)
        start.wait()
        for _ in range(20):
            while (name := slots.take(HOST)) is None:
                time.sleep(0.001)
            with lock:
                holders[0] += 1
                peak[0] = max(peak[0], holders[0])
            time.sleep(0.002)  # downloading
            with lock:
                holders[0] -= 1
            slots.give_back(name)

    threads = [threading.Thread(target=hold_and_give_back) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == limit  # reached, never passed
    assert Redis.from_url(redis.url).zcard(KEYS.host_slots + HOST) == 0


def test_a_full_host_leaves_the_other_hosts_their_slots(redis):
    slots = _slots(redis, limit=1)
    assert slots.take(HOST) is not None
    assert slots.take(HOST) is None
    assert slots.take("cdn.shop.nl") is not None


_HOLDER = """
import sys, time
from redis import Redis
from crawler.distributed.host_limit import HostSlots
from crawler.distributed.keys import CrawlKeys
url, prefix, host, limit, lease = sys.argv[1:]
slots = HostSlots(Redis.from_url(url), CrawlKeys(prefix), int(limit), float(lease))
assert all(slots.take(host) for _ in range(int(limit)))
print("holding", flush=True)
while True:
    time.sleep(slots.lease_seconds / 5)
    slots.renew()
"""


def test_a_living_holder_keeps_its_slots_and_a_killed_ones_lapse(redis):
    limit, lease = 2, 1.0
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, redis.url, KEYS.prefix, HOST, str(limit), str(lease)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        mine = _slots(redis, limit)
        alive_until = time.monotonic() + 3 * lease  # its slots were renewed meanwhile
        while time.monotonic() < alive_until:
            assert mine.take(HOST) is None
            time.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + GIVE_UP
    while (taken := mine.take(HOST)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert taken is not None
    assert mine.take(HOST) is not None and mine.take(HOST) is None  # both lapsed, no more


def test_the_middleware_holds_a_slot_from_request_to_answer_or_failure(redis):
    crawler = get_crawler(
        settings_dict={
            "SHOPLINT_REDIS_URL": redis.url,
            "SHOPLINT_REDIS_PREFIX": KEYS.prefix,
            "SHOPLINT_HOST_LEASE": 60.0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        }
    )
    middleware = SharedHostLimit.from_crawler(crawler)
    held = Redis.from_url(redis.url)
    first, second, third, fourth, fifth = (scrapy.Request(f"https://{HOST}/{n}/") for n in range(5))

    async def scenario() -> None:
        await middleware.process_request(first)
        await middleware.process_request(second)
        await middleware.process_request(scrapy.Request("https://cdn.shop.nl/a.png"))
        waiting = asyncio.ensure_future(middleware.process_request(third))
        await asyncio.sleep(0.2)
        assert not waiting.done() and held.zcard(KEYS.host_slots + HOST) == 2
        assert middleware.process_response(first, Response(first.url)).url == first.url
        await asyncio.wait_for(waiting, GIVE_UP)  # took the slot the answer gave back
        middleware.process_exception(second, ConnectionRefusedError())
        middleware.process_exception(second, ConnectionRefusedError())  # given back once
        assert held.zcard(KEYS.host_slots + HOST) == 1
        await middleware.process_request(fourth)
        waiting = asyncio.ensure_future(middleware.process_request(fifth))
        await asyncio.sleep(0.1)
        crawler.signals.send_catch_log(ABANDON)  # the crawl is stopping: no more waiting
        with pytest.raises(IgnoreRequest):
            await asyncio.wait_for(waiting, GIVE_UP)

    asyncio.run(scenario())
    assert held.zcard(KEYS.host_slots + HOST) == 2  # third and fourth, still downloading


# -- end to end: two Scrapy crawls of one shop, each in its own process ---------------------

LIMIT = 2
PAGES = 20  # per crawl


class _Shop:
    """Two sections, /a/ and /b/, one for each crawl. Each section's first page answers
    only once both crawls asked for theirs: from then on both crawl at the same time."""

    def __init__(self) -> None:
        self.both_started = threading.Barrier(2, timeout=GIVE_UP)

    def route(self, target: str):
        section, _, page = target.strip("/").partition("/")
        if section not in ("a", "b"):
            return None
        if not page:
            self.both_started.wait()
            return html_page(links=[f"/{section}/{n}/" for n in range(PAGES)])
        time.sleep(0.05)  # long enough for requests to overlap
        return html_page("<h1>Page</h1>")


class _FollowLinks(scrapy.Spider):
    name = "follow"

    def parse(self, response):
        yield from response.follow_all(css="a")


def _crawl(start_url: str, redis_url: str, prefix: str) -> None:
    """One crawl of `start_url` with the shared limit, in this process."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": LIMIT,
            "CONCURRENT_REQUESTS_PER_DOMAIN": LIMIT,
            "DOWNLOADER_MIDDLEWARES": {"crawler.distributed.host_limit.SharedHostLimit": 950},
            "SHOPLINT_REDIS_URL": redis_url,
            "SHOPLINT_REDIS_PREFIX": prefix,
            "SHOPLINT_HOST_LEASE": 60.0,  # a slot not given back would stall the crawl
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process.crawl(_FollowLinks, start_urls=[start_url])
    process.start()


def test_two_crawls_of_one_shop_together_keep_to_its_limit(redis):
    shop = _Shop()
    with FixtureServer(shop.route) as site:
        crawls = [
            subprocess.Popen(
                [sys.executable, __file__, f"{site.origin}/{section}/", redis.url, KEYS.prefix],
                stderr=subprocess.PIPE,
                text=True,
            )
            for section in ("a", "b")
        ]
        errors = [crawl.communicate(timeout=GIVE_UP * 2)[1] for crawl in crawls]
    assert [crawl.returncode for crawl in crawls] == [0, 0], errors
    assert not any("Traceback" in error for error in errors), errors
    for section in ("a", "b"):  # both crawled their section whole
        assert {site.hits[f"/{section}/{n}/"] for n in range(PAGES)} == {1}
    assert site.peak_in_flight == LIMIT  # alone, each would have had LIMIT in flight


if __name__ == "__main__":
    _crawl(*sys.argv[1:])
