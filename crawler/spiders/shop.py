"""The shop spider: fetches the site and extracts what is on it, nothing else.

Seeds are the start URL and every URL of the site's sitemaps. Redirects are followed here,
one recorded fetch per hop, rather than inside Scrapy's redirect middleware: every hop
then has its own row in the store and a chain is a walk along `redirect_to`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded  # what gunzip raises
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.misc import load_object
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler.frontier import Admission
from crawler.items import CrawledUrl, SitemapUrls
from crawler.render_decision import AGAIN, RENDER, SOURCE, WATCH, Hosts, RenderPolicy
from crawler.signals import ROBOTS_FETCHED
from ground.html.extract import (
    image_problem,
    page_base,
    page_facts,
    parse_html,
    single_language,
)
from ground.html.text import visible_text_of
from ground.model import (
    REDIRECT_STATUSES,
    TOO_MANY_REDIRECTS,
    BrowserFacts,
    Fetch,
    Outcome,
    Reference,
    RefKind,
    SitemapEntry,
)
from ground.urls import NOT_FOUND_PROBE, LinkResolver, Normalizer, Site, resolve

logger = logging.getLogger(__name__)

_FAILURE_REASONS = (
    ((CannotResolveHostError, DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, ConnectionRefusedError), "refused"),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout"),
    ((DownloadCancelledError,), "too-large"),
    ((ResponseDataLossError,), "truncated"),
    ((DownloadFailedError,), "bad-response"),  # connection dropped, not HTTP, garbage
)
_COUNTED_FAILURES = frozenset({"tls", *(reason for _, reason in _FAILURE_REASONS)})
_ROBOTS_PRIORITY = 1000  # before any page, in a shared queue too
# a page to render before any plain fetch: else the plain crawl runs ahead of the slower
# browser by thousands of pages, each waiting in the queue with its source's text
_RENDER_PRIORITY = 500
_WRITTEN_LIMIT = 500  # characters of a Location kept when it is no address to follow


class ShopSpider(scrapy.Spider):
    name = "shoplint"

    def __init__(
        self,
        start_url: str,
        page_checks: Any = None,
        fetched: tuple[tuple[str, bool], ...] = (),
        pending: tuple[tuple[str, int, bool], ...] = (),
        seeds: bool = True,
        **kwargs: Any,
    ):
        """`page_checks` run on every parsed page (crawler/pipelines.py). `fetched` (url,
        is_page) and `pending` (url, depth, navigable) come from the store when an
        interrupted run resumes: the first are not fetched again, the second are the
        frontier the interrupted crawl left. Without `seeds` the spider only takes what a
        shared crawl's queue holds (a worker)."""
        super().__init__(**kwargs)
        self.start_url = start_url
        self.page_checks = page_checks
        self.fetched = fetched
        self.pending = pending
        self.seeds = seeds

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ShopSpider:
        spider: ShopSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.normalizer = Normalizer(settings.getlist("SHOPLINT_DROP_PARAMS"))
        spider.links = LinkResolver(spider.normalizer)
        spider.asked: set[str] = set()  # targets put to the frontier: it says SEEN ever after
        spider.site = Site(spider.start_url, settings.getlist("SHOPLINT_SITE_HOSTS"))
        spider.frontier = load_object(settings["SHOPLINT_FRONTIER_CLASS"]).from_crawler(crawler)
        spider.max_depth = settings.getint("SHOPLINT_MAX_DEPTH")
        spider.max_redirects = settings.getint("SHOPLINT_MAX_REDIRECTS")
        spider.render = RenderPolicy(settings.get("SHOPLINT_RENDER", "never"))
        spider.unheeded = Hosts(  # what the browser saw of them is not reported
            settings.getlist("SHOPLINT_RENDER_IGNORE_HOSTS")
            + settings.getlist("SHOPLINT_RENDER_BLOCK_HOSTS")
        )
        return spider

    # -- seeds ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.seeds:
            return
        for url, is_page in self.fetched:
            self.frontier.admit(url, is_page)
        self.frontier.admit(self.robots_url, navigable=False)
        yield scrapy.Request(  # first: every page waits for it (crawler/robots.py)
            self.robots_url,
            callback=self.parse_robots,
            errback=self.on_error,
            priority=_ROBOTS_PRIORITY,
            meta={"depth": 0, "dont_obey_robotstxt": True, "navigable": False},
            dont_filter=True,
        )
        for request in self._follow(self.start_url, depth=0, navigable=True):
            yield request
        probe = self.site.origin + NOT_FOUND_PROBE  # how the site answers a missing page
        if self.frontier.admit(probe, navigable=False) is Admission.NEW:  # not one of max_pages
            yield self.request_for(probe, depth=0, navigable=True)
        for url, depth, navigable in self.pending:
            for request in self._follow_reference(url, depth, navigable):
                yield request

    @property
    def robots_url(self) -> str:
        return self.site.origin + "/robots.txt"

    def parse_robots(self, response: Response) -> Iterator[Any]:
        self.crawler.signals.send_catch_log(ROBOTS_FETCHED, body=response.body)
        sitemaps = []
        if response.status == 200:
            sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        for url in sitemaps or [self.site.origin + "/sitemap.xml"]:
            yield from self._follow_sitemap(url)
        yield self._record(response)  # after its requests: see _redirect

    def _follow_sitemap(self, url: str) -> Iterator[scrapy.Request]:
        key = self.normalizer.normalize(url)
        if key is not None and self._admit(key, navigable=False):
            yield scrapy.Request(
                key,
                callback=self.parse_sitemap,
                errback=self.on_error,
                meta={"depth": 0, "navigable": False},
                dont_filter=True,
            )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield from self._sitemap_outputs(response)
        yield self._record(response)  # after its requests: see _redirect

    def _sitemap_outputs(self, response: Response) -> Iterator[Any]:
        body = response.body
        if response.status != 200 or not body:
            return
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            except _DecompressionMaxSizeExceeded:
                self.crawler.stats.inc_value("shoplint/failed/too_large")
                return
        sitemap = Sitemap(body)
        entries = []
        for entry in sitemap:
            url = self.normalizer.normalize(resolve(response.url, entry["loc"]) or "")
            if url is None:
                continue
            if sitemap.type == "sitemapindex":
                yield from self._follow_sitemap(url)
            else:
                entries.append(SitemapEntry(response.url, url, entry.get("lastmod")))
                if self.site.contains(url):
                    yield from self._follow(url, depth=0, navigable=True)
        if entries:
            yield SitemapUrls(tuple(entries))

    # -- pages and resources --------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        navigable = response.meta["navigable"]
        if response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            yield from self._redirect(response)
            return
        if response.url == self.site.origin + NOT_FOUND_PROBE:
            yield self._record(response, **self._not_found_page(response))
            return  # learnt from, never checked nor followed: it is no page of the shop
        if not (navigable and isinstance(response, HtmlResponse) and response.status == 200):
            yield self._record(response)
            return
        try:
            item = self._page(response)
        except Exception as exc:  # crawled bytes are untrusted: the page is recorded anyway
            logger.warning("Could not read the page %s", response.url, exc_info=True)
            item = self._unparseable(response, f"unparseable ({type(exc).__name__})")
        yield item or self._unparseable(response, "unparseable")

    def _page(self, response: HtmlResponse) -> CrawledUrl | scrapy.Request | None:
        """The page with its references, each new one of the site scheduled; None when the
        bytes hold no HTML document; the request to render it, when it needs a browser
        (crawler/render_decision.py): the rendered page is then the page."""
        doc = parse_html(response.body, response.encoding)
        if doc is None:
            return None
        rendered = response.meta.get(RENDER)
        depth = response.meta["depth"]
        if rendered is None:
            # a page to render again: its template was learnt, by another process perhaps
            again = response.meta.get(AGAIN)
            if reason := "template" if again else self.render.reason(response.url, doc, depth):
                return self._to_render(response, doc, reason)
        facts = page_facts(doc)
        base = page_base(response.url, facts.base)
        page, asked, resolve_here = response.url, self.asked, self.links.on_page(base)
        refs, fresh = [], []
        for kind, raw, text, method in facts.refs:
            url, target = resolve_here(raw)
            refs.append(Reference(page, kind, raw, url, target, text, method))
            if target is not None and target not in asked and self._crawlable(kind, method):
                asked.add(target)
                fresh.append((target, kind.navigable))
        self._schedule(fresh, depth + 1, page)
        canonical = resolve(base, facts.canonical) if facts.canonical else None
        browser = self._seen_in_browser(response, doc, len(refs)) if rendered else None
        scripted = _scripted(refs, response.meta[SOURCE][0]) if rendered else None
        return CrawledUrl(
            self._fetch(
                response,
                is_page=True,
                title=facts.title,
                lang=facts.lang or _content_language(response),
                canonical=canonical,
                meta_robots=facts.meta_robots,
                heading=facts.heading,
                browser=browser,
                scripted=scripted,
            ),
            tuple(refs),
            doc,
            response.body,
            response.encoding,
            again=bool(response.meta.get(AGAIN)),
        )

    def _to_render(self, response: HtmlResponse, doc: Any, reason: str) -> scrapy.Request:
        """The page again, to load in the browser; what its HTML source holds (references
        as written, words, text) goes along, to tell what only the browser showed."""
        source = frozenset(raw.raw for raw in page_facts(doc).refs)
        request = self.request_for(response.url, response.meta["depth"], navigable=True)
        request.priority = _RENDER_PRIORITY
        request.meta.update(
            {
                RENDER: reason,
                SOURCE: (source, self.render.source_words(doc), visible_text_of(doc)),
            }
        )
        if response.meta.get(AGAIN):
            request.meta[AGAIN] = True
        return request

    def _seen_in_browser(self, response: HtmlResponse, doc: Any, links: int) -> BrowserFacts:
        """What the page showed in the browser that is its own site's, and the lesson for
        its template (crawler/render_decision.py)."""
        reason = response.meta[RENDER]
        self.crawler.stats.inc_value(f"shoplint/rendered/{reason}")
        source, words, text = response.meta[SOURCE]
        learnt = self.render.learn(response.url, (len(source), words), links, doc)
        for url, depth in learnt:  # read plainly before: fetched again, to render
            request = self.request_for(url, depth, navigable=True)
            request.meta[AGAIN] = True
            self.crawler.engine.crawl(request)
        watch = response.meta.get(WATCH)
        if watch is None:  # the browser's answer came without its watch (a retry)
            return BrowserFacts(reason, source_text=text)
        site, unheeded = self.site.contains, self.unheeded

        def ours(url: str) -> bool:
            return site(url) and not unheeded(url)

        return BrowserFacts(
            reason,
            tuple(
                (script, message, times)
                for (message, script), times in watch.script_errors.items()
                if not script or ours(script)
            ),
            tuple((u, why, times) for (u, why), times in watch.failed_requests.items() if ours(u)),
            tuple(dict.fromkeys(u for u in watch.broken_images if ours(u))),
            text,
            tuple(watch.hidden),
        )

    def _unparseable(self, response: Response, error: str) -> CrawledUrl:
        self.crawler.stats.inc_value("shoplint/unparseable")
        return self._record(response, error=error)

    def _not_found_page(self, response: Response) -> dict[str, str | None]:
        """The title and heading of the site's own not-found page (the probe's answer,
        whatever its status): what a soft 404 looks like on this site."""
        if not isinstance(response, HtmlResponse):
            return {}
        doc = parse_html(response.body, response.encoding)
        if doc is None:
            return {}
        facts = page_facts(doc)
        return {"title": facts.title, "heading": facts.heading}

    def _schedule(self, targets: list[tuple[str, bool]], depth: int, referer: str) -> None:
        """Puts a page's new targets (url, navigable) of the site to the frontier in one
        batch (one round trip to a shared frontier) and hands the requests of those
        admitted to the engine straight away, as Scrapy does with a callback's output,
        without the per-output machinery (a page has hundreds of links); the Referer
        header is set as Scrapy's middleware would."""
        wanted = [(url, self._parsed(navigable, depth)) for url, navigable in targets]
        wanted = [(url, navigable) for url, navigable in wanted if self.site.contains(url)]
        verdicts = self.frontier.admit_many([(url, nav, depth) for url, nav in wanted])
        for (url, navigable), verdict in zip(wanted, verdicts, strict=True):
            if self._counted(verdict):
                request = self.request_for(url, depth, navigable)
                request.headers["Referer"] = referer
                self.crawler.engine.crawl(request)

    def _parsed(self, navigable: bool, depth: int) -> bool:
        """A page beyond max_depth is fetched for its status but not parsed."""
        return navigable and (not self.max_depth or depth <= self.max_depth)

    @staticmethod
    def _crawlable(kind: RefKind, method: str | None) -> bool:
        """A POST form's action is not a link: fetching it with GET proves nothing."""
        return kind is not RefKind.FORM_ACTION or method == "GET"

    def _follow_reference(self, target: str, depth: int, navigable: bool) -> Iterator[Any]:
        """Follow a reference to the site (never outside it); a page beyond max_depth is
        fetched for its status but not parsed."""
        if self.site.contains(target):
            yield from self._follow(target, depth, self._parsed(navigable, depth))

    def _redirect(self, response: Response) -> Iterator[Any]:
        """Record the hop and follow it on the site. A Location that is no http(s) address
        (javascript:, ftp:, data:, malformed) is kept as written: no browser follows it.
        Past max_redirects the hop is marked and the chain given up, as browsers do."""
        location = response.headers.get("Location", b"").decode("latin-1").strip()
        target = self.normalizer.normalize(resolve(response.url, location) or "")
        if target is None:
            yield self._record(response, redirect_to=location[:_WRITTEN_LIMIT])
            return
        hops = response.meta.get("redirect_hops", 0) + 1
        if hops > self.max_redirects:
            self.crawler.stats.inc_value("shoplint/too_many_redirects")
            yield self._record(response, redirect_to=target, error=TOO_MANY_REDIRECTS)
            return
        # The next hop is queued before this one is recorded, as a page's links are before
        # the page: a shared crawl counts a URL done once it is stored, and must by then
        # see everything it led to queued.
        if self.site.contains(target):  # else judged like an external link, never crawled
            for request in self._follow(target, response.meta["depth"], response.meta["navigable"]):
                request.meta["redirect_hops"] = hops
                yield request
        yield self._record(response, redirect_to=target)

    def _follow(self, url: str, depth: int, navigable: bool) -> Iterator[scrapy.Request]:
        if self._admit(url, navigable, depth):
            yield self.request_for(url, depth, navigable)

    def request_for(self, url: str, depth: int, navigable: bool) -> scrapy.Request:
        """The request of an admitted URL."""
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=True,
            priority=-depth,
            meta={"depth": depth, "navigable": navigable},
        )

    def _admit(self, url: str, navigable: bool, depth: int = 0) -> bool:
        return self._counted(self.frontier.admit(url, navigable, depth))

    def _counted(self, verdict: Admission) -> bool:
        """True for a URL to fetch; a URL skipped is counted by why."""
        if verdict is Admission.NEW:
            return True
        if verdict is not Admission.SEEN:
            self.crawler.stats.inc_value(f"shoplint/skipped/{verdict}")
        return False

    # -- records --------------------------------------------------------------------------

    def _record(self, response: Response, **page: Any) -> CrawledUrl:
        """A fetch that is not a parsed page; an image's bytes are checked on the way."""
        fetch = self._fetch(response, **page)
        problem = image_problem(response.body, fetch.content_type)
        return CrawledUrl(replace(fetch, body_problem=problem) if problem else fetch)

    def _fetch(self, response: Response, **page: Any) -> Fetch:
        stats = self.crawler.stats
        if not response.meta.get(AGAIN):  # a page rendered after all was counted plainly
            stats.inc_value("shoplint/fetched")
            if page.get("is_page"):
                stats.inc_value("shoplint/pages")
            if response.status >= 400:
                stats.inc_value("shoplint/http_errors")
        latency = response.meta.get("download_latency")
        content_type = response.headers.get("Content-Type")
        last_modified = response.headers.get("Last-Modified")
        return Fetch(
            url=response.url,
            depth=response.meta["depth"],
            outcome=Outcome.RESPONSE,
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            size=len(response.body),
            elapsed_ms=round(latency * 1000) if latency is not None else None,
            last_modified=last_modified.decode("latin-1") if last_modified else None,
            **page,
        )

    def on_error(self, failure: Failure) -> Iterator[CrawledUrl]:
        """Every request the shop gave no answer to is recorded, with why: a body over the
        size limit (gzip bombs included) is a failure like a refused connection. A request
        the crawl gave up itself (stopping) is not: `--resume` fetches it."""
        request = failure.request
        stats = self.crawler.stats
        if request.url == self.robots_url:
            self.crawler.signals.send_catch_log(ROBOTS_FETCHED, body=None)
        if failure.check(IgnoreRequest) and not _over_size_limit(failure):
            if "robots.txt" not in str(failure.value):
                return
            outcome, reason = Outcome.DISALLOWED, "robots.txt"
            stats.inc_value("shoplint/skipped/robots")
        else:
            outcome, reason = Outcome.FAILED, failure_reason(failure)
            stats.inc_value("shoplint/failures")
            if reason in _COUNTED_FAILURES:
                stats.inc_value(f"shoplint/failed/{reason.replace('-', '_')}")
        yield CrawledUrl(Fetch(request.url, request.meta["depth"], outcome, error=reason))


