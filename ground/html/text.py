"""The text a visitor sees in an element: what page facts, page rules and the checkout walk
all read, so it is worked out one way, here."""

from __future__ import annotations

import re
from collections.abc import Callable, Container

import lxml.html

INVISIBLE = frozenset({"script", "style", "noscript", "template", "head"})
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)  # elements a browser shows on a line of their own
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def visible_text_of(el: lxml.html.HtmlElement) -> str:
    """The text a visitor can read inside `el`: script, style and template contents and
    hidden elements (the hidden attribute, an inline display:none or visibility:hidden)
    left out, whitespace folded to one space, except that a block element (a paragraph, a
    heading, an alert box) ends with a line break, so texts of two blocks never read as
    one sentence."""
    parts: list[str] = []
    if is_shown(el):
        _collect_text(el, parts.append)
    lines = ("".join(parts)).split("\n")
    return "\n".join(folded for line in lines if (folded := " ".join(line.split())))


def is_shown(el: lxml.html.HtmlElement) -> bool:
    """Whether `el` itself is not hidden (script, template, the hidden attribute, an inline
    display:none or visibility:hidden); the elements around it are not looked at."""
    return shown(el, el.tag)


def shown(el: lxml.html.HtmlElement, tag: object) -> bool:
    """is_shown for a walk that has read el.tag already (lxml builds the tag's string anew
    each time it is read)."""
    if tag.__class__ is not str or tag in INVISIBLE or el.get("hidden") is not None:
        return False  # comments and processing instructions too
    style = el.get("style")
    return not (style and hiding_style(style))


def hiding_style(style: str) -> bool:
    """Whether an inline style hides its element: display:none or visibility:hidden."""
    return _HIDING_STYLE.search(style) is not None


def _collect_text(el: lxml.html.HtmlElement, append: Callable[[str], None]) -> None:
    """The text inside a shown `el`, its children's tails included, its own tail not. It
    runs on every element of every page: each tag is read once, and an element without
    children is read in place rather than recursed into."""
    text = el.text
    if text:
        append(text)
    for child in el:
        tag = child.tag
        if shown(child, tag):
            if len(child):
                _collect_text(child, append)
            elif text := child.text:
                append(text)
        if tag in _BLOCKS:
            append("\n")
        tail = child.tail
        if tail:
            append(tail)


def is_visible(el: lxml.html.HtmlElement) -> bool:
    """Whether a visitor can see `el`: neither it nor any element around it is hidden."""
    return is_shown(el) and all(is_shown(ancestor) for ancestor in el.iterancestors())


class VisibleIn:
    """is_visible for many elements of one tree, each element around them looked at once
    (a navigation's links share their ancestors: asked one by one, the walks up cost more
    than the rest of reading them); `left_out`: elements taken as hidden too."""

    def __init__(self, left_out: Container[lxml.html.HtmlElement] = frozenset()):
        self._left_out = left_out
        self._visible: dict[lxml.html.HtmlElement, bool] = {}

    def __call__(self, el: lxml.html.HtmlElement) -> bool:
        visible = self._visible
        path = []
        up: lxml.html.HtmlElement | None = el
        while up is not None and up not in visible:
            path.append(up)
            up = up.getparent()
        answer = True if up is None else visible[up]
        for up in reversed(path):
            answer = answer and up not in self._left_out and is_shown(up)
            visible[up] = answer
        return answer
