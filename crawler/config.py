"""The crawl's settings in shoplint.yml (`site:` and `crawl:`); crawler/settings.py turns
them into Scrapy settings."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from ground.sections import Section, css_selector

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(\.{_LABEL})*", re.IGNORECASE)  # a bare host name, no port


class SiteConfig(Section):
    hosts: list[str] = Field(default_factory=list)  # host or host:port that also count as the site


class CrawlConfig(Section):
    concurrency: int = Field(8, ge=1, le=256)  # requests in parallel per host
    download_timeout: float = Field(20, gt=0)  # seconds
    retries: int = Field(2, ge=0, le=10)  # extra attempts on transient errors
    obey_robots: bool = True
    autothrottle: bool = True
    user_agent: str | None = None  # None: shoplint's own, see crawler/settings.py
    max_pages: int = Field(50_000, ge=0)  # HTML pages; 0 = no limit
    max_depth: int = Field(0, ge=0)  # link hops from a seed; 0 = no limit
    max_response_bytes: int = Field(10 * 1024 * 1024, ge=1024)  # larger bodies are dropped
    max_url_length: int = Field(2048, ge=64)  # characters
    max_query_variants: int = Field(30, ge=1)  # distinct query strings per path (facet traps)
    # link hops along one path template (/agenda/{year}/{month}/, /page/{n}/) before it
    # counts as a crawler trap; 0 = no limit
    max_template_depth: int = Field(50, ge=0)
    # values of a random token in the middle of a path (/s/<session>/...) at one place
    # before it counts as a crawler trap; 0 = no limit
    max_path_tokens: int = Field(10, ge=0)
    max_retry_after: float = Field(30, ge=0)  # seconds of Retry-After (429, 503) waited for
    max_redirects: int = Field(20, ge=1)  # hops before a chain is given up
    internal_only: bool = False  # make no request outside the site
    drop_params: list[str] = Field(
        default_factory=lambda: [
            "utm_*",
            "gclid",
            "fbclid",
            "msclkid",
            "mc_cid",
            "mc_eid",
            "_ga",
            "_gl",
            "sessionid",
            "sid",
            "phpsessid",
            "jsessionid",
            "sessid",
        ]
    )  # query parameters removed from URLs (globs, case-insensitive)
    exclude: list[str] = Field(default_factory=list)  # URL globs never fetched
    # processes running the page checks beside the crawl; None: one when the machine has a
    # second core; 0: the checks run in the crawl's own process
    check_workers: int | None = Field(None, ge=0, le=8)
    # pages loaded in headless Chromium (crawler/rendering.py): never; auto (a page whose
    # HTML is an app shell, and the other pages of its template); always (every HTML page)
    render: Literal["never", "auto", "always"] = "never"
    render_concurrency: int = Field(4, ge=1, le=32)  # browser pages at once
    browser_path: str | None = None  # Chromium; also $SHOPLINT_CHROMIUM; default: on PATH
    # CSS selector of what shows the page is ready: the browser waits for it (at most half
    # the download timeout) instead of for the network to go idle; None: network idle
    render_wait_for: str | None = None
    # hosts (and their subdomains) whose script errors and failed calls are left out
    render_ignore_hosts: list[str] = Field(default_factory=list)
    # hosts (and their subdomains) never loaded while rendering, beside trackers and payment
    render_block_hosts: list[str] = Field(default_factory=list)

    @field_validator("render_wait_for")
    @classmethod
    def _css_selector(cls, selector: str | None) -> str | None:
        return css_selector(selector)

    @field_validator("render_ignore_hosts", "render_block_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if not _HOST.fullmatch(host):
                raise ValueError(f"not a host name: {host!r} (write it as cdn.example.com)")
        return [host.lower() for host in hosts]
