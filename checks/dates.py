"""Finding dates in shop text, in Dutch, English, German and French, written out
("31 december 2024", "1. März 2025", "le 3 janvier 2025") or numeric ("31-12-2024",
"31/12/24", "31.12.2024"), and reading the machine dates of sitemaps and HTTP headers.

Page rules read every page's whole text, so the search runs from the rare thing to the
common one: first the years (str.find, no regex over the page: a regex scan of a page's
text costs ten times more), then, in the few words before each year, the phrase that
announces a date ("geldig t/m", "last updated"), and only then dateparser, which knows
the month and day names of every language but takes milliseconds per call, on the short
stretch of text after that phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from functools import lru_cache

from dateparser.search import search_dates

from ground.years import REACH, years

LANGUAGES = ["nl", "en", "de", "fr"]
_PHRASE_REACH = 40  # characters a phrase may take, before the stretch it announces
_SETTINGS = {
    "DATE_ORDER": "DMY",  # 05/01/2025 is 5 January: the order of all four languages
    "REQUIRE_PARTS": ["day", "month", "year"],  # "t/m 31 december": no year, no verdict
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["custom-formats", "absolute-time"],  # "30 dagen" is not a date here
}
_LEADING = " \t:;,.-–—"  # "Laatst bijgewerkt: 3 maart": dateparser reads no date after a colon
# Spellings dateparser misses: "1er mars" (French ordinal), "31 dec. 2024" (abbreviation dot).
_FRENCH_FIRST = re.compile(r"\b1er\b", re.IGNORECASE)
_ABBREVIATION_DOT = re.compile(r"(?<=[^\W\d_]{3})\.(?=\s*\d)")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date in a text: `start` is where the phrase announcing it starts, `end` where the
    date ends, so text[start:end] reads e.g. "geldig t/m 31 december 2024"."""

    day: date
    start: int
    end: int


def dates_after(text: str, phrases: re.Pattern[str], reach: int = REACH) -> Iterator[FoundDate]:
    """Each date that follows one of `phrases` within `reach` characters, in text order.
    A date read after an earlier phrase is not read again ("Alleen deze week, tot en met
    15-03-2025" is one date)."""
    read_up_to = 0
    for year_start, year_end in years(text):
        if year_start < read_up_to:
            continue
        phrase = _phrase_before(
            text,
            phrases,
            max(read_up_to, year_end - reach - _PHRASE_REACH),
            year_start,
            year_end - reach,
        )
        if phrase is None:
            continue
        found = _first_date(text[phrase.end() : phrase.end() + reach])
        if found is None:
            continue
        day, length = found
        read_up_to = phrase.end() + length
        yield FoundDate(day, phrase.start(), read_up_to)


def _phrase_before(
    text: str, phrases: re.Pattern[str], start: int, end: int, ends_from: int
) -> re.Match[str] | None:
    """The first of `phrases` in text[start:end] that ends at `ends_from` or later."""
    return next((m for m in phrases.finditer(text, start, end) if m.end() >= ends_from), None)


@lru_cache(maxsize=4096)  # a footer's or banner's text repeats on every page
def _first_date(window: str) -> tuple[date, int] | None:
    """The first date in `window` and how far into it the date ends."""
    skipped = len(window) - len(window.lstrip(_LEADING))
    readable = _ABBREVIATION_DOT.sub(" ", _FRENCH_FIRST.sub("1  ", window[skipped:]))
    found = search_dates(readable, languages=LANGUAGES, settings=_SETTINGS)
    if not found:
        return None
    written, moment = found[0]
    # dateparser folds the spaces of what it read: find it again with any spacing
    at = re.search(r"\s+".join(map(re.escape, written.split())), readable)
    return moment.date(), skipped + (at.end() if at else len(readable))


def iso_date(value: str) -> date | None:
    """A W3C datetime (a sitemap's lastmod, a meta tag): "2022-03-03" or with a time."""
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def http_date(value: str) -> date | None:
    """An HTTP date (Last-Modified): "Wed, 02 Mar 2022 10:00:00 GMT"."""
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None
