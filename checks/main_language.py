"""A page's main text as the language checks read it (their content_selectors, min_words
and max_words), and the language it is written in: read once a page, for the language,
seo (hreflang) and spelling rules, without the readability formulas' imports."""

from __future__ import annotations

from dataclasses import dataclass

from checks.context import CheckContext
from checks.main_text import main_blocks
from checks.page import Page, once_a_page
from checks.text_language import Language, detected_language
from checks.url_patterns import first_match

DIFFICULT = "LNG001"  # the rule whose options say where and how much main text is read


@dataclass(frozen=True, slots=True)
class MainText:
    blocks: list[str]
    text: str
    detected: Language | None  # the language it is written in, when the text says


@once_a_page
def main_text(page: Page, ctx: CheckContext) -> MainText | None:
    """The page's main content and its detected language; None when too short to judge."""
    selectors = first_match(ctx.option(DIFFICULT, "content_selectors"), page.url) or ()
    blocks = main_blocks(page.doc, selectors, ctx.option(DIFFICULT, "max_words"))
    found = None
    if sum(block.count(" ") + 1 for block in blocks) >= ctx.option(DIFFICULT, "min_words"):
        text = " ".join(blocks)
        found = MainText(blocks, text, detected_language(text))
    return found
