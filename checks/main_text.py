"""A page's own text, as the language checks read it: the main content, without the
navigation, page furniture, forms and cookie banners around it, cut into blocks at block
elements (paragraphs, list items, headings, table cells), so that a list item or a table
cell without a full stop never runs into the next one.

The page's tree is shared with every other rule: it is only read here, never changed.
Which elements hold the main content and what is left out are data:
checks/data/main_content.yml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from lxml.cssselect import CSSSelector

from ground.html.text import is_visible, shown

_DATA = yaml.safe_load(
    (Path(__file__).parent / "data" / "main_content.yml").read_text(encoding="utf-8")
)
DEFAULT_SELECTORS: tuple[str, ...] = tuple(_DATA["selectors"])
_SKIP_TAGS = frozenset(_DATA["skip_tags"])
_SKIP_ROLES = frozenset(_DATA["skip_roles"])
_BANNER = re.compile("|".join(re.escape(word) for word in _DATA["banner_words"]), re.IGNORECASE)
_BLOCK_TAGS = frozenset(_DATA["block_tags"])


def main_blocks(
    doc: lxml.html.HtmlElement,
    selectors: Sequence[str] = DEFAULT_SELECTORS,
    max_words: int | None = None,
) -> list[str]:
    """The text blocks of the page's main content, in document order, whitespace folded;
    no more blocks once `max_words` words are collected."""
    collector = _Collector(max_words)
    for root in main_elements(doc, selectors):
        collector.collect(root, root.tag)
    collector.flush()
    return collector.blocks


def main_elements(
    doc: lxml.html.HtmlElement, selectors: Sequence[str] = DEFAULT_SELECTORS
) -> list[lxml.html.HtmlElement]:
    """Every visible element the first matching selector finds (the outermost of nested
    ones); then the default selectors; else the <body>."""
    for css in (*selectors, *DEFAULT_SELECTORS):
        found = [el for el in compiled_selector(css)(doc) if is_visible(el)]
        if found:
            chosen = set(found)
            return [el for el in found if not any(a in chosen for a in el.iterancestors())]
    body = doc.find("body")
    return [body if body is not None else doc]


@lru_cache(maxsize=64)
def compiled_selector(css: str) -> CSSSelector:
    """A CSS selector, translated to XPath once; cssselect's SelectorError when invalid."""
    return CSSSelector(css, translator="html")


class _Collector:
    def __init__(self, max_words: int | None):
        self.blocks: list[str] = []
        self.parts: list[str] = []  # the text of the block being collected
        self.words_left = max_words if max_words is not None else float("inf")

    def collect(self, el: lxml.html.HtmlElement, tag: str) -> None:
        """The text of `el`; an inline element without children (most of them) is read
        in place rather than recursed into."""
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        parts = self.parts  # flush() empties it in place
        if el.text:
            parts.append(el.text)
        for child in el:
            if self.words_left <= 0:
                return
            child_tag = child.tag
            if _kept(child, child_tag):
                if len(child) or child_tag in _BLOCK_TAGS:
                    self.collect(child, child_tag)
                elif text := child.text:
                    parts.append(text)
            if tail := child.tail:
                parts.append(tail)
        if block:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            text = " ".join("".join(self.parts).split())
            if text:
                self.blocks.append(text)
                self.words_left -= text.count(" ") + 1
            self.parts.clear()


def _kept(el: lxml.html.HtmlElement, tag: Any) -> bool:
    """Text a customer reads as the page's own: shown, and not navigation, furniture,
    a form or a cookie banner. (`tag` is el.tag, read once: lxml makes it anew each time.)"""
    if not isinstance(tag, str) or tag in _SKIP_TAGS:
        return False  # comments and processing instructions too
    attrib = el.attrib
    if not attrib:
        return True
    if not shown(el, tag) or attrib.get("aria-hidden") == "true":
        return False
    if attrib.get("role") in _SKIP_ROLES:
        return False
    marks = " ".join(filter(None, (attrib.get("id"), attrib.get("class"))))
    return not (marks and _is_banner(marks))


@lru_cache(maxsize=1024)
def _is_banner(marks: str) -> bool:
    """Whether an element's id and class name a cookie or consent banner (a page repeats
    its class names, and so do the pages of a shop)."""
    return _BANNER.search(marks) is not None
