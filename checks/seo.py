"""SEO: what a search engine shows of each page (title, description, main heading) and
which pages it may show (canonical links, language versions, the sitemap against noindex
and robots.txt).

A page's own title, description, heading and hreflang values are judged on its tree as it
is crawled. Whatever compares pages (duplicate titles and descriptions, where canonical
links and language versions lead, the sitemap) is judged after the crawl, on the stored
fetches and references; the one fact this needs that the crawl does not keep, the meta
description, is read in the check worker (checks/site_facts.py). Pages that say noindex
are not listed by search engines, so the rules on titles, descriptions and headings
leave them alone."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache

import lxml.html

from checks import DATA
from checks.context import CheckContext, shortened
from checks.head import Head, head_of, says_noindex
from checks.language_codes import X_DEFAULT, valid_hreflang
from checks.main_language import main_text
from checks.page import Page
from checks.shared_values import canonical_links, page_list, same_page, shared
from checks.site import SiteView, site_path
from checks.text_language import language_of_tag
from ground.model import Fetch, Finding, Outcome, RefKind
from ground.words import load_words

MISSING_TITLE = "SEO001"
DUPLICATE_TITLE = "SEO002"
LONG_TITLE = "SEO003"
SITE_NAME_TITLE = "SEO004"
MISSING_DESCRIPTION = "SEO005"
DUPLICATE_DESCRIPTION = "SEO006"
DESCRIPTION_LENGTH = "SEO007"
H1 = "SEO008"
BAD_CANONICAL = "SEO009"
SITEMAP_CANONICAL = "SEO010"
BROKEN_ALTERNATE = "SEO011"
NO_RETURN_LINK = "SEO012"
INVALID_HREFLANG = "SEO013"
NO_X_DEFAULT = "SEO014"
HREFLANG_MISMATCH = "SEO015"
SITEMAP_NOT_INDEXABLE = "SEO016"

_WORDS = load_words(DATA / "seo.yml")
_SEPARATORS: tuple[str, ...] = tuple(_WORDS["title_separators"])
_DESCRIPTION_LIMIT = 300  # characters of a meta description kept for comparing pages
_SNIPPET = 80  # characters of text quoted


def meta_description(page: Page) -> str | None:
    """The site fact SEO006 compares: the page's meta description, squeezed and cut."""
    description = head_of(page).description
    return description[:_DESCRIPTION_LIMIT] if description else None


# -- on each page, while crawling -----------------------------------------------------------


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    head = head_of(page)
    if head.alternates:
        yield from _hreflang_codes(page, head, ctx)
        if ctx.enabled(HREFLANG_MISMATCH):
            yield _hreflang_mismatch(page, head, ctx)
    if says_noindex(page.fetch.meta_robots):
        return
    title = page.fetch.title
    if not title:
        yield ctx.finding(MISSING_TITLE, page.url, None, _no_title(page.doc))
    elif ctx.enabled(LONG_TITLE):
        yield _long_title(page, title, ctx)
    if head.description:
        yield _description_length(page, head.description, ctx)
    else:
        empty = " an empty" if head.description is not None else " no"
        message = f"The page has{empty} meta description"
        yield ctx.finding(MISSING_DESCRIPTION, page.url, None, message)
    yield _h1(page, head.h1s, ctx)


def _no_title(doc: lxml.html.HtmlElement) -> str:
    has_title = next(doc.iter("title"), None) is not None
    return "The page's title is empty" if has_title else "The page has no title"


def _long_title(page: Page, title: str, ctx: CheckContext) -> Finding | None:
    chars, pixels = len(title), title_pixels(title)
    max_chars, max_pixels = (
        ctx.option(LONG_TITLE, "max_chars"),
        ctx.option(LONG_TITLE, "max_pixels"),
    )
    if chars <= max_chars and pixels <= max_pixels:
        return None
    message = (
        f"Title too long for search results: {chars} characters, about {pixels} pixels "
        f"(shown in full up to {max_chars} characters and {max_pixels} pixels)"
    )
    return ctx.finding(LONG_TITLE, page.url, None, message, f"<title>{title}</title>")


def title_pixels(title: str) -> int:
    """About how wide `title` shows in search results: Arial's widths at 20 pixels."""
    widths, default = _char_widths()
    thousandths = sum(widths.get(c) or widths.get(_base(c)) or default for c in title)
    return round(thousandths * _WORDS["title_font_px"] / 1000)


@cache
def _char_widths() -> tuple[dict[str, int], int]:
    table = dict(_WORDS["title_char_widths"])
    default = table.pop("default")
    narrow = table.pop("narrow")
    return {**{c: narrow["width"] for c in narrow["chars"]}, **table}, default


