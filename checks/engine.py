"""Runs the check families: page rules on each page as it is crawled, site rules on the
store after the crawl. Each family is registered here with its page check and/or its site
check, each yielding findings (None where a rule is off); its rules are the registry's
rules of that family (checks/catalogue/<family>.py). The checkout family's rules are
reported by the flows it walks (checks/checkout/), not here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from checks import accessibility, browser, freshness, images, language, links, pages, products, seo
from checks.context import CheckContext
from checks.page import Page
from checks.registry import family_rules
from checks.rendered_only import RenderedOnly, marked_on_site
from checks.site import SiteView
from checks.spelling import family as spelling
from ground.model import Finding

logger = logging.getLogger(__name__)

PageCheck = Callable[[Page, CheckContext], Iterator[Finding | None]]
SiteCheck = Callable[[SiteView, CheckContext], Iterator[Finding | None]]


class Family(NamedTuple):
    name: str
    page: PageCheck | None = None  # run on each page as it is crawled
    site: SiteCheck | None = None  # run on the store after the crawl


# in report order
FAMILIES: tuple[Family, ...] = (
    Family("links", site=links.check_site),
    Family("images", page=images.check_page, site=images.check_site),
    Family("pages", page=pages.check_page, site=pages.check_site),
    Family("freshness", page=freshness.check_page, site=freshness.check_site),
    Family("language", page=language.check_page),
    Family("spelling", page=spelling.check_page, site=spelling.check_site),
    Family("seo", page=seo.check_page, site=seo.check_site),
    Family("accessibility", page=accessibility.check_page, site=accessibility.check_site),
    Family("products", page=products.check_page, site=products.check_site),
    Family("checkout"),
    Family("browser", page=browser.check_page),
)
_CODES = {
    family.name: tuple(rule.code for rule in family_rules(family.name)) for family in FAMILIES
}


def page_findings(page: Page, ctx: CheckContext) -> tuple[Finding, ...]:
    """Every page family's findings on the page. Crawled pages are untrusted: a family
    that fails on one costs only its own findings there (one warning per family and kind
    of failure), never the page or the other families' findings."""
    found: list[Finding] = []
    for family, check in _page_checks_named(ctx):
        try:
            found.extend(f for f in check(page, ctx) if f is not None)
        except Exception as error:
            _warn_once(family, error, page.url)
    if page.fetch.scripted is not None and found:  # read in the browser
        rendered = RenderedOnly.of_page(page)
        return tuple(rendered.marked(finding) for finding in found)
    return tuple(found)


_WARNED: set[tuple[str, str]] = set()


def _warn_once(family: str, error: Exception, url: str) -> None:
    if (family, type(error).__name__) not in _WARNED:
        _WARNED.add((family, type(error).__name__))
        logger.warning(
            "the %s checks failed on %s (%s: %s); its findings on such pages are left out",
            family, url, type(error).__name__, str(error)[:200],
        )  # fmt: skip


def page_rules_on(ctx: CheckContext) -> bool:
    return bool(_page_checks_named(ctx))


def site_findings(site: SiteView, ctx: CheckContext) -> tuple[Finding, ...]:
    found = _kept(finding for check in _site_checks(ctx) for finding in check(site, ctx))
    return tuple(marked_on_site(found, site.fetches))


def _page_checks_named(ctx: CheckContext) -> list[tuple[str, PageCheck]]:
    return [(family.name, family.page) for family in _active(ctx) if family.page is not None]


def _site_checks(ctx: CheckContext) -> list[SiteCheck]:
    return [family.site for family in _active(ctx) if family.site is not None]


def _active(ctx: CheckContext) -> list[Family]:
    """The families with at least one rule on: a family switched off in the configuration
    costs nothing, not even its parsing."""
    return [family for family in FAMILIES if any(ctx.enabled(code) for code in _CODES[family.name])]


def _kept(findings: Iterable[Finding | None]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f is not None)
