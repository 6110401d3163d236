"""robots.txt, fetched once per run: by the spider, which records it and reads its sitemaps.

Scrapy's RobotsTxtMiddleware fetches robots.txt itself, a second time, and in a shared
crawl once more in every process. This one waits instead for the spider's own fetch of the
site's robots.txt (ROBOTS_FETCHED) or, in a process that did not fetch it, for the copy
the shared crawl keeps in Redis; the robots.txt of any other host is Scrapy's business.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.signals import ROBOTS_FETCHED

_POLL_SECONDS = 0.05


class SpiderRobotsTxt(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self._site = urlsplit(settings["SHOPLINT_START_URL"]).netloc
        self._fetched: Deferred[bytes | None] = Deferred()
        self._shared = None
        if settings.get("SHOPLINT_REDIS_URL"):  # a shared crawl (the distributed extra)
            from crawler.distributed.keys import CrawlKeys, connect

            self._shared = (
                connect(settings["SHOPLINT_REDIS_URL"]),
                CrawlKeys(settings["SHOPLINT_REDIS_PREFIX"]).robots,
            )
        crawler.signals.connect(self._on_fetched, signal=ROBOTS_FETCHED)

    def _on_fetched(self, body: bytes | None) -> None:
        if not self._fetched.called:
            self._fetched.callback(body)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc != self._site:
            return await super().robot_parser(request)
        if netloc not in self._parsers:
            waiting: Deferred[RobotParser | None] = Deferred()
            self._parsers[netloc] = waiting
            body = await self._body()
            parser = build_from_crawler(self._parserimpl, self.crawler, body) if body else None
            self._parsers[netloc] = parser
            waiting.callback(parser)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _body(self) -> bytes | None:
        """The robots.txt the spider fetched here, or another process of the crawl did."""
        if self._shared is None:
            return await maybe_deferred_to_future(self._fetched)
        server, key = self._shared
        while not self._fetched.called:
            body = server.get(key)
            if body is not None:
                return body
            await asyncio.sleep(_POLL_SECONDS)
        return await maybe_deferred_to_future(self._fetched)
