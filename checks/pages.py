"""Pages: pages that are missing or only pretend to exist, pages the server fails on, pages
no customer can reach, and text a customer should never see.

Visible problems (error messages, stack traces, template code, filler text, NaN prices)
are judged on each page's tree as it is crawled (checks/visible_problems.py, which the
checkout check runs on its steps too). The rest is judged after the crawl, on the store:
the sitemap, the answer to the not-found probe (how the site answers a missing page), and
the link graph.
Soft 404s are seen both ways: by their wording while crawling, and after the crawl by
looking like the site's own not-found page.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

import lxml.html

from checks.context import CheckContext
from checks.main_text import main_blocks
from checks.page import Page
from checks.site import SiteView, chain_text, site_path
from checks.visible_problems import (
    HEADING_WORDING,
    MISSING_WORDS,
    NOT_FOUND_WHOLE,
    NOT_FOUND_WORDING,
    PAGE_WORDING,
    ProblemKind,
    fold,
    snippet,
    squeeze,
    visible_problems,
)
from ground.model import Fetch, Finding, Outcome, RefKind, SitemapEntry
from ground.urls import NOT_FOUND_PROBE, resolve

SITEMAP_MISSING = "PAG001"
SITEMAP_REDIRECT = "PAG002"
ORPHAN = "PAG003"
SOFT_404 = "PAG004"
NO_REAL_404 = "PAG005"
SERVER_ERROR = "PAG006"
ERROR_MESSAGE = "PAG007"
STACK_TRACE = "PAG008"
TEMPLATE_CODE = "PAG009"
FILLER_TEXT = "PAG010"
MISSING_VALUE = "PAG011"
CRAWLER_TRAP = "PAG012"
RATE_LIMITED = "PAG013"

_CARD_DEPTH = 5  # elements up from a placeholder in which to look for its listing card
_CARD_TAGS = frozenset({"li", "article", "tr"})  # a card even when it is the only one
_LINK_KINDS = frozenset({RefKind.A, RefKind.AREA, RefKind.META_REFRESH})  # what a visitor follows
_TRAPS = {  # a skipped fetch's reason (crawler/path_traps.py) -> the message
    "endless_path": "Crawler trap: {pattern} leads on to ever new addresses, link after link",
    "path_token": "Crawler trap: {pattern} puts a new token in the path of every page",
}


_KIND_CODES = {
    ProblemKind.ERROR_MESSAGE: (ERROR_MESSAGE, "Error message shown on the page"),
    ProblemKind.STACK_TRACE: (STACK_TRACE, "Stack trace shown on the page"),
    ProblemKind.TEMPLATE_CODE: (TEMPLATE_CODE, "Unrendered template code shown on the page"),
    ProblemKind.FILLER_TEXT: (FILLER_TEXT, "Filler text ('Lorem ipsum') on the page"),
    ProblemKind.MISSING_VALUE: (MISSING_VALUE, "'{}' shown where a price or name should be"),
}


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    """Soft 404 wording and visible problems; one finding per (rule, page), and for
    placeholders in a listing, one per product card (its link is the target)."""
    if page.url == ctx.site_origin + NOT_FOUND_PROBE:
        return  # the site's not-found page, fetched on purpose: judged by the site rule
    if ctx.enabled(SOFT_404) and (wording := _not_found_wording(page, ctx)):
        yield ctx.finding(SOFT_404, page.url, None, "Page says it does not exist", wording)
    kinds = [kind for kind, (code, _) in _KIND_CODES.items() if ctx.enabled(code)]
    if not kinds:
        return
    reported: set[tuple[str, str | None]] = set()
    for problem in visible_problems(page.doc, page.visible_text, kinds):
        code, message = _KIND_CODES[problem.kind]
        target = _card_target(problem.element, page) if problem.element is not None else None
        if (code, target) not in reported:
            reported.add((code, target))
            if problem.kind is ProblemKind.MISSING_VALUE:
                message = message.format(_placeholder(problem.element))
            yield ctx.finding(code, page.url, target, message, problem.snippet)


def _placeholder(el: lxml.html.HtmlElement | None) -> str:
    text = el.text_content() if el is not None else ""
    return next((word for word in MISSING_WORDS if word in text), "")


def _card_target(el: lxml.html.HtmlElement, page: Page) -> str | None:
    """The address of the listing card `el` is in (a product tile in a grid or list):
    the nearest list item, article or element repeated among its siblings around it that
    links to one address. None outside a card, as on the product's own page."""
    for box in islice(chain([el], el.iterancestors()), _CARD_DEPTH):
        parent = box.getparent()
        if parent is None:
            return None
        hrefs = {a.get("href").strip() for a in box.iter("a") if a.get("href")}
        if len(hrefs) > 1:
            return None
        if hrefs and (box.tag in _CARD_TAGS or _repeats(box, parent)):
            href = hrefs.pop()
            return page.address(href) or resolve(page.url, href)
    return None


