"""A parsed page as page rules see it: parsed once by the crawler, shared by every rule,
and blind to how it was fetched (plain HTTP today, a browser later)."""

from __future__ import annotations

from functools import cached_property

import lxml.html

from ground.html.text import visible_text_of
from ground.model import Fetch, Reference


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
        """The text a visitor can read on the page (see `visible_text_of`)."""
        return visible_text_of(self.doc)
