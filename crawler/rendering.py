"""Pages rendered in headless Chromium (`crawl.render`), inside the Scrapy crawl.

Every page is fetched plainly first, as without rendering: its status, headers and
redirects are the site's own answer. A page of HTML that needs a browser (every one with
`always`; with `auto` one whose HTML is an app shell, or whose template was found to need
it) is then requested again with the reason in `request.meta[RENDER]`; this module's
download handler (scrapy-playwright's, abandonable like the plain one) loads it in
Chromium, and `RenderSetup` watches the page while it loads: uncaught script errors, its
sub-requests that failed, images that did not load. The spider reads the rendered DOM as
it reads any page, so politeness, retries, the frontier and the store are the crawl's own.

The browser is Debian's chromium (or `crawl.browser_path` / SHOPLINT_CHROMIUM), driven
through playwright's `executable_path`; playwright's own browser download is never used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError, NotConfigured
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawler.render_decision import RENDER, WATCH
from crawler.stopping import Abandonable
from ground.chromium import RequestsInFlight

_CONTEXT_PAGES = 200  # pages a browser context serves before a fresh one takes over
# pages one browser page (its renderer process) loads before a fresh one takes over: a
# renderer's caches grow by some 3-4 MB a page loaded; a new one costs ~80 ms of CPU
_PAGE_LOADS = 20
_CLOSE_S = 5  # a page or context not closed in this long (its renderer hung) is left
_QUIET_S = 0.2  # once loaded, without a request open this long a page has settled
# the first script a stack trace names: "at load (https://shop.example/app.js:12:7)"
_SCRIPT_URL = re.compile(r"https?://[^\s()]+?(?=:\d+:\d+|[\s()]|$)")
# calls whose failure is a broken image's (BRW003, and the images family), not a failed call
_PICTURES = frozenset({"image", "media"})
# a call given up by the page itself, or by the browser leaving it for the next page (its
# browser page serves the next request): no failure of the site's
_LEFT = "net::ERR_ABORTED"
# What the page shows once settled: its <img> elements that finished loading without a
# picture (a broken address, an image the browser cannot decode; lazy images not yet in
# view have not finished, and pass); and its main content left hidden or busy, or a loading
# indicator left showing, each as "what (how)".
_SETTLED_JS = """([content, waiting]) => {
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + Array.from(el.classList).slice(0, 2).map(c => '.' + c).join('');
  const shown = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const hidden = [];
  for (const el of document.querySelectorAll(content)) {
    if (el.getAttribute('aria-busy') === 'true') hidden.push(name(el) + ' (aria-busy)');
    else if (!shown(el)) hidden.push(name(el) + ' (hidden)');
  }
  for (const el of document.querySelectorAll(waiting)) {
    if (shown(el)) hidden.push(name(el) + ' (still loading)');
  }
  return {
    broken: Array.from(document.images)
      .filter(img => img.complete && img.naturalWidth === 0 && img.currentSrc)
      .map(img => img.currentSrc),
    hidden: hidden.slice(0, 5),
  };
}"""
_CONTENT = "main, [role=main], #root, #app, #__next, #__nuxt"  # where a page's content is
_WAITING = (  # what says "wait": left showing once the page has settled, it waits for ever
    "[class~=spinner], [class~=loader], [class~=loading], .is-loading, [class*=-spinner],"
    " [class*=-loader], [class*=skeleton]"
)

_HANDLERS: WeakKeyDictionary[Crawler, RenderingDownloadHandler] = WeakKeyDictionary()


class RenderingDownloadHandler(Abandonable, ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler (plain requests go through Scrapy's HTTP handler),
    abandonable when the crawl stops, like the plain one. A page is navigated again for
    the next request instead of closed: a new page costs Chromium a renderer process, a
    page of the same site navigated again keeps its own. Browser contexts are recycled:
    each serves a few hundred pages (RenderSetup names them), and one retired is closed,
    with its pages, once they are done, so the browser's memory stays bounded however long
    the crawl. (Trackers, payment hosts and `crawl.render_block_hosts` are never loaded:
    Chromium cannot resolve them, crawler/render_decision.py.)"""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        # its request and response loggers are listened to on every page when its logger
        # says DEBUG (Scrapy leaves the level to the handler): ~2 ms a page, never shown
        logging.getLogger("scrapy-playwright").setLevel(crawler.settings.get("LOG_LEVEL"))
        self._closed = False
        self._serving = ""  # the newest context's name
        self._idle: dict[str, list[Page]] = {}  # a context's pages, open, between requests
        # a context's requests in flight, at most one a page: an idle page is there for
        # each request let in, or a new one can be made (scrapy-playwright's own count of
        # a context's open pages never goes down for a page put back)
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._busy: Counter[str] = Counter()  # a context's requests in this handler
        # a page's time budget: its navigation, the wait for it to settle (half as long),
        # and reading it; a script that never lets go of the browser costs no more
        self._budget_s = (
            2 * crawler.settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") / 1000
        )
        self._loads: WeakKeyDictionary[Page, int] = WeakKeyDictionary()  # pages loaded

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingDownloadHandler:
        """One handler serves both http and https: Scrapy makes one per scheme, and each
        would start a playwright driver and a browser of its own (~265 MB)."""
        if crawler not in _HANDLERS:
            _HANDLERS[crawler] = cls(crawler)
        return _HANDLERS[crawler]

    async def close(self) -> None:
        """Closed once, though Scrapy closes it for each scheme it serves."""
        if not self._closed:
            self._closed = True
            await super().close()

    async def _download_request(self, request: Request, spider: Any = None) -> Any:
        name = request.meta["playwright_context"] = self._context_for(request)
        slots = self._slots.setdefault(name, asyncio.Semaphore(self.config.max_pages_per_context))
        self._busy[name] += 1
        try:
            async with slots:
                try:
                    loading = super()._download_request(request, spider)
                    response = await asyncio.wait_for(loading, self._budget_s)
                except Exception as error:
                    await self._put_back(request, reuse=False)  # a page in an unknown state
                    if isinstance(error, (TimeoutError, PlaywrightTimeout)):  # as plain fetches
                        late = f"not read in the browser in time: {error}"
                        raise DownloadTimeoutError(late) from error
                    raise
                await self._put_back(request, reuse=True)
        finally:
            self._busy[name] -= 1
            await self._close_retired()
        return response

    def _context_for(self, request: Request) -> str:
        """The context the request is loaded in: the one serving, or the next one that
        RenderSetup named, once no retired context is still open. Never a retired one: a
        request that waited while its context was retired would open it again, and
        scrapy-playwright waits for a free context slot holding the lock every new page
        takes, so a third context would wait for ever for the pages of the other two."""
        named = request.meta["playwright_context"]
        if named > self._serving and not self._retired():
            self._serving = named
        return self._serving

    def _retired(self) -> list[str]:
        return [name for name in self.context_wrappers if name < self._serving]

    async def _get_response_and_download(
        self, request: Request, page: Page, spider: Any
    ) -> tuple[Any, Any]:
        """The page's navigation. scrapy-playwright's asks for the headers of every
        response of the page while it loads (one round trip each, ~20 a page), in case the
        page turns out to be a download; the browser only loads pages whose plain fetch
        answered HTML, so that is tried only when the navigation did not end in a page."""
        try:
            goto = request.meta.get("playwright_page_goto_kwargs") or {}
            return await page.goto(url=request.url, **goto), None
        except PlaywrightError as error:
            if "Download is starting" not in error.message and _LEFT not in error.message:
                raise
        return await super()._get_response_and_download(request, page, spider)

    async def _create_page(self, request: Request, spider: Any) -> Page:
        """An idle page of the request's context, else a new one (scrapy-playwright's,
        without its counters of every sub-request and response: playwright calls a
        listener through `inspect.signature`, some 0.1 ms an event, ~50 events a page)."""
        idle = self._idle.get(request.meta["playwright_context"], [])
        while idle:
            if not (page := idle.pop()).is_closed():
                return page
        page = await super()._create_page(request, spider)
        page.remove_listener("request", self._increment_request_stats)
        page.remove_listener("response", self._increment_response_stats)
        return page

    async def _put_back(self, request: Request, reuse: bool) -> None:
        """The request's page (RenderSetup keeps it open, not for the spider) to its
        context's idle pages, or closed."""
        page = request.meta.pop("playwright_page", None)
        name = request.meta["playwright_context"]
        if page is not None:
            request.meta[WATCH].detach(page)
            self._loads[page] = loads = self._loads.get(page, 0) + 1
            if reuse and name == self._serving and loads < _PAGE_LOADS and not page.is_closed():
                self._idle.setdefault(name, []).append(page)
            else:
                await _closed(page)

    async def _close_retired(self) -> None:
        """Retired contexts whose requests are all done are closed, with their pages.
        scrapy-playwright keeps its contexts in `context_wrappers` (no public API to close
        one); closing a context makes it drop the wrapper and free its slot."""
        for retired in self._retired():
            if self._busy[retired]:
                continue
            self._slots.pop(retired, None)
            self._busy.pop(retired, None)
            for idle in self._idle.pop(retired, []):
                await _closed(idle)
            if wrapper := self.context_wrappers.get(retired):
                await _closed(wrapper.context)


