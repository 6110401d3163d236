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

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawler.render_decision import RENDER, WATCH
from crawler.stopping import Abandonable
from ground.chromium import PAYMENT_PAGES, TRACKERS, on_hosts

_IDLE_SHARE = 0.5  # of the download timeout, waited at most for the network to go idle
_CONTEXT_PAGES = 200  # pages a browser context serves before a fresh one takes over
_BLOCKED = (*TRACKERS, *PAYMENT_PAGES)  # never loaded while rendering
# the first script a stack trace names: "at load (https://shop.example/app.js:12:7)"
_SCRIPT_URL = re.compile(r"https?://[^\s()]+?(?=:\d+:\d+|[\s()]|$)")
# calls whose failure is a broken image's (BRW003, and the images family), not a failed call
_PICTURES = frozenset({"image", "media"})
# The <img> elements that finished loading without a picture (a broken address, an image
# the browser cannot decode); lazy images not yet in view have not finished, and pass.
_BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(img => img.complete && img.naturalWidth === 0 && img.currentSrc)
  .map(img => img.currentSrc)"""


def blocked(request: Any) -> bool:
    """scrapy-playwright asks this of every request a rendered page makes."""
    return on_hosts(urlsplit(request.url).hostname or "", _BLOCKED)


class RenderingDownloadHandler(Abandonable, ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler (plain requests go through Scrapy's HTTP handler),
    abandonable when the crawl stops, like the plain one. Browser contexts are recycled:
    each serves a few hundred pages (RenderSetup names them), and one retired is closed
    once its last page is, so the browser's memory stays bounded however long the crawl."""

    async def _download_request(self, request: Request, spider: Any = None) -> Any:
        try:
            return await super()._download_request(request, spider)
        finally:
            await self._close_retired(request.meta.get("playwright_context", ""))

    async def _close_retired(self, serving: str) -> None:
        # scrapy-playwright keeps its contexts in `context_wrappers` (no public API to
        # close one); closing a context makes it drop the wrapper and free its slot
        for name, wrapper in list(self.context_wrappers.items()):
            if name < serving and not wrapper.context.pages:
                await wrapper.context.close()


@dataclass
class Watch:
    """What one page showed while it loaded in the browser (all sites; the spider keeps
    what is the shop's own)."""

    script_errors: list[tuple[str, str]] = field(default_factory=list)  # (message, script)
    failed_requests: list[tuple[str, str]] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)

    async def attach(self, page: Any, request: Request) -> None:
        """scrapy-playwright's page init callback: listens before the page navigates."""
        page.on("pageerror", self._script_error)
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda response: self._answered(response, request.url))

    async def settle(self, page: Any, idle_ms: float) -> None:
        """A page method: waits for the network to go idle (at most `idle_ms`: a page that
        polls for ever is read as it is then), then finds the images that did not load."""
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state("networkidle", timeout=idle_ms)
        self.broken_images = list(await page.evaluate(_BROKEN_IMAGES_JS))

    def _script_error(self, error: Any) -> None:
        message = str(getattr(error, "message", error)).strip().splitlines()
        script = _SCRIPT_URL.search(str(getattr(error, "stack", "") or ""))
        self.script_errors.append(
            (message[0][:300] if message else "script error", script.group(0) if script else "")
        )

    def _request_failed(self, request: Any) -> None:
        if request.resource_type not in _PICTURES:
            self.failed_requests.append((request.url, str(request.failure or "failed")[:100]))

    def _answered(self, response: Any, page_url: str) -> None:
        if (
            response.status >= 400
            and response.url != page_url
            and response.request.resource_type not in _PICTURES
        ):
            self.failed_requests.append((response.url, str(response.status)))


class RenderSetup:
    """Downloader middleware: a request that carries a render reason is loaded in the
    browser, watched. Made at download time, so a request queued in Redis stays plain data."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if settings.get("SHOPLINT_RENDER", "never") == "never":
            raise NotConfigured
        self.idle_ms = settings.getfloat("SHOPLINT_RENDER_IDLE_MS")
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
                "playwright_page_init_callback": watch.attach,
                "playwright_page_goto_kwargs": {"wait_until": "load"},
                "playwright_page_methods": [PageMethod(watch.settle, self.idle_ms)],
                WATCH: watch,
            }
        )