def _repeats(box: lxml.html.HtmlElement, parent: lxml.html.HtmlElement) -> bool:
    alike = (s for s in parent if s.tag == box.tag and s.get("class") == box.get("class"))
    return next(islice(alike, 1, None), None) is not None


def _not_found_wording(page: Page, ctx: CheckContext) -> str | None:
    """Where the page says it does not exist: its title, first heading, or the main text
    of a short page (each block on its own, so a heading never runs into a question
    after it). None when it does not."""
    for label, value in (("title", page.fetch.title), ("heading", page.fetch.heading)):
        if value and _says_not_found(value):
            return f"{label}: {value}"
    if NOT_FOUND_WORDING not in PAGE_WORDING.said(page.visible_text):
        return None  # the usual case, decided without finding the main content
    blocks = main_blocks(page.doc)
    if sum(len(block.split()) for block in blocks) > ctx.option(SOFT_404, "max_main_words"):
        return None
    for block in blocks:
        if span := PAGE_WORDING.said(block).get(NOT_FOUND_WORDING):
            return f"main text: {snippet(block, *span)}"
    return None


def _says_not_found(heading: str) -> bool:
    if fold(heading).strip(" !.?:-–—") in NOT_FOUND_WHOLE:
        return True
    return NOT_FOUND_WORDING in HEADING_WORDING.said(heading)


# -- after the crawl (site rules) ------------------------------------------------------------


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    probe = ctx.site_origin + NOT_FOUND_PROBE
    entries = list(site.sitemap_entries())
    yield from _sitemap_problems(site, entries, ctx)
    yield from _not_found_handling(site, probe, ctx)
    yield from _unreachable_and_failing(site, entries, probe, ctx)
    yield from _traps(site, ctx)


def _sitemap_problems(
    site: SiteView, entries: list[SitemapEntry], ctx: CheckContext
) -> Iterator[Finding | None]:
    """Sitemap addresses that do not answer with a page: missing, failing or redirecting.
    Addresses not fetched (off the site, beyond the crawl's limits), disallowed by
    robots.txt or failing to connect are left to other rules."""
    for entry in entries:
        hops = site.chain(entry.url)
        if not hops or hops[0].outcome is not Outcome.RESPONSE:
            continue
        end = hops[-1]
        evidence = chain_text(hops, ctx.site_origin)
        if len(hops) == 1:
            if end.status and end.status >= 400:
                message = f"Sitemap lists {_missing(end.status)}"
                yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
            continue
        if end.redirect_to is not None and end.redirect_to in {hop.url for hop in hops}:
            message = "Sitemap lists an address that redirects in a loop"
            yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
        elif end.outcome is not Outcome.RESPONSE:
            continue  # a redirect to an address that could not be fetched: left to others
        elif end.status and end.status >= 400:
            message = f"Sitemap lists an address that redirects to {_missing(end.status)}"
            yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
        else:
            message = "Sitemap lists an address that redirects to another page"
            yield ctx.finding(SITEMAP_REDIRECT, entry.sitemap, entry.url, message, evidence)


def _missing(status: int) -> str:
    if status == 404:
        return "a page that does not exist (404)"
    if status == 410:
        return "a page that was removed (410 Gone)"
    if status >= 500:
        return f"a page that answers a server error ({status})"
    return f"a page that cannot be opened ({status})"


def _not_found_handling(site: SiteView, probe: str, ctx: CheckContext) -> Iterator[Finding | None]:
    """How the site answered the probe (an address that cannot exist): anything but a
    4xx is one finding; its own not-found page, answered in place, is what soft 404s
    look like."""
    hops = site.chain(probe)
    if not hops or hops[0].outcome is not Outcome.RESPONSE:
        return
    end = hops[-1]
    status = end.status or 0
    if end.outcome is Outcome.RESPONSE and end.redirect_to is None and not 400 <= status < 500:
        if len(hops) > 1:
            where = end.url.removeprefix(ctx.site_origin)
            message = f"Missing pages redirect to {where} instead of answering 404 Not Found"
        elif status >= 500:
            message = f"Missing pages answer a server error ({status}) instead of 404 Not Found"
        else:
            message = f"Missing pages answer {status} instead of 404 Not Found"
        evidence = chain_text(hops, ctx.site_origin) + _title_of(end)
        yield ctx.finding(NO_REAL_404, probe, None, message, evidence)
    if len(hops) == 1:
        yield from _look_alikes(site, hops[0], ctx)


def _title_of(fetch: Fetch) -> str:
    parts = [p for p in (fetch.title, fetch.heading) if p]
    return f" | {' / '.join(parts)}" if parts else ""


