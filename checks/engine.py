"""Runs the check families: page rules on each page as it is crawled, site rules on the
store after the crawl. A family is a module of checks/ with `RULES` and a `check_page`
and/or a `check_site` function, each yielding findings (None where a rule is off)."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from checks import checkout, freshness, images, language, links, pages
from checks.context import CheckContext
from checks.page import Page
from checks.site import SiteView
from shoplint.model import Finding

# the family modules, in report order
FAMILIES: tuple[ModuleType, ...] = (links, images, pages, freshness, language, checkout)


def page_findings(page: Page, ctx: CheckContext) -> tuple[Finding, ...]:
    return _kept(finding for check in _active(ctx, "check_page") for finding in check(page, ctx))


def page_rules_on(ctx: CheckContext) -> bool:
    return bool(_active(ctx, "check_page"))


def site_findings(site: SiteView, ctx: CheckContext) -> tuple[Finding, ...]:
    return _kept(finding for check in _active(ctx, "check_site") for finding in check(site, ctx))


def _active(ctx: CheckContext, kind: str) -> list:
    """The `kind` functions of the families with at least one rule on: a family switched
    off in the configuration costs nothing, not even its parsing."""
    return [
        getattr(family, kind)
        for family in FAMILIES
        if hasattr(family, kind) and any(ctx.enabled(rule.code) for rule in family.RULES)
    ]


def _kept(findings: Iterable[Finding | None]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f is not None)
