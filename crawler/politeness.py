"""Retry-After, honoured by the crawl. Scrapy's retry middleware asks again at once: three
requests within a second to a shop that said "429 Too Many Requests, come back in 10 s".
This one waits as long as the shop asks on a 429 or 503 before it retries, up to
crawl.max_retry_after; a shop asking for longer is not asked again, and its answer is what
the run records (and reports). A crawl that is stopping gives up the wait at once."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from crawler.signals import ABANDON
from crawler.stopping import ABANDONED
from ground.retry_after import retry_after_seconds

_ASKS_TO_WAIT = frozenset({429, 503})  # the answers Retry-After is meant for


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware, waiting for the Retry-After of a 429 or 503 before the retry."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("SHOPLINT_MAX_RETRY_AFTER")
        self._abandoned = asyncio.Event()
        crawler.signals.connect(self._abandoned.set, signal=ABANDON)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in _ASKS_TO_WAIT or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        wait = retry_after_seconds(_header(response, b"Retry-After"))
        if wait is None:
            return super().process_response(request, response)
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("shoplint/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        stats.inc_value("shoplint/retry_after_waited")
        try:
            await asyncio.wait_for(self._abandoned.wait(), wait)
        except TimeoutError:
            return retry
        stats.inc_value("shoplint/abandoned")
        raise IgnoreRequest(ABANDONED)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
