"""The Chromium that renders crawled pages (crawler/rendering.py) and walks browser checkout
flows (checks/checkout/rendered.py): which executable, and the hosts it never loads. Both
layers use it, so it lives here; it imports no browser library.

The browser is Debian's chromium (or `crawl.browser_path` / SHOPLINT_CHROMIUM), driven
through playwright's `executable_path`; playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping

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
