"""Running the spider in-process, and what the run store needs to hear back."""

from __future__ import annotations

import logging
import signal
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess

from crawler.config import CrawlConfig, SiteConfig

if TYPE_CHECKING:
    from crawler.distributed.settings import Sharing
from crawler.pipelines import STORE_FAILURE, PageChecks
from crawler.settings import crawl_settings
from crawler.spiders.shop import ShopSpider
from crawler.stopping import Stopper
from ground.signals import STOP_SIGNALS, stop_signals_to

TIME_LIMIT = "time-limit"  # the finish reason of a crawl stopped at `stop_at`


@dataclass(frozen=True)
class CrawlResult:
    finish_reason: str  # "finished" when the crawl ran out of URLs; else why it stopped
    stats: dict[str, Any]
    halted: bool = False  # its close never ended: threads it started may still be waiting

    @property
    def finished(self) -> bool:
        return self.finish_reason == "finished"

    @property
    def stopped(self) -> bool:
        """Stopped from outside (a signal, the time limit): the run goes no further."""
        return self.finish_reason in {TIME_LIMIT, *(s.name for s in STOP_SIGNALS)}

    @property
    def store_failure(self) -> str | None:
        """Why the store could not be written, when that stopped the crawl."""
        return self.stats.get(STORE_FAILURE)

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
    stop_at: float | None = None,
    grace: float = 2.0,
    sharing: Sharing | None = None,
    store_password_env: str | None = None,
) -> CrawlResult:
    """Crawl the site; blocks until done. Each parsed page goes to `page_checks`. SIGTERM,
    Ctrl-C and the clock reaching `stop_at` (time.monotonic) stop it within about twice
    `grace` seconds (crawler/stopping.py); the finish reason then names the signal or
    TIME_LIMIT, and what was fetched is already in the store. With `sharing` this process
    takes its part in a crawl shared over Redis; the coordinator's result then counts what
    every process of it did."""
    signals = _Signals()
    with signals.caught():  # from the first moment: the stopper does not exist yet
        settings = crawl_settings(
            crawl_config, site, start_url, store_path, run_id, sharing, store_password_env
        )
        process = CrawlerProcess(settings)
        # An unreachable robots.txt is recorded by the spider's own fetch; the middleware's
        # traceback about it would only alarm the reader.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
        crawler = process.create_crawler(ShopSpider)
        stopper = Stopper(crawler, grace)
        process.crawl(
            crawler,
            start_url=start_url,
            page_checks=page_checks,
            fetched=fetched,
            pending=pending,
            seeds=sharing is None or sharing.coordinator,
        )
        from twisted.internet import reactor  # installed by CrawlerProcess

        if stop_at is not None:
            reactor.callLater(max(0.0, stop_at - time.monotonic()), stopper.request, TIME_LIMIT)
        signals.hand_to(stopper)
        process.start(install_signal_handlers=False)
    stats = crawler.stats.get_stats()
    if sharing is not None and sharing.coordinator:
        from crawler.distributed.shared_crawl import crawl_counters

        stats = {**stats, **crawl_counters(sharing)}
    reason = stats.get("finish_reason") or stopper.reason or "unknown"
    return CrawlResult(str(reason), stats, stopper.halted)


class _Signals:
    """SIGTERM and SIGINT while a crawl runs, handed to its stopper in the reactor's thread
    (a signal handler may not call into the crawl itself)."""

    def __init__(self) -> None:
        self._noted: list[str] = []
        self._stopper: Stopper | None = None

    def caught(self) -> AbstractContextManager[None]:
        """The handlers the caller had are back afterwards."""
        return stop_signals_to(self._note)

    def hand_to(self, stopper: Stopper) -> None:
        """From now on (and those noted already, once the reactor runs) to `stopper`."""
        from twisted.internet import reactor

        self._stopper = stopper
        reactor.callWhenRunning(self._hand_over)

    def _note(self, signum: int, _: Any) -> None:
        self._noted.append(signal.Signals(signum).name)
        if self._stopper is not None:
            from twisted.internet import reactor

            reactor.callFromThread(self._hand_over)

    def _hand_over(self) -> None:
        while self._noted and self._stopper is not None:
            self._stopper.request(self._noted.pop(0))
