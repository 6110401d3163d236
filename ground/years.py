"""Where the years are in a text: the cheap first look of every date search (page facts
while crawling, the freshness rules after), so that the costly date parsing only ever
reads the few words around a year."""

from __future__ import annotations

import re
from functools import lru_cache

REACH = 60  # characters after a phrase in which its date must be
_CENTURIES = ("19", "20")
_SHORT_YEAR = re.compile(r"(?<!\d)\d\d?/\d\d?/(\d\d)(?!\d)")  # 31/12/24


@lru_cache(maxsize=4)  # several rules read the same page text (its hash is kept by str)
def years(text: str) -> tuple[tuple[int, int], ...]:
    """Where the years are in `text`, as (start, end) in text order: every number 1900-2099
    standing alone, and the two-digit year of a numeric date written with slashes
    ("31/12/24"). Dates with dots or dashes are read with a four-digit year only
    ("31.12.2024"): looking at every full stop of a page costs more than all the rest."""
    spans = set()
    for century in _CENTURIES:
        at = text.find(century)
        while at >= 0:
            end = at + 4
            if text[at + 2 : end].isdigit() and not _digit(text, at - 1) and not _digit(text, end):
                spans.add((at, end))
            at = text.find(century, at + 1)
    at = text.find("/")
    while at >= 0:
        if _digit(text, at - 1) and _digit(text, at + 1):
            short = _SHORT_YEAR.search(text, max(0, at - 2), at + 8)
            if short:
                spans.add(short.span(1))
        at = text.find("/", at + 1)
    return tuple(sorted(spans))


def _digit(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isdigit()
