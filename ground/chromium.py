"""The Chromium that renders crawled pages (crawler/rendering.py) and walks browser checkout
flows (checks/checkout/rendered.py): which executable, the hosts it never loads, and when a
page has gone quiet. Both layers use it, so it lives here; it imports no browser library.

The browser is Debian's chromium (or `crawl.browser_path` / SHOPLINT_CHROMIUM), driven
through playwright's `executable_path`; playwright's own browser download is never used.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ground.errors import ConfigError

BROWSER_ENV = "SHOPLINT_CHROMIUM"
# headless in a container or CI runner: no sandbox (often not permitted), no GPU, /tmp
# instead of a small /dev/shm
LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")

TRACKERS = (  # third-party trackers: never loaded in the browser
    "google-analytics.com", "googletagmanager.com", "doubleclick.net", "facebook.net",
    "facebook.com", "hotjar.com", "clarity.ms", "bing.com", "tiktok.com", "linkedin.com",
)  # fmt: skip
PAYMENT_PAGES = (  # payment providers' pages: never loaded while crawling
    "adyen.com", "mollie.com", "stripe.com", "paypal.com", "klarna.com", "buckaroo.nl",
    "multisafepay.com", "pay.nl",
)  # fmt: skip


def on_hosts(host: str, domains: Iterable[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one."""
    host = host.lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def blocking_rules(hosts: Iterable[str]) -> str:
    """Chromium's launch argument that makes `hosts` and their subdomains unresolvable: a
    request there fails in the browser itself, a redirect there too, with no round trip
    to Python for each of a page's requests to ask whether it may go."""
    rules = ", ".join(
        f"MAP {pattern} ~NOTFOUND" for host in hosts for pattern in (host, f"*.{host}")
    )
    return f"--host-resolver-rules={rules}"


class RequestsInFlight:
    """A page's requests in flight, from its events: the page is quiet once none has been
    open for a moment. Playwright's own "networkidle" waits 500 ms for that, and counts
    from the page's last navigation (not from a script's call after a click). Requests
    are told apart, not counted: one begun before listening (the page before) that ends
    now is not one of those open."""

    def __init__(self) -> None:
        self.open: set[object] = set()
        self.last_activity = time.perf_counter()  # a request began or ended, or touch()

    def listeners(self) -> tuple[tuple[str, Any], ...]:
        """What to hear of a playwright page: (event, listener)."""
        return (
            ("request", self.began),
            ("requestfinished", self.ended),
            ("requestfailed", self.ended),
        )

    def watch(self, page: Any) -> None:
        """Listens to a playwright page's requests."""
        for event, listener in self.listeners():
            page.on(event, listener)

    def began(self, request: object) -> None:
        self.open.add(request)
        self.touch()

    def ended(self, request: object) -> None:
        self.open.discard(request)
        self.touch()

    def touch(self) -> None:
        """Something happened (the page loaded, a button was clicked): a quiet moment
        starts from now."""
        self.last_activity = time.perf_counter()

    async def quiet(self, quiet_s: float, within_s: float) -> None:
        """Waits until no request has been open for `quiet_s`, or `within_s` has passed (a
        page that polls for ever is read as it is then)."""
        ends = time.perf_counter() + within_s
        while True:
            now = time.perf_counter()
            idle = now - self.last_activity
            if (not self.open and idle >= quiet_s) or now >= ends:
                return
            wait = quiet_s - idle if not self.open else quiet_s / 5
            await asyncio.sleep(max(0.005, min(wait, ends - now)))


def chromium_executable(configured: str | None, environ: Mapping[str, str], needed_by: str) -> str:
    """The Chromium to use; a one-line ConfigError (exit 2) naming what needs it when there
    is none, asked before a run begins."""
    candidate = configured or environ.get(BROWSER_ENV) or "chromium"
    found = shutil.which(candidate)
    if found is None:
        raise ConfigError(
            f"{needed_by} needs Chromium: {candidate} was not found"
            " (apt-get install chromium, or set crawl.browser_path or SHOPLINT_CHROMIUM)"
        )
    return found
