"""Every Scrapy setting shoplint uses, in one place; `crawl_settings` lays the user's
configuration over these defaults."""

from __future__ import annotations

from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from crawler.config import CrawlConfig, SiteConfig
from crawler.render_decision import render_settings

if TYPE_CHECKING:
    from crawler.distributed.settings import Sharing

USER_AGENT = (
    f"Mozilla/5.0 (compatible; shoplint/{version('shoplint')}; site health check for its owners)"
)

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "shoplint",
    "ROBOTSTXT_USER_AGENT": "shoplint",
    "COOKIES_ENABLED": False,  # crawl as a first-time visitor, no session state
    "REDIRECT_ENABLED": False,  # the spider follows redirects itself, one fetch per hop
    "METAREFRESH_ENABLED": False,  # meta refresh is recorded as a reference instead
    "HTTPERROR_ALLOW_ALL": True,  # 4xx/5xx answers are what we are looking for
    "RETRY_HTTP_CODES": [502, 503, 504, 522, 524, 408, 429],
    "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
    "DOWNLOAD_WARNSIZE": 0,
    "DNS_TIMEOUT": 10,  # seconds
    "AUTOTHROTTLE_START_DELAY": 0.1,  # seconds
    "AUTOTHROTTLE_MAX_DELAY": 10.0,  # seconds
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOADER_STATS": False,  # downloader/* counters nobody reads, kept per request
    # Scrapy re-parses a bound-method callback's source on every response to warn about
    # `return value` in generators: a tenth of the crawl's CPU time, for a lint warning.
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
    # Scrapy starts this many asyncio tasks for every callback's output, used or not; a
    # page's callback yields one item (its requests go to the engine directly).
    "CONCURRENT_ITEMS": 1,
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",  # breadth first
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
    "SPIDER_MIDDLEWARES": {
        "scrapy.spidermiddlewares.depth.DepthMiddleware": None,  # depth is the spider's
        "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,  # the frontier's
        # a lint warning about meta copied from a response, paid on every request yielded
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    },
    "DOWNLOAD_HANDLERS": {  # requests in flight can be given up when a crawl stops
        "http": "crawler.stopping.AbandonableDownloadHandler",
        "https": "crawler.stopping.AbandonableDownloadHandler",
    },
    "DOWNLOADER_MIDDLEWARES": {
        # retries that wait for Retry-After (crawler/politeness.py)
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.politeness.RetryAfterMiddleware": 550,
        # robots.txt from the spider's own fetch of it (crawler/robots.py)
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.robots.SpiderRobotsTxt": 100,
    },
    "ITEM_PIPELINES": {
        "crawler.pipelines.PageChecksPipeline": 700,
        "crawler.pipelines.StorePipeline": 800,
    },
    "EXTENSIONS": {
        "crawler.extensions.CrawlProgress": 500,
        "scrapy.extensions.logstats.LogStats": None,
    },
    "SHOPLINT_FRONTIER_CLASS": "crawler.frontier.MemoryFrontier",
    "SHOPLINT_STORE_BATCH_SIZE": 200,  # fetches per transaction
    "SHOPLINT_STORE_FLUSH_SECONDS": 2.0,  # at the latest, seconds between writes
    "SHOPLINT_PROGRESS": "auto",  # auto | live | log | off
    "SHOPLINT_PROGRESS_INTERVAL": 10.0,  # seconds between log lines when not on a terminal
}


def crawl_settings(
    crawl: CrawlConfig,
    site: SiteConfig,
    start_url: str,
    store_path: str,
    run_id: int,
    sharing: Sharing | None = None,
    store_password_env: str | None = None,
) -> dict[str, Any]:
    """The settings of one crawl; with `sharing`, of one process of a shared crawl. Each
    option (rendering, sharing) extends the settings laid down before it."""
    settings = _plain_settings(crawl, site, start_url, store_path, run_id, store_password_env)
    if crawl.render != "never":
        settings |= render_settings(crawl, settings)
    if sharing is not None:
        from crawler.distributed.settings import shared_settings  # the distributed extra

        settings |= shared_settings(sharing, settings)
    return settings


def _plain_settings(
    crawl: CrawlConfig,
    site: SiteConfig,
    start_url: str,
    store_path: str,
    run_id: int,
    store_password_env: str | None,
) -> dict[str, Any]:
    return {
        **DEFAULTS,
        **_bases_without_unused(),
        "SHOPLINT_RENDER": crawl.render,
        "USER_AGENT": crawl.user_agent or USER_AGENT,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        # With the asyncio reactor, Scrapy (2.19) starts every queued request of a slot at
        # once, so CONCURRENT_REQUESTS_PER_DOMAIN alone does not cap a host; the global cap does.
        "CONCURRENT_REQUESTS": crawl.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency),
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
        "RETRY_TIMES": crawl.retries,
        "SHOPLINT_START_URL": start_url,
        "SHOPLINT_STORE_PATH": store_path,
        "SHOPLINT_STORE_PASSWORD_ENV": store_password_env,  # the variable's name, not its value
        "SHOPLINT_RUN_ID": run_id,
        "SHOPLINT_SITE_HOSTS": list(site.hosts),
        "SHOPLINT_DROP_PARAMS": list(crawl.drop_params),
        "SHOPLINT_EXCLUDE": list(crawl.exclude),
        "SHOPLINT_MAX_PAGES": crawl.max_pages,
        "SHOPLINT_MAX_DEPTH": crawl.max_depth,
        "SHOPLINT_MAX_URL_LENGTH": crawl.max_url_length,
        "SHOPLINT_MAX_QUERY_VARIANTS": crawl.max_query_variants,
        "SHOPLINT_MAX_TEMPLATE_DEPTH": crawl.max_template_depth,
        "SHOPLINT_MAX_PATH_TOKENS": crawl.max_path_tokens,
        "SHOPLINT_MAX_RETRY_AFTER": crawl.max_retry_after,
        "SHOPLINT_MAX_REDIRECTS": crawl.max_redirects,
    }


# Scrapy components shoplint never runs, left out of Scrapy's base lists rather than set to
# None over them: Scrapy imports every class a component setting names, even to drop it.
_UNUSED = {
    "EXTENSIONS_BASE": {
        # an HTTP server that runs Python code sent to it (its token in a file in the
        # user's profile): no place in a site check; its aiohttp import alone is 0.1 s
        "scrapy.extensions.remote_control.RemoteControl",
    },
    "DOWNLOADER_MIDDLEWARES_BASE": {
        # cookies are off (COOKIES_ENABLED), yet its module imports tldextract
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    },
}


def _bases_without_unused() -> dict[str, dict[str, int]]:
    """Scrapy's base component lists without the _UNUSED components."""
    from scrapy.settings import default_settings

    return {
        name: {
            path: order
            for path, order in getattr(default_settings, name).items()
            if path not in unused
        }
        for name, unused in _UNUSED.items()
    }
