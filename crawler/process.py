"""Running the spider in-process, and what the run store needs to hear back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.config import CrawlConfig, SiteConfig
from crawler.pipelines import PageChecks
from crawler.settings import crawl_settings
from crawler.spiders.shop import ShopSpider


@dataclass(frozen=True)
class CrawlResult:
    finish_reason: str  # "finished" when the crawl ran out of URLs; else why it stopped
    stats: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.finish_reason == "finished"

    def counters(self) -> dict[str, int]:
        """The crawl's own counters, named without their Scrapy prefixes."""
        return {
            key.removeprefix("shoplint/").replace("/", "_"): value
            for key, value in self.stats.items()
            if key.startswith("shoplint/")
        }


def crawl(
    crawl_config: CrawlConfig,
    site: SiteConfig,
    start_url: str,
    store_path: str,
    run_id: int,
    page_checks: PageChecks | None = None,
    fetched: tuple[tuple[str, bool], ...] = (),
    pending: tuple[tuple[str, int, bool], ...] = (),
) -> CrawlResult:
    """Crawl the site; blocks until done. Each parsed page goes to `page_checks`. Ctrl-C
    or SIGTERM stops it gracefully (the finish reason is then "shutdown") and what was
    fetched is already in the store."""
    process = CrawlerProcess(crawl_settings(crawl_config, site, start_url, store_path, run_id))
    # An unreachable robots.txt is recorded by the spider's own fetch; the middleware's
    # traceback about it would only alarm the reader.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    crawler = process.create_crawler(ShopSpider)
    process.crawl(
        crawler, start_url=start_url, page_checks=page_checks, fetched=fetched, pending=pending
    )
    process.start()
    stats = crawler.stats.get_stats()
    return CrawlResult(str(stats.get("finish_reason", "unknown")), stats)
