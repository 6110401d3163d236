"""What a process of a shared crawl adds to the crawl's Scrapy settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.distributed.keys import CrawlKeys, redis_params


@dataclass(frozen=True)
class Sharing:
    """This process's part in a shared crawl."""

    redis_url: str  # without a password (crawler/distributed/keys.py: connect)
    keys: CrawlKeys
    coordinator: bool  # seeds the crawl and decides when it is over
    coordinator_id: str  # the coordinator's process id (its heartbeat key)
    crawl_here: bool = True  # False: a coordinator that fetches nothing itself


def shared_settings(sharing: Sharing, defaults: dict[str, Any]) -> dict[str, Any]:
    return {
        "SCHEDULER": (
            "scrapy_redis.scheduler.Scheduler"
            if sharing.crawl_here
            else "crawler.distributed.queue.SeedingScheduler"
        ),
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": sharing.keys.queue,
        "SCHEDULER_PERSIST": True,  # the queue outlives any one process: the crawl's, not theirs
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",  # unused: the frontier is
        "REDIS_URL": sharing.redis_url,
        "REDIS_PARAMS": redis_params(),
        "SHOPLINT_REDIS_URL": sharing.redis_url,
        "SHOPLINT_REDIS_PREFIX": sharing.keys.prefix,
        "SHOPLINT_COORDINATOR": sharing.coordinator,
        "SHOPLINT_COORDINATOR_ID": sharing.coordinator_id,
        "SHOPLINT_FRONTIER_CLASS": "crawler.distributed.admission.RedisFrontier",
        "SHOPLINT_HOST_LEASE": 30.0,  # seconds a killed process's host slots stay taken
        "DOWNLOADER_MIDDLEWARES": {
            **defaults["DOWNLOADER_MIDDLEWARES"],
            "crawler.distributed.host_limit.SharedHostLimit": 950,
        },
        "EXTENSIONS": {
            **defaults["EXTENSIONS"],
            "crawler.distributed.shared_crawl.SharedCrawl": 400,
        },
    }
