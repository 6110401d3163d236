"""A page's own text, as the language checks read it: the main content, without the
navigation, page furniture, forms and cookie banners around it, cut into blocks at block
elements (paragraphs, list items, headings, table cells), so that a list item or a table
cell without a full stop never runs into the next one.

The page's tree is shared with every other rule: it is only read here, never changed.
Which elements hold the main content and what is left out are data:
checks/data/main_content.yml.

Several families read the main text of the same page (language, spelling, the soft-404
rule): the tree is walked once a page, and a reader that wants only the first `max_words`
words gets what a walk stopping there would give (`_Walk.first_words`). The walk is Python
over every element (XSLT and XPath predicates were measured slower in libxml2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import lxml.html
import yaml
from lxml.cssselect import CSSSelector

from ground.html.text import INVISIBLE, hiding_style, is_visible

_DATA = yaml.safe_load(
    (Path(__file__).parent / "data" / "main_content.yml").read_text(encoding="utf-8")
)
DEFAULT_SELECTORS: tuple[str, ...] = tuple(_DATA["selectors"])
_SKIP_TAGS = frozenset(_DATA["skip_tags"])
_SKIP_ROLES = frozenset(_DATA["skip_roles"])
# matched in the id and in the class apart: no banner word holds a space
_BANNER = re.compile("|".join(re.escape(word) for word in _DATA["banner_words"]), re.IGNORECASE)
_BLOCK_TAGS = frozenset(_DATA["block_tags"])
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*")  # as the HTML parser writes it

Element = lxml.html.HtmlElement
# the walks of the page read last (the families read a page one after another); not more:
# a walk holds elements of its tree, and so the tree
_last: tuple[Element, dict[tuple[str, ...], _Walk]] | None = None


def main_blocks(
    doc: Element, selectors: Sequence[str] = DEFAULT_SELECTORS, max_words: int | None = None
) -> list[str]:
    """The text blocks of the page's main content, in document order, whitespace folded;
    no more blocks once `max_words` words are collected."""
    walk = _walk(doc, selectors)
    return list(walk.blocks) if max_words is None else walk.first_words(max_words)


def _walk(doc: Element, selectors: Sequence[str]) -> _Walk:
    """The page's main text for these selectors, walked once a page."""
    global _last
    if _last is None or _last[0] is not doc:
        _last = (doc, {})
    walks = _last[1]
    key = tuple(dict.fromkeys((*selectors, *DEFAULT_SELECTORS)))
    if key not in walks:
        walks[key] = _Walk(_roots(doc, key))
    return walks[key]


def _roots(doc: Element, selectors: tuple[str, ...]) -> list[Element]:
    """Every visible element the first matching selector finds (the outermost of nested
    ones); else the <body>."""
    for css in selectors:
        found = [el for el in _matching(doc, css) if is_visible(el)]
        if found:
            chosen = set(found)
            return [el for el in found if not any(a in chosen for a in el.iterancestors())]
    body = doc.find("body")
    return [body if body is not None else doc]


def _matching(doc: Element, css: str) -> list[Element]:
    """The elements a selector matches; a bare tag name (main, article) through lxml's own
    iteration, which answers at once for a name the page never uses (cssselect's XPath
    walks the whole tree: a quarter of a millisecond on a 2,000-element page)."""
    return list(doc.iter(css)) if _TAG_NAME.fullmatch(css) else compiled_selector(css)(doc)


@lru_cache(maxsize=64)
def compiled_selector(css: str) -> CSSSelector:
    """A CSS selector, translated to XPath once; cssselect's SelectorError when invalid."""
    return CSSSelector(css, translator="html")


# where a block starts or ends, among the texts a walk collects: joined and split once
# (a flush per block element cost a third of the walk); no text of a parsed page holds a
# NUL (libxml2's strings end at one)
_BREAK = "\0"
_End = tuple[Element, bool] | None  # where a block ended: (element, at its start); the end