def _base(char: str) -> str:
    return unicodedata.normalize("NFD", char)[:1]


def _description_length(page: Page, description: str, ctx: CheckContext) -> Finding | None:
    low, high = (
        ctx.option(DESCRIPTION_LENGTH, "min_chars"),
        ctx.option(DESCRIPTION_LENGTH, "max_chars"),
    )
    length = len(description)
    if low <= length <= high:
        return None
    if length < low:
        message = f"Meta description too short: {length} characters (aim for {low} to {high})"
    else:
        message = f"Meta description too long: {length} characters, cut off after about {high}"
    return ctx.finding(DESCRIPTION_LENGTH, page.url, None, message, description)


def _h1(page: Page, h1s: list[str], ctx: CheckContext) -> Finding | None:
    texts = list(dict.fromkeys(text for text in h1s if text))
    if len(texts) == 1:
        return None
    if not texts:
        message = "The page has no main heading (h1)" if not h1s else "The page's h1 is empty"
        return ctx.finding(H1, page.url, None, message)
    message = f"The page has {len(texts)} different main headings (h1)"
    return ctx.finding(H1, page.url, None, message, " | ".join(texts))


def _hreflang_codes(page: Page, head: Head, ctx: CheckContext) -> Iterator[Finding | None]:
    codes = [alt.hreflang.lower() for alt in head.alternates]
    if X_DEFAULT not in codes:
        message = f"Language versions ({', '.join(dict.fromkeys(codes))}) without an x-default"
        yield ctx.finding(NO_X_DEFAULT, page.url, None, message)
    if not ctx.enabled(INVALID_HREFLANG):
        return
    for alt in head.alternates:
        if not valid_hreflang(alt.hreflang):
            message = f'hreflang="{alt.hreflang}" is not a valid language (and region) code'
            evidence = f'<link rel="alternate" hreflang="{alt.hreflang}" href="{alt.href}">'
            yield ctx.finding(INVALID_HREFLANG, page.url, page.address(alt.href), message, evidence)


def _hreflang_mismatch(page: Page, head: Head, ctx: CheckContext) -> Finding | None:
    """The language of the page's own entry in its hreflang list against its text's."""
    own = next((a for a in head.alternates if _same_address(page, a.href)), None)
    declared = language_of_tag(own.hreflang) if own else None
    if declared is None:
        return None
    main = main_text(page, ctx)
    if main is None:
        return None
    text, detected = main.text, main.detected
    if detected is None or detected == declared:
        return None
    message = (
        f"hreflang says this is the {declared.name} ({own.hreflang}) version, "
        f"but its text is {detected.name} ({detected.code})"
    )
    evidence = f"“{shortened(text, _SNIPPET)}”"
    return ctx.finding(HREFLANG_MISMATCH, page.url, None, message, evidence)


def _same_address(page: Page, href: str) -> bool:
    address = page.address(href)
    return address is not None and address.split("#")[0] == page.url


# -- after the crawl ----------------------------------------------------------------------------


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    pages = [f for f in site.fetches.values() if f.is_page and f.status == 200]
    listed = [f for f in pages if not says_noindex(f.meta_robots)]
    for code, field, what in (
        (DUPLICATE_TITLE, "title", "title"),
        (DUPLICATE_DESCRIPTION, "description", "meta description"),
    ):
        if ctx.enabled(code):
            values = ((f.url, getattr(f, field)) for f in listed)
            for value, urls in shared(values, same_page(site)):
                message = f"{len(urls)} different pages have the {what} “{value}”"
                evidence = page_list(urls, ctx.site_origin)
                yield from (ctx.finding(code, url, None, message, evidence) for url in urls)
    if ctx.enabled(SITE_NAME_TITLE):
        yield from _site_name_titles(listed, ctx)
    if ctx.enabled(BAD_CANONICAL):
        yield from _bad_canonicals(site, ctx)
    if ctx.enabled(BROKEN_ALTERNATE) or ctx.enabled(NO_RETURN_LINK):
        yield from _alternates(site, ctx)
    if ctx.enabled(SITEMAP_CANONICAL) or ctx.enabled(SITEMAP_NOT_INDEXABLE):
        yield from _sitemap(site, ctx)


def _site_name_titles(pages: list[Fetch], ctx: CheckContext) -> Iterator[Finding | None]:
    name = ctx.option(SITE_NAME_TITLE, "site_name") or site_name([f.title or "" for f in pages])
    if not name:
        return
    home = ctx.site_origin + "/"
    for fetch in pages:
        if fetch.title and fetch.url != home and fetch.title.casefold() == name.casefold():
            message = f"The title is only the shop's name (“{fetch.title}”)"
            yield ctx.finding(SITE_NAME_TITLE, fetch.url, None, message, fetch.heading)


