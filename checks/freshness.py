"""Freshness: content that has gone out of date. Promotions that have ended, offer prices
whose validity has passed, copyright years from long ago, pages not reviewed for too long,
and promotions for products that are sold out.

Promotions, offer prices and copyright years are judged on each page's text and tree as it
is crawled. How old a page is, and whether what it promotes is in stock, are judged after
the crawl: they need the sitemap and other pages (the crawler keeps, per page, its own
"last updated" line and whether its product is in stock: crawler/shop_facts.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

from checks import DATA
from checks.context import CheckContext
from checks.dates import FoundDate, dates_after, http_date, iso_date, years
from checks.page import Page
from checks.site import SiteView
from checks.url_patterns import any_glob, first_match
from ground.html.facts import LAST_UPDATED, OUT_OF_STOCK
from ground.html.offers import offer_values
from ground.model import Fetch, Finding, RefKind
from ground.words import every_language, load_words, phrase_pattern

EXPIRED_PROMOTION = "FRS001"
EXPIRED_OFFER_PRICE = "FRS002"
STALE_COPYRIGHT = "FRS003"
STALE_PAGE = "FRS004"
PROMOTED_OUT_OF_STOCK = "FRS005"

PAGE, SITEMAP, HEADER = "page", "sitemap", "header"  # FRS004 sources, in order of trust

_WORDS = load_words(DATA / "freshness.yml")
_PROMOTION_ENDS = phrase_pattern(every_language(_WORDS["promotion_triggers"]))
_COPYRIGHT_WORDS = "|".join(re.escape(w) for w in _WORDS["copyright"])
_OPEN_END = "|".join(re.escape(w) for w in _WORDS["copyright_open_end"])
_COPYRIGHT_MARK = re.compile(rf"©|\(c\)|\b(?:{_COPYRIGHT_WORDS})\b", re.IGNORECASE)
_COPYRIGHT_REACH = 40  # characters from the mark to its year: "© Fietsenwinkel De Spaak 2019"
_RANGE_END = re.compile(rf"\s*[-–—]\s*(?:((?:19|20)\d\d)(?!\d)|(?:{_OPEN_END})\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_SENTENCE_REACH = 120  # characters either side of a date in which its sentence must end
_TAIL_REACH = 30  # characters after a date kept as evidence when no sentence ends nearby


def promotion_ends(text: str) -> list[FoundDate]:
    """The end dates of the promotions a text announces ("Actie geldig t/m 31 december
    2024", "offer ends", "gültig bis", "jusqu'au"), in text order."""
    return list(dates_after(text, _PROMOTION_ENDS))


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if ctx.enabled(EXPIRED_PROMOTION):
        yield _expired_promotion(page, ctx)
    if ctx.enabled(EXPIRED_OFFER_PRICE):
        yield _expired_offer_price(page, ctx)
    if ctx.enabled(STALE_COPYRIGHT):
        yield _stale_copyright(page, ctx)


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    if ctx.enabled(STALE_PAGE):
        yield from _stale_pages(site, ctx)
    if ctx.enabled(PROMOTED_OUT_OF_STOCK):
        yield from _promoted_out_of_stock(site, ctx)


# -- on each page, while crawling -----------------------------------------------------------


def _expired_promotion(page: Page, ctx: CheckContext) -> Finding | None:
    """One finding per page, for the first promotion that has ended."""
    text = page.visible_text
    ended = [found for found in promotion_ends(text) if found.day < ctx.today]
    if not ended:
        return None
    first = ended[0]
    more = f" (and {len(ended) - 1} more on this page)" if len(ended) > 1 else ""
    message = f"Promotion ended on {_long(first.day)}, {_ago(first.day, ctx.today)}{more}"
    evidence = _sentence(text, first.start, first.end)
    return ctx.finding(EXPIRED_PROMOTION, page.url, None, message, evidence)


def _expired_offer_price(page: Page, ctx: CheckContext) -> Finding | None:
    for offer in offer_values(page.doc, page.url, "priceValidUntil"):
        day = iso_date(offer.value)
        if day is not None and day < ctx.today:
            product = f" of {offer.product}" if offer.product else ""
            message = (
                f"The offer price{product} was valid until {_long(day)} "
                f"({_ago(day, ctx.today)}), says the page's structured data"
            )
            evidence = f"{offer.syntax}: priceValidUntil {offer.value}"
            return ctx.finding(EXPIRED_OFFER_PRICE, page.url, None, message, evidence)
    return None


def _stale_copyright(page: Page, ctx: CheckContext) -> Finding | None:
    """The first copyright notice whose year is too old: the last year of a range ("©
    2015-2019"); a range still running ("© 2015 - heden") is current."""
    oldest_fine = ctx.today.year - ctx.option(STALE_COPYRIGHT, "max_age_years")
    text = page.visible_text
    for start, end in years(text):
        if end - start != 4:
            continue  # the short year of a numeric date
        marks = list(_COPYRIGHT_MARK.finditer(text, max(0, start - _COPYRIGHT_REACH), start))
        if not marks or any(c.isdigit() for c in text[marks[-1].end() : start]):
            continue  # no mark, or another number between (the second year of a range)
        range_end = _RANGE_END.match(text, end)
        if range_end and not range_end.group(1):
            continue
        year = int(range_end.group(1) if range_end else text[start:end])
        if year < oldest_fine:
            message = f"Copyright year {year} is out of date (this year is {ctx.today.year})"
            notice_end = range_end.end() if range_end else end
            evidence = _sentence(text, marks[-1].start(), notice_end)
            return ctx.finding(STALE_COPYRIGHT, page.url, None, message, evidence)
    return None


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end] as evidence. Page text runs from one block into
    the next without a full stop (a banner into the menu), so where no sentence ends close
    by, the evidence stops a few words on, marked with "…"."""
    before = text[max(0, start - _SENTENCE_REACH) : start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    begin = start - len(before) + (ends[-1] if ends else 0)
    after = _SENTENCE_END.search(text, end, end + _SENTENCE_REACH)
    if after:
        return text[begin : after.end()].strip()
    tail = text[end : end + _TAIL_REACH]
    if len(text) > end + _TAIL_REACH:
        tail = tail.rsplit(" ", 1)[0] + " …"
    return (text[begin:end] + tail).strip()


# -- after the crawl ----------------------------------------------------------------------------


def _stale_pages(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    """Each page's last update, from the most trusted source that gives one, against the
    maximum age for its kind of page."""
    sources = ctx.option(STALE_PAGE, "sources")
    lastmods: dict[str, str] = {}
    if SITEMAP in sources:
        lastmods = {e.url: e.lastmod for e in site.sitemap_entries() if e.lastmod}
    by_url = ctx.option(STALE_PAGE, "max_age_days_by_url")
    default = ctx.option(STALE_PAGE, "max_age_days")
    for fetch in site.fetches.values():
        if not fetch.is_page:
            continue
        updated = _last_update(fetch, lastmods, sources)
        if updated is None:
            continue
        limit = first_match(by_url, fetch.url) or default
        day, evidence = updated
        age = (ctx.today - day).days
        if age > limit:
            message = (
                f"Page last updated on {_long(day)}, {_ago(day, ctx.today)}: pages like this "
                f"should be reviewed at least every {limit} days"
            )
            yield ctx.finding(STALE_PAGE, fetch.url, None, message, evidence)


def _last_update(
    fetch: Fetch, lastmods: Mapping[str, str], sources: list[str]
) -> tuple[date, str] | None:
    """The page's last update and where it is written: what the page says (its visible
    line, else its meta tag), else the sitemap's lastmod, else the Last-Modified header."""
    if PAGE in sources and fetch.updated:
        found = next(dates_after(fetch.updated, LAST_UPDATED), None)
        if found is not None:
            return found.day, fetch.updated
    if fetch.url in lastmods:
        day = iso_date(lastmods[fetch.url])
        if day is not None:
            return day, f"sitemap lastmod {lastmods[fetch.url]}"
    if HEADER in sources and fetch.last_modified:
        day = http_date(fetch.last_modified)
        if day is not None:
            return day, f"Last-Modified: {fetch.last_modified}"
    return None


