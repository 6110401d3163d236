"""Values several pages share (a title, a meta description, a product text), as the site
rules of the seo, accessibility and products families report them: among distinct pages
only, one finding per page with one message and evidence for the whole group, so that the
report shows the group as one row.

Addresses that are one page for a search engine count once: a page's canonical link names
which page it is, else its address without the query (?sort=, ?page=). Of such variants
the one reported is the page's own address when it was crawled, else the first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from weakref import WeakKeyDictionary

from checks.site import SiteView, site_path
from ground.model import RefKind

_EVIDENCE_PAGES = 10  # pages named in the evidence of a group

# page -> (canonical crawl key, canonical address as resolved), per site view
_CANONICALS: WeakKeyDictionary[SiteView, dict[str, tuple[str, str]]] = WeakKeyDictionary()


def canonical_links(site: SiteView) -> dict[str, tuple[str, str]]:
    """Each page's first canonical link: (its crawl key, its address). Read once per run."""
    links = _CANONICALS.get(site)
    if links is None:
        links = {}
        for ref in site.references([RefKind.LINK_CANONICAL]):
            if ref.kind is RefKind.LINK_CANONICAL and ref.target and ref.url:
                links.setdefault(ref.source, (ref.target, ref.url))
        _CANONICALS[site] = links
    return links


def same_page(site: SiteView) -> Callable[[str], str]:
    """Which page an address is (see the module's docstring)."""
    canonicals = canonical_links(site)

    def page_of(url: str) -> str:
        canonical = canonicals.get(url)
        return (canonical[0] if canonical else url).split("?")[0]

    return page_of


def shared(
    values: Iterable[tuple[str, str | None]],
    page_of: Callable[[str], str],
    min_pages: int = 2,
) -> Iterator[tuple[str, list[str]]]:
    """(value as first written, the addresses reported) for each value of the (address,
    value) pairs that `min_pages` distinct pages or more share; values compare with case
    and spacing ignored."""
    groups: dict[str, dict[str, str]] = {}  # value -> page -> the address reported
    written: dict[str, str] = {}
    for url, value in values:
        if not value:
            continue
        key = " ".join(value.split()).casefold()
        written.setdefault(key, value)
        members = groups.setdefault(key, {})
        page = page_of(url)
        if page not in members or url == page:
            members[page] = url
    for key, members in groups.items():
        if len(members) >= min_pages:
            yield written[key], sorted(members.values())


def page_list(urls: list[str], origin: str) -> str:
    """`Pages: /a/, /b/ and 3 more`: a group's evidence, the site's addresses as paths."""
    named = ", ".join(site_path(url, origin) for url in urls[:_EVIDENCE_PAGES])
    more = len(urls) - _EVIDENCE_PAGES
    return f"Pages: {named}" + (f" and {more} more" if more > 0 else "")
