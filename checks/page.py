"""A parsed page as page rules see it: parsed once by the crawler (or by the check worker
from the page's bytes), shared by every rule, and blind to how it was fetched (plain HTTP
today, a browser later)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, wraps
from typing import Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

import lxml.html

from ground.html.extract import base_href, page_base
from ground.html.text import visible_text_of
from ground.model import Fetch
from ground.urls import LinkResolver, Normalizer

P = ParamSpec("P")
T = TypeVar("T")

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


def once_a_page(read: Callable[Concatenate[Page, P], T]) -> Callable[Concatenate[Page, P], T]:
    """`read(page, ...)` worked out once a page, for every rule that asks (what else it is
    asked with, a run's context, is the same for every page); forgotten with the page."""
    found: WeakKeyDictionary[lxml.html.HtmlElement, T] = WeakKeyDictionary()

    @wraps(read)
    def once(page: Page, *args: P.args, **kwargs: P.kwargs) -> T:
        if page.doc not in found:
            found[page.doc] = read(page, *args, **kwargs)
        return found[page.doc]

    return once