def _promoted_out_of_stock(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    """Links from the home page and promotion pages to products whose page says they are
    out of stock (through redirects too); one finding per (page, product)."""
    fetches = site.fetches
    if not any(f.availability == OUT_OF_STOCK for f in fetches.values()):
        return  # most runs: no sold-out product page, no need to read the links
    globs = ctx.option(PROMOTED_OUT_OF_STOCK, "promotion_pages")
    promotion_page = any_glob(globs)
    home = {ctx.site_origin + "/", site.start_url}
    reported: set[tuple[str, str]] = set()
    for ref in site.references([RefKind.A]):
        if ref.kind is not RefKind.A or ref.target is None or (ref.source, ref.target) in reported:
            continue
        if ref.source not in home and not promotion_page.match(ref.source):
            continue
        chain = site.chain(ref.target)
        product = chain[-1] if chain else None
        if product is None or product.availability != OUT_OF_STOCK or product.url == ref.source:
            continue
        reported.add((ref.source, ref.target))
        name = product.heading or product.title or product.url
        message = (
            f"Features '{name}', which is out of stock: take it off this page, or ask "
            "inventory when it is back"
        )
        link = f"link '{ref.text}'" if ref.text else f"link to {ref.raw}"
        evidence = f"{link}; the product's page says it is out of stock"
        yield ctx.finding(PROMOTED_OUT_OF_STOCK, ref.source, ref.target, message, evidence)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _ago(day: date, today: date) -> str:
    days = (today - day).days
    return "yesterday" if days == 1 else f"{days} days ago"
