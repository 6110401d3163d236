"""Runs the check families: page rules on each page as it is crawled, site rules on the
store after the crawl. Each family is registered here with its page check and/or its site
check, each yielding findings (None where a rule is off); its rules are the registry's
rules of that family (checks/catalogue/<family>.py). The checkout family's rules are
reported by the flows it walks (checks/checkout/), not here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from checks import browser, freshness, images, language, links, pages
from checks.context import CheckContext
from checks.page import Page
from checks.registry import family_rules
from checks.site import SiteView
from ground.model import Finding

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
    Family("checkout"),
    Family("browser", page=browser.check_page),
)
_CODES = {
    family.name: tuple(rule.code for rule in family_rules(family.name)) for family in FAMILIES
}


def page_findings(page: Page, ctx: CheckContext) -> tuple[Finding, ...]:
    return _kept(finding for check in _page_checks(ctx) for finding in check(page, ctx))


def page_rules_on(ctx: CheckContext) -> bool:
    return bool(_page_checks(ctx))


def site_findings(site: SiteView, ctx: CheckContext) -> tuple[Finding, ...]:
    return _kept(finding for check in _site_checks(ctx) for finding in check(site, ctx))


def _page_checks(ctx: CheckContext) -> list[PageCheck]:
    return [family.page for family in _active(ctx) if family.page is not None]


def _site_checks(ctx: CheckContext) -> list[SiteCheck]:
    return [family.site for family in _active(ctx) if family.site is not None]


def _active(ctx: CheckContext) -> list[Family]:
    """The families with at least one rule on: a family switched off in the configuration
    costs nothing, not even its parsing."""
    return [family for family in FAMILIES if any(ctx.enabled(code) for code in _CODES[family.name])]


def _kept(findings: Iterable[Finding | None]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f is not None)
