"""Facts a page states that site rules judge after the crawl: the sections a `#fragment`
link can reach (LNK006), whether its product can be bought (FRS005), when it says it
was last updated (FRS004), its meta description (SEO006), its product's description
and image (PRD002, PRD004, PRD008), and the words its dictionaries reject (SPL001, SPL003,
SPL004: judged against the whole site). They are read where the page rules run, in the check worker
beside the crawl when there is one, and only for the rules that are on: the crawl itself
reads no more of a page than its links."""

from __future__ import annotations

from collections.abc import Callable

from checks.context import CheckContext
from checks.page import Page
from checks.products import product_fact
from checks.seo import meta_description
from checks.spelling.family import words_fact
from ground.html.extract import fragment_targets
from ground.html.facts import availability, update_statement

# Fetch field -> (the rules that need it, how it is read off the page)
_FACTS: dict[str, tuple[tuple[str, ...], Callable[[Page, CheckContext], str | None]]] = {
    "anchors": (("LNK006",), lambda page, _: fragment_targets(page.doc)),
    "availability": (("FRS005",), lambda page, _: availability(page.doc, page.url)),
    "updated": (("FRS004",), lambda page, _: update_statement(page.doc)),
    "description": (("SEO006",), lambda page, _: meta_description(page)),
    "product": (("PRD002", "PRD004", "PRD008"), lambda page, _: product_fact(page)),
    "words": (("SPL001", "SPL003", "SPL004"), words_fact),
}


def wanted_facts(ctx: CheckContext) -> tuple[str, ...]:
    """The facts some rule that is on will read."""
    return tuple(name for name, (codes, _) in _FACTS.items() if any(ctx.enabled(c) for c in codes))


def site_facts(page: Page, wanted: tuple[str, ...], ctx: CheckContext) -> dict[str, str | None]:
    return {name: _FACTS[name][1](page, ctx) for name in wanted}