class _Walk:
    """The blocks of the main content, and where each was ended (the element whose start
    or end ended it), which is what a walk stopping after `max_words` words needs to know
    to give the same blocks."""

    def __init__(self, roots: list[Element]):
        self.roots = roots
        self.parts: list[str] = []  # texts, and a _BREAK where a block starts or ends
        self.breaks: list[_End] = []  # where each _BREAK is
        for root in roots:
            self._collect(root, root.tag)
        self.blocks, self.ends = _blocks(self.parts, [*self.breaks, None])
        del self.parts, self.breaks

    def _collect(self, el: Element, tag: str) -> None:
        """The text of `el`; an inline element without children (most of them) is read
        in place rather than recursed into. (A tag is read once: lxml makes it anew.)"""
        block = tag in _BLOCK_TAGS
        parts = self.parts
        if block:
            parts.append(_BREAK)
            self.breaks.append((el, True))
        if el.text:
            parts.append(el.text)
        for child in el:
            child_tag = child.tag
            if child_tag.__class__ is str and child_tag not in _SKIP_TAGS:
                attributes = child.items()
                if not attributes or _kept(child_tag, attributes):
                    if len(child) or child_tag in _BLOCK_TAGS:
                        self._collect(child, child_tag)
                    elif text := child.text:
                        parts.append(text)
            if tail := child.tail:
                parts.append(tail)
        if block:
            parts.append(_BREAK)
            self.breaks.append((el, False))

    def first_words(self, max_words: int) -> list[str]:
        """The blocks a walk that stops once `max_words` words are collected gives: up to
        the block that reaches them, then what that walk still collects on its way out
        (the text and tails around where it stopped), as it always did."""
        words = 0
        for index, block in enumerate(self.blocks):
            words += block.count(" ") + 1
            if words >= max_words:
                return self.blocks[: index + 1] + self._on_the_way_out(self.ends[index])
        return list(self.blocks)

    def _on_the_way_out(self, end: _End) -> list[str]:
        """A stopping walk, after the block ended at `end`: it reads an element's text but
        no child (a childless block ends), each open element's tail on the way up (an
        element whose last child that was ends its block), and of each further root its
        text alone."""
        if end is None:
            return []  # the page's last block: nothing after it
        el, at_start = end
        parts = [el.text or "", _BREAK] if at_start and not len(el) else []
        if at_start and len(el):
            parts.append(el.text or "")
        while not any(el is root for root in self.roots):
            parent = el.getparent()
            parts.append(el.tail or "")
            if el.getnext() is None and parent.tag in _BLOCK_TAGS:
                parts.append(_BREAK)
            el = parent
        after = next(i for i, root in enumerate(self.roots) if root is el) + 1
        for root in self.roots[after:]:
            block = root.tag in _BLOCK_TAGS
            parts += [_BREAK, root.text or ""] if block else [root.text or ""]
            if block and not len(root):
                parts.append(_BREAK)
        return _blocks(parts, [None] * (parts.count(_BREAK) + 1))[0]


def _blocks(parts: list[str], ends: list[_End]) -> tuple[list[str], list[_End]]:
    """The blocks the texts between breaks make, whitespace folded, the empty ones left
    out; and where each ended (`ends`: where each break is, then the end)."""
    blocks, where = [], []
    for segment, end in zip("".join(parts).split(_BREAK), ends, strict=True):
        if text := " ".join(segment.split()):
            blocks.append(text)
            where.append(end)
    return blocks, where


def _kept(tag: str, attributes: list[tuple[str, str]]) -> bool:
    """Whether an element with these attributes (of no skipped tag) holds text a customer
    reads as the page's own: shown, and not furniture or a cookie banner by them."""
    if tag in INVISIBLE:
        return False
    for name, value in attributes:  # read in one call: see _LEAVING_OUT
        if name in _LEAVING_OUT and _LEAVING_OUT[name](value):
            return False
    return True


@lru_cache(maxsize=1024)
def _is_banner(marks: str) -> bool:
    """Whether an element's id or class names a cookie or consent banner (a page repeats
    its class names, and so do the pages of a shop)."""
    return _BANNER.search(marks) is not None


# attribute name -> whether its value leaves the element's text out: hiding it (as
# ground/html/text.py: shown), from screen readers, a role of page furniture, an id or a
# class of a cookie banner. The walk reads an element's attributes in one call and looks
# each up here: a third of the time of asking for these six by name, on pages where most
# elements have a class.
_LEAVING_OUT: dict[str, Callable[[str], bool]] = {
    "hidden": lambda _: True,
    "style": hiding_style,
    "aria-hidden": "true".__eq__,
    "role": _SKIP_ROLES.__contains__,
    "id": _is_banner,
    "class": _is_banner,
}
