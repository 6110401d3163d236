"""Which pages are rendered in the browser (`crawl.render`), and the settings that make a
crawl able to: this module needs no browser and no playwright (crawler/rendering.py does).

`auto` renders a page whose plain HTML is an app shell (few words, and an empty mount
element, a noscript note asking for JavaScript or a client-side router's marker), and every
page of a template (crawler/path_traps.py) once one of its pages showed materially more in
the browser than in its HTML source: those read plainly before are then rendered too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from crawler.config import CrawlConfig
from crawler.path_traps import path_template
from ground.chromium import (
    LAUNCH_ARGS,
    PAYMENT_PAGES,
    TRACKERS,
    blocking_rules,
    chromium_executable,
    on_hosts,
)
from ground.errors import ConfigError

RENDER = "render"  # request.meta: why the page is rendered (always | app-shell | template)
AGAIN = "render_again"  # request.meta: a page stored plainly before, to render and replace
WATCH = "render_watch"  # request.meta: the rendering's Watch (crawler/rendering.py)
SOURCE = "render_source"  # request.meta: (links, words) of the page's HTML source

_SHELL_WORDS = 60  # fewer visible words than this, and a sign of a client-side app: a shell
_MORE_LINKS = 5  # a rendered page with this many more links than its source needs rendering
_IDLE_SHARE = 0.5  # of the download timeout, waited at most for the network to go idle
_WORDS = (
    "//body//text()[not(ancestor::script) and not(ancestor::style)"
    " and not(ancestor::noscript) and not(ancestor::template)]"
)
_APP_SIGNS = (
    "//*[@id='root' or @id='app' or @id='__next' or @id='__nuxt' or @id='svelte'][not(*)]",
    "//noscript[contains(translate(., 'JAVASCRIPT', 'javascript'), 'javascript')]",
    "//script[@id='__NEXT_DATA__' or @id='__NUXT_DATA__'] | //*[@ng-version or @data-reactroot]",
)


def word_count(doc: Any) -> int:
    return len(" ".join(doc.xpath(_WORDS)).split())


def app_shell(doc: Any) -> bool:
    """Plain HTML that shows a customer next to nothing until a script has run."""
    return any(doc.xpath(sign) for sign in _APP_SIGNS) and word_count(doc) < _SHELL_WORDS


class RenderPolicy:
    """Decides, page by page, whether and why to render; learns templates as it goes."""

    def __init__(self, mode: str):
        self.mode = mode  # never | auto | always
        self._templates: set[str] = set()
        # the pages (url, depth) of each template not (yet) known to need the browser,
        # read plainly: rendered after all once one of their template's pages shows it does
        self._plain: dict[str, list[tuple[str, int]]] = {}

    def reason(self, url: str, doc: Any, depth: int) -> str | None:
        """Why the page at `url` (plain HTML `doc`) is to be rendered, or None: then it is
        read plainly, and remembered with its template."""
        if self.mode == "always":
            return "always"
        if self.mode != "auto":
            return None
        template = path_template(urlsplit(url).path)
        if template in self._templates:
            return "template"
        if app_shell(doc):
            return "app-shell"
        self._plain.setdefault(template, []).append((url, depth))
        return None

    def source_words(self, doc: Any) -> int:
        """What `learn` needs of a page's plain HTML: its words (only `auto` learns)."""
        return word_count(doc) if self.mode == "auto" else 0

    def learn(
        self, url: str, source: tuple[int, int], links: int, doc: Any
    ) -> list[tuple[str, int]]:
        """After a rendering (`doc`): a page that showed materially more than its source
        (links, words) makes its template one that is always rendered. The pages of the
        template read plainly until then (url, depth), once: to render now."""
        if self.mode != "auto":
            return []
        source_links, source_words = source
        if links >= source_links + _MORE_LINKS or (
            word_count(doc) >= 2 * source_words + _SHELL_WORDS
        ):
            template = path_template(urlsplit(url).path)
            self._templates.add(template)
            return self._plain.pop(template, [])
        return []


class Hosts:
    """Some hosts and their subdomains, asked about addresses."""

    def __init__(self, hosts: Iterable[str]):
        self.hosts = tuple(host.lower() for host in hosts)

    def __call__(self, url: str) -> bool:
        return on_hosts(urlsplit(url).hostname or "", self.hosts)


def ready_to_render(crawl: CrawlConfig) -> str | None:
    """The Chromium a crawl with `crawl.render` uses (None for `never`); a one-line
    ConfigError when it or scrapy-playwright is missing: asked before a run begins."""
    if crawl.render == "never":
        return None
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        raise ConfigError(
            "crawl.render needs the render extra: pip install 'shoplint[render]'"
        ) from None
    return chromium_executable(crawl.browser_path, os.environ, "crawl.render")


def render_settings(crawl: CrawlConfig, defaults: dict[str, Any]) -> dict[str, Any]:
    """The Scrapy settings a rendering crawl adds."""
    handler = "crawler.rendering.RenderingDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": ready_to_render(crawl),
            "headless": True,
            # trackers, payment hosts and render_block_hosts: never loaded
            "args": [
                *LAUNCH_ARGS,
                blocking_rules((*TRACKERS, *PAYMENT_PAGES, *crawl.render_block_hosts)),
            ],
        },
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": crawl.render_concurrency,
        "PLAYWRIGHT_MAX_CONTEXTS": 2,  # the one serving, and the one being retired
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": crawl.download_timeout * 1000,
        "SHOPLINT_RENDER_IDLE_MS": crawl.download_timeout * 1000 * _IDLE_SHARE,
        "SHOPLINT_RENDER_WAIT_FOR": crawl.render_wait_for,
        "SHOPLINT_RENDER_BLOCK_HOSTS": list(crawl.render_block_hosts),
        "SHOPLINT_RENDER_IGNORE_HOSTS": list(crawl.render_ignore_hosts),
        "DOWNLOADER_MIDDLEWARES": {
            **defaults["DOWNLOADER_MIDDLEWARES"],
            "crawler.rendering.RenderSetup": 960,
        },
    }