def site_name(titles: list[str]) -> str | None:
    """The name most titles end (or start) with, after a separator ("Fietsen | De Spaak"),
    when at least half of them (and two or more) do; None when the titles do not say."""
    ends: Counter[str] = Counter()
    for title in titles:
        parts = _split_title(title)
        if len(parts) > 1:
            ends.update({parts[-1], parts[0]})
    if not ends:
        return None
    name, count = ends.most_common(1)[0]
    return name if count >= 2 and count * 2 >= len(titles) else None


def _split_title(title: str) -> list[str]:
    for separator in _SEPARATORS:
        if separator in title:
            return [part.strip() for part in title.split(separator) if part.strip()]
    return [title.strip()]


def _bad_canonicals(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    for page, (target, url) in canonical_links(site).items():
        if target == page:
            continue
        source = site.fetches.get(page)
        if source is None or not source.is_page or source.status != 200:
            continue
        if not ctx.site.contains(url):
            problem: str | None = "is on another host"
        else:
            problem = _not_indexable(site.fetches.get(target))
        if problem:
            message = f"The canonical link names an address that {problem}"
            evidence = f'<link rel="canonical" href="{url}">'
            yield ctx.finding(BAD_CANONICAL, page, url, message, evidence)


def _not_indexable(fetch: Fetch | None) -> str | None:
    """Why a search engine would not take the page at `fetch` as a canonical, or None (also
    when it was not fetched, or robots.txt kept the crawl from it: nothing to tell)."""
    if fetch is None or fetch.outcome in (Outcome.DISALLOWED, Outcome.SKIPPED):
        return None
    if fetch.outcome is Outcome.FAILED:
        return f"could not be fetched ({fetch.error})"
    if fetch.redirect_to is not None:
        return f"redirects ({fetch.status}) to {fetch.redirect_to}"
    if fetch.status != 200:
        return f"answers {fetch.status}"
    if says_noindex(fetch.meta_robots):
        return f"says noindex (meta robots “{fetch.meta_robots}”)"
    return None


def _alternates(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    """Each page's language versions: broken ones, and ones that do not name it back."""
    fetches = site.fetches
    versions: dict[str, list[tuple[str, str, str]]] = {}  # page -> [(hreflang, key, url)]
    for ref in site.references([RefKind.LINK_ALTERNATE]):
        if ref.kind is RefKind.LINK_ALTERNATE and ref.text and ref.target and ref.url:
            versions.setdefault(ref.source, []).append((ref.text.strip(), ref.target, ref.url))
    for page, alternates in versions.items():
        for hreflang, target, url in alternates:
            if target == page:
                continue
            problem = _not_indexable(fetches.get(target))
            evidence = f'<link rel="alternate" hreflang="{hreflang}" href="{url}">'
            if problem:
                message = f"The {hreflang} version's address {problem}"
                yield ctx.finding(BROKEN_ALTERNATE, page, url, message, evidence)
            elif target in fetches and page not in {t for _, t, _ in versions.get(target, ())}:
                message = f"The {hreflang} version does not name this page as one of its versions"
                yield ctx.finding(NO_RETURN_LINK, page, url, message, evidence)


def _sitemap(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    fetches, canonicals = site.fetches, canonical_links(site)
    reported: set[str] = set()
    for entry in site.sitemap_entries():
        fetch = fetches.get(entry.url)
        if fetch is None or entry.url in reported:
            continue
        reported.add(entry.url)
        sitemap = site_path(entry.sitemap, ctx.site_origin)
        if fetch.outcome is Outcome.DISALLOWED:
            message = "The sitemap lists a page that robots.txt forbids search engines to crawl"
            yield ctx.finding(
                SITEMAP_NOT_INDEXABLE, entry.url, None, message, f"listed in {sitemap}"
            )
            continue
        if not fetch.is_page or fetch.status != 200:
            continue
        if says_noindex(fetch.meta_robots):
            message = "The sitemap lists a page that says noindex"
            evidence = f'listed in {sitemap}; <meta name="robots" content="{fetch.meta_robots}">'
            yield ctx.finding(SITEMAP_NOT_INDEXABLE, entry.url, None, message, evidence)
        canonical = canonicals.get(entry.url)
        if canonical and canonical[0] != entry.url:
            message = "The sitemap lists this address, but its canonical link names another"
            evidence = f'listed in {sitemap}; <link rel="canonical" href="{canonical[1]}">'
            yield ctx.finding(SITEMAP_CANONICAL, entry.url, canonical[1], message, evidence)