def _look_alikes(site: SiteView, not_found: Fetch, ctx: CheckContext) -> Iterator[Finding | None]:
    """Pages answering 200 with the title and heading of the site's not-found page. A
    not-found page without a heading, or one that looks like the home page (a site that
    answers every address with its home page), tells nothing apart."""
    look = _looks(not_found)
    if look is None or not ctx.enabled(SOFT_404):
        return
    home = site.chain(site.start_url)
    if home and _looks(home[-1]) == look:
        return
    evidence = f"the same title and heading as the site's not-found page{_title_of(not_found)}"
    for fetch in site.fetches.values():
        if (
            fetch.is_page
            and fetch.status == 200
            and fetch.url != not_found.url
            and _looks(fetch) == look
        ):
            message = "Page looks like the site's not-found page but answers 200 OK"
            yield ctx.finding(SOFT_404, fetch.url, None, message, evidence)


def _looks(fetch: Fetch) -> tuple[str, str] | None:
    if not fetch.heading:
        return None
    return squeeze(fetch.title or "").casefold(), squeeze(fetch.heading).casefold()


def _unreachable_and_failing(
    site: SiteView, entries: list[SitemapEntry], probe: str, ctx: CheckContext
) -> Iterator[Finding | None]:
    """Pages that answer a server error, addresses that keep answering 429 (rate-limited:
    not checked), and sitemap pages no page links to: which addresses failing with 5xx are
    only images, stylesheets or scripts (other rules report those), from the references to
    them; which sitemap pages are linked, from the pages linking to each address."""
    fetches = site.fetches
    failing = {
        url: fetch
        for url, fetch in fetches.items()
        if fetch.status and (fetch.status >= 500 or fetch.status == 429) and url != probe
    }
    listed = {  # candidate orphans: sitemap addresses answering with a page
        entry.url: entry.sitemap
        for entry in entries
        if (fetch := fetches.get(entry.url)) is not None
        and fetch.is_page
        and fetch.status == 200
        and entry.url not in (site.start_url, probe)
    }
    landing = _landing_pages(site, listed) if listed and ctx.enabled(ORPHAN) else {}
    if not failing and not landing:
        return
    as_page: set[str] = set()
    as_resource: set[str] = set()
    referrer: dict[str, str] = {}
    for ref in site.references(targets=failing) if failing else ():  # of every kind
        if ref.kind.navigable:
            as_page.add(ref.target)
            referrer.setdefault(ref.target, ref.source)
        else:
            as_resource.add(ref.target)
    linked = {  # a landing page is linked when a page other than itself links to it
        page
        for target, least, greatest in (site.linking_pages(_LINK_KINDS) if landing else ())
        if (page := landing.get(target)) and (least != greatest or least != page)
    }
    for url, fetch in failing.items():
        where = referrer.get(url)
        from_page = f"; linked from {where.removeprefix(ctx.site_origin)}" if where else ""
        if fetch.status == 429:  # any address: no other rule judges an unanswered one
            message = "Address kept answering 429 Too Many Requests: not checked"
            evidence = f"HTTP 429 Too Many Requests on every attempt{from_page}"
            yield ctx.finding(RATE_LIMITED, url, None, message, evidence)
        elif url in as_page or url not in as_resource:
            message = f"Page answers a server error ({fetch.status})"
            evidence = f"HTTP {fetch.status}{from_page}"
            yield ctx.finding(SERVER_ERROR, url, None, message, evidence)
    for url in sorted(listed.keys() & landing.keys()):
        if url not in linked:
            sitemap = listed[url].removeprefix(ctx.site_origin)
            evidence = f"listed in {sitemap}; no crawled page links to it"
            yield ctx.finding(ORPHAN, url, None, "Page that no page links to", evidence)


def _traps(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    """One finding per crawler trap the crawl stopped following: the store keeps each
    trap's first skipped address, its pattern in `error` (crawler/path_traps.py)."""
    if not ctx.enabled(CRAWLER_TRAP):
        return
    named: set[str] = set()
    for fetch in site.fetches.values():
        if fetch.outcome is not Outcome.SKIPPED:
            continue
        reason, _, pattern = (fetch.error or "").partition(" ")
        if reason in _TRAPS and pattern not in named:
            named.add(pattern)
            message = _TRAPS[reason].format(pattern=pattern)
            where = site_path(fetch.url, ctx.site_origin)
            evidence = f"not followed from {where} on ({fetch.depth} links from the start)"
            yield ctx.finding(CRAWLER_TRAP, fetch.url, None, message, evidence)


def _landing_pages(site: SiteView, listed: dict[str, str]) -> dict[str, str]:
    """Address -> the listed page a link to it lands on: the page itself, and every
    address that redirects to it."""
    landing = {url: url for url in listed}
    for fetch in site.fetches.values():
        if fetch.redirect_to is not None and fetch.url not in landing:
            end = site.chain(fetch.url)[-1].url
            if end in listed:
                landing[fetch.url] = end
    return landing
