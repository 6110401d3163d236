"""A parsed page as page rules see it: parsed once by the crawler (or by the check worker
from the page's bytes), shared by every rule, and blind to how it was fetched (plain HTTP
today, a browser later)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import lxml.html

from ground.html.extract import base_href, page_base
from ground.html.text import visible_text_of
from ground.model import Fetch
from ground.urls import LinkResolver, Normalizer

# the crawl's own way of resolving a page's references; the crawl keys it also makes
# (normalised without the run's dropped parameters) are not used here
_ADDRESSES = LinkResolver(Normalizer(()))


class Page:
    def __init__(self, fetch: Fetch, doc: lxml.html.HtmlElement):
        self.fetch = fetch
        self.doc = doc

    @property
    def url(self) -> str:
        return self.fetch.url

    @cached_property
    def visible_text(self) -> str:
        """The text a visitor can read on the page (see `visible_text_of`)."""
        return visible_text_of(self.doc)

    def address(self, raw: str) -> str | None:
        """The absolute address (fragment kept) of a reference written `raw` on the page,
        as the crawl resolves it: against the page's <base href>, if any; None for what is
        no http(s) address. Resolved when a rule names one in a finding, so that the page's
        hundreds of references need not travel to the check worker."""
        return self._resolver(raw)[0]

    @cached_property
    def _resolver(self) -> Callable[[str], tuple[str | None, str | None]]:
        return _ADDRESSES.on_page(page_base(self.url, base_href(self.doc)))
