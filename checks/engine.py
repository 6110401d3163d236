"""Runs the check families: page rules on each page as it is crawled, site rules on the
store after the crawl. Each family is registered here by its module, whose check_page
and/or check_site yield findings (None where a rule is off), imported only when one of its
rules is on; its rules are the registry's rules of that family (checks/catalogue/
<family>.py). The checkout family's rules are reported by the flows it walks
(checks/checkout/), not here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import import_module
from typing import Any, NamedTuple

from checks.context import CheckContext
from checks.page import Page
from checks.registry import family_rules
from checks.rendered_only import RenderedOnly, marked_on_site
from checks.site import SiteView
from ground.model import Finding

logger = logging.getLogger(__name__)

PageCheck = Callable[[Page, CheckContext], Iterator[Finding | None]]
SiteCheck = Callable[[SiteView, CheckContext], Iterator[Finding | None]]


class Family(NamedTuple):
    name: str
    module: str | None = None  # its module: imported once a rule of the family is on
    page: bool = False  # its check_page runs on each page as it is crawled
    site: bool = False  # its check_site runs on the store after the crawl

    def checks(self, kind: str) -> Any:  # PageCheck | SiteCheck
        """The family's check_page or check_site (`kind`: page | site)."""
        return getattr(imported(self.module), f"check_{kind}")


# in report order
FAMILIES: tuple[Family, ...] = (
    Family("links", "checks.links", site=True),
    Family("images", "checks.images", page=True, site=True),
    Family("pages", "checks.pages", page=True, site=True),
    Family("freshness", "checks.freshness", page=True, site=True),
    Family("language", "checks.language", page=True),
    Family("spelling", "checks.spelling.family", page=True, site=True),
    Family("seo", "checks.seo", page=True, site=True),
    Family("accessibility", "checks.accessibility", page=True, site=True),
    Family("products", "checks.products", page=True, site=True),
    Family("checkout"),
    Family("browser", "checks.browser", page=True),
)
_CODES = {
    family.name: tuple(rule.code for rule in family_rules(family.name)) for family in FAMILIES
}


# a family's module (or a fact reader's, checks/site_facts.py), imported when first asked:
# a run with its rules off does not pay for its imports (textstat, nltk, dateparser, extruct)
imported: Callable[[str], Any] = cache(import_module)


def import_active(ctx: CheckContext) -> None:
    """Imports the families whose rules are on: before the check workers are forked, so
    that they start with them imported."""
    for family in _active(ctx):
        if family.module is not None:
            imported(family.module)


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
    return any(family.page for family in _active(ctx))


def site_findings(site: SiteView, ctx: CheckContext) -> tuple[Finding, ...]:
    found = _kept(finding for check in _site_checks(ctx) for finding in check(site, ctx))
    return tuple(marked_on_site(found, site.fetches))


def _page_checks_named(ctx: CheckContext) -> list[tuple[str, PageCheck]]:
    return [(family.name, family.checks("page")) for family in _active(ctx) if family.page]


def _site_checks(ctx: CheckContext) -> list[SiteCheck]:
    return [family.checks("site") for family in _active(ctx) if family.site]


def _active(ctx: CheckContext) -> list[Family]:
    """The families with at least one rule on: a family switched off in the configuration
    costs nothing, not even its parsing."""
    return [family for family in FAMILIES if any(ctx.enabled(code) for code in _CODES[family.name])]


def _kept(findings: Iterable[Finding | None]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f is not None)
