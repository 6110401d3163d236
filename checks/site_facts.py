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
from typing import Any

from checks.context import CheckContext
from checks.engine import imported
from checks.page import Page

Reader = Callable[[Any, Page, CheckContext], str | None]  # (its module, the page, the run)

# Fetch field -> (the rules that need it, the module that reads it (imported when one of
# them is on: extruct, textstat...), how it is read off the page with that module)
_FACTS: dict[str, tuple[tuple[str, ...], str, Reader]] = {
    "anchors": (
        ("LNK006",), "ground.html.extract", lambda m, page, _: m.fragment_targets(page.doc)
    ),
    "availability": (
        ("FRS005",), "ground.html.facts", lambda m, page, _: m.availability(page.doc, page.url)
    ),
    "updated": (("FRS004",), "ground.html.facts", lambda m, page, _: m.update_statement(page.doc)),
    "description": (("SEO006",), "checks.seo", lambda m, page, _: m.meta_description(page)),
    "product": (
        ("PRD002", "PRD004", "PRD008"), "checks.products", lambda m, page, _: m.product_fact(page)
    ),
    "words": (
        ("SPL001", "SPL003", "SPL004"),
        "checks.spelling.family",
        lambda m, page, ctx: m.words_fact(page, ctx),
    ),
}  # fmt: skip


def wanted_facts(ctx: CheckContext) -> tuple[str, ...]:
    """The facts some rule that is on will read."""
    return tuple(name for name, (codes, *_) in _FACTS.items() if any(ctx.enabled(c) for c in codes))


def import_readers(wanted: tuple[str, ...]) -> None:
    """Imports what reads the wanted facts: before the check workers are forked, so that
    they start with it imported."""
    for name in wanted:
        imported(_FACTS[name][1])


def site_facts(page: Page, wanted: tuple[str, ...], ctx: CheckContext) -> dict[str, str | None]:
    found = {}
    for name in wanted:
        _, module, read = _FACTS[name]
        found[name] = read(imported(module), page, ctx)
    return found
