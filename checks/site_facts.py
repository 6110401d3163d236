"""Facts a page states that site rules judge after the crawl: the sections a `#fragment`
link can reach (LNK006), whether its product can be bought (FRS005), when it says it
was last updated (FRS004), its meta description (SEO006) and its product's description
and image (PRD002, PRD004, PRD008). They are read where the page rules run, in the check worker
beside the crawl when there is one, and only for the rules that are on: the crawl itself
reads no more of a page than its links."""

from __future__ import annotations

from collections.abc import Callable

from checks.context import CheckContext
from checks.page import Page
from checks.products import product_fact
from checks.seo import meta_description
from ground.html.extract import fragment_targets
from ground.html.facts import availability, update_statement

# Fetch field -> (the rules that need it, how it is read off the page)
_FACTS: dict[str, tuple[tuple[str, ...], Callable[[Page], str | None]]] = {
    "anchors": (("LNK006",), lambda page: fragment_targets(page.doc)),
    "availability": (("FRS005",), lambda page: availability(page.doc, page.url)),
    "updated": (("FRS004",), lambda page: update_statement(page.doc)),
    "description": (("SEO006",), meta_description),
    "product": (("PRD002", "PRD004", "PRD008"), product_fact),
}


def wanted_facts(ctx: CheckContext) -> tuple[str, ...]:
    """The facts some rule that is on will read."""
    return tuple(name for name, (codes, _) in _FACTS.items() if any(ctx.enabled(c) for c in codes))


def site_facts(page: Page, wanted: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _FACTS[name][1](page) for name in wanted}
