"""Facts a page states that site rules judge after the crawl: the sections a `#fragment`
link can reach (LNK006), whether its product can be bought (FRS005), when it says it
was last updated (FRS004), its meta description (SEO006), its product's description
and image (PRD002, PRD004, PRD008), and the words its dictionaries reject (SPL001, SPL003,
SPL004: judged against the whole site). They are read where the page rules run, in the
check worker beside the crawl when there is one, and only for the rules that are on: the
crawl itself reads no more of a page than its links, and imports no reader it does not
need."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from checks.context import CheckContext
from checks.page import Page
from ground.html.extract import fragment_targets

# a reader's module, imported when a rule that needs its fact is on (extruct, textstat...)
_imported: Callable[[str], Any] = cache(import_module)


def _anchors(page: Page, _: CheckContext) -> str | None:
    return fragment_targets(page.doc)


def _availability(page: Page, _: CheckContext) -> str | None:
    return _imported("ground.html.facts").availability(page.doc, page.url)


def _updated(page: Page, _: CheckContext) -> str | None:
    return _imported("ground.html.facts").update_statement(page.doc)


def _description(page: Page, _: CheckContext) -> str | None:
    return _imported("checks.seo").meta_description(page)


def _product(page: Page, _: CheckContext) -> str | None:
    return _imported("checks.products").product_fact(page)


def _words(page: Page, ctx: CheckContext) -> str | None:
    return _imported("checks.spelling.family").words_fact(page, ctx)


# Fetch field -> (the rules that need it, how it is read off the page, the module that reads it)
_FACTS: dict[str, tuple[tuple[str, ...], Callable[[Page, CheckContext], str | None], str]] = {
    "anchors": (("LNK006",), _anchors, "ground.html.extract"),
    "availability": (("FRS005",), _availability, "ground.html.facts"),
    "updated": (("FRS004",), _updated, "ground.html.facts"),
    "description": (("SEO006",), _description, "checks.seo"),
    "product": (("PRD002", "PRD004", "PRD008"), _product, "checks.products"),
    "words": (("SPL001", "SPL003", "SPL004"), _words, "checks.spelling.family"),
}


def wanted_facts(ctx: CheckContext) -> tuple[str, ...]:
    """The facts some rule that is on will read."""
    return tuple(name for name, (codes, *_) in _FACTS.items() if any(ctx.enabled(c) for c in codes))


def import_readers(wanted: tuple[str, ...]) -> None:
    """Imports what reads the wanted facts: before the check workers are forked, so that
    they start with it imported."""
    for name in wanted:
        _imported(_FACTS[name][2])


def site_facts(page: Page, wanted: tuple[str, ...], ctx: CheckContext) -> dict[str, str | None]:
    return {name: _FACTS[name][1](page, ctx) for name in wanted}