async def _closed(closable: Page | Any) -> None:
    """A browser page or context closed, or left when it does not close in _CLOSE_S (its
    renderer hung) or is gone already."""
    with contextlib.suppress(PlaywrightError, TimeoutError):
        await asyncio.wait_for(closable.close(), _CLOSE_S)


@dataclass
class Watch:
    """What one page showed while it loaded in the browser (all sites; the spider keeps
    what is the shop's own). A script failing in a loop counts up, it does not pile up."""

    script_errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (message, script)
    failed_requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (url, answer)
    broken_images: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # main content hidden, spinners left
    requests: RequestsInFlight = field(default_factory=RequestsInFlight)
    _listening: list[tuple[str, Any]] = field(default_factory=list)

    async def attach(self, page: Any, request: Request) -> None:
        """scrapy-playwright's page init callback: listens before the page navigates.
        scrapy-playwright routes every request of the page through Python, to give it
        Scrapy's headers: ~20 round trips a page, and Chromium's cache off while a route
        is set. The route goes; the context sends the crawl's user agent instead."""
        await page.unroute("**")
        self._listening = [
            *self.requests.listeners(),
            ("pageerror", self._script_error),
            ("requestfailed", self._request_failed),
            ("response", lambda response: self._answered(response, request.url)),
        ]
        for event, listener in self._listening:
            page.on(event, listener)

    def detach(self, page: Any) -> None:
        """Stops listening: the page serves another request next."""
        for event, listener in self._listening:
            page.remove_listener(event, listener)
        self._listening = []

    async def settle(self, page: Any, idle_ms: float, wait_for: str | None) -> None:
        """A page method, once the page has loaded: waits for an element matching
        `wait_for` to show, or else for no request to be open for a moment (at most
        `idle_ms`: a page that polls for ever, or never shows it, is read as it is then),
        then finds the images that did not load and the content left hidden."""
        if wait_for:
            with contextlib.suppress(PlaywrightTimeout):
                await page.wait_for_selector(wait_for, timeout=idle_ms)
        else:
            self.requests.touch()  # a script may call out as the page finishes loading
            await self.requests.quiet(_QUIET_S, idle_ms / 1000)
        settled = await page.evaluate(_SETTLED_JS, [_CONTENT, _WAITING])
        self.broken_images, self.hidden = list(settled["broken"]), list(settled["hidden"])

    def _script_error(self, error: Any) -> None:
        message = str(getattr(error, "message", error)).strip().splitlines()
        script = _SCRIPT_URL.search(str(getattr(error, "stack", "") or ""))
        self.script_errors[
            (message[0][:300] if message else "script error", script.group(0) if script else "")
        ] += 1

    def _request_failed(self, request: Any) -> None:
        failure = str(request.failure or "failed")
        if request.resource_type not in _PICTURES and not failure.startswith(_LEFT):
            self.failed_requests[(request.url, failure[:100])] += 1

    def _answered(self, response: Any, page_url: str) -> None:
        if (
            response.status >= 400
            and response.url != page_url
            and response.request.resource_type not in _PICTURES
        ):
            self.failed_requests[(response.url, str(response.status))] += 1


class RenderSetup:
    """Downloader middleware: a request that carries a render reason is loaded in the
    browser, watched. Made at download time, so a request queued in Redis stays plain data."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if settings.get("SHOPLINT_RENDER", "never") == "never":
            raise NotConfigured
        self.idle_ms = settings.getfloat("SHOPLINT_RENDER_IDLE_MS")
        self.wait_for = settings.get("SHOPLINT_RENDER_WAIT_FOR")
        self.user_agent = settings.get("USER_AGENT")
        self.rendered = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderSetup:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(RENDER) or request.meta.get("playwright"):
            return
        watch = Watch()
        self.rendered += 1
        request.meta.update(
            {
                "playwright": True,
                "playwright_context": f"render-{self.rendered // _CONTEXT_PAGES:08d}",
                "playwright_context_kwargs": {"user_agent": self.user_agent},
                "playwright_page_init_callback": watch.attach,
                "playwright_include_page": True,  # the handler reuses it
                "playwright_page_goto_kwargs": {"wait_until": "load"},
                "playwright_page_methods": [PageMethod(watch.settle, self.idle_ms, self.wait_for)],
                WATCH: watch,
            }
        )
