"""A parsed page as page rules see it: parsed once by the crawler, shared by every rule,
and blind to how it was fetched (plain HTTP today, a browser later)."""

from __future__ import annotations

import re
from functools import cached_property

import lxml.html

from shoplint.model import Fetch, Reference

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head"})
_WHITESPACE = re.compile(r"\s+")


class Page:
    def __init__(self, fetch: Fetch, doc: lxml.html.HtmlElement, refs: tuple[Reference, ...]):
        self.fetch = fetch
        self.doc = doc
        self.refs = refs

    @property
    def url(self) -> str:
        return self.fetch.url

    @cached_property
    def visible_text(self) -> str:
        """The text a visitor can read: script, style and template contents left out,
        whitespace folded."""
        parts: list[str] = []
        _collect_text(self.doc, parts)
        return _WHITESPACE.sub(" ", " ".join(parts)).strip()


def _collect_text(el: lxml.html.HtmlElement, parts: list[str]) -> None:
    if not isinstance(el.tag, str) or el.tag in _INVISIBLE or el.get("hidden") is not None:
        if el.tail:
            parts.append(el.tail)
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect_text(child, parts)
    if el.tail:
        parts.append(el.tail)