def _scripted(refs: list[Reference], source: frozenset[str]) -> str:
    """The addresses of a rendered page's references that its HTML source does not hold
    (as written): what a script put on the page (Fetch.scripted)."""
    added = (ref for ref in refs if ref.raw not in source)
    return "\n".join(dict.fromkeys(a for ref in added for a in (ref.url, ref.target) if a))


def failure_reason(failure: Failure) -> str:
    """A short, stable name for why a fetch failed."""
    if _over_size_limit(failure):
        return "too-large"
    name = type(failure.value).__name__
    if any(word in f"{name} {failure.getErrorMessage()}" for word in ("SSL", "TLS", "certificate")):
        return "tls"
    for types, reason in _FAILURE_REASONS:
        if failure.check(*types):
            return reason
    return f"error: {name}: {failure.getErrorMessage()}"[:200]


def _over_size_limit(failure: Failure) -> bool:
    """Scrapy's decompression gave up at DOWNLOAD_MAXSIZE (it says so with an IgnoreRequest)."""
    return isinstance(failure.value.__cause__, _DecompressionMaxSizeExceeded)


def _content_language(response: Response) -> str | None:
    """The Content-Language header, for a page whose HTML names no language."""
    value = response.headers.get("Content-Language")
    return single_language(value.decode("latin-1")) if value else None
