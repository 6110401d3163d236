"""Whether a page's language codes are ones browsers, screen readers and search engines
know: a page's `lang` (BCP 47) and an `hreflang` value (Google's narrower reading: an ISO
639-1 language, then optionally a script and an ISO 3166-1 region, or x-default).
The codes are data: checks/data/language_codes.yml."""

from __future__ import annotations

import re

from checks import DATA
from ground.words import load_words

_CODES = load_words(DATA / "language_codes.yml")
_LANGUAGES = frozenset(_CODES["languages"].split())
_REGIONS = frozenset(_CODES["regions"].split())
_SUBTAG = re.compile(r"[a-z0-9]{1,8}")
_SCRIPT = re.compile(r"[a-z]{4}")
X_DEFAULT = "x-default"


def valid_lang(value: str) -> bool:
    """A BCP 47 tag as pages write it: a known two-letter language or any three-letter one
    ("nl", "gsw"), then subtags ("nl-BE", "zh-Hant-TW"); a two-letter subtag must be a
    region. An underscore ("en_US") is no tag."""
    primary, *rest = value.strip().lower().split("-")
    if not (primary in _LANGUAGES or (len(primary) == 3 and primary.isalpha())):
        return False
    return all(_SUBTAG.fullmatch(tag) and (len(tag) != 2 or _region(tag)) for tag in rest)


def valid_hreflang(value: str) -> bool:
    """x-default, or language[-Script][-REGION] with a two-letter language."""
    value = value.strip().lower()
    if value == X_DEFAULT:
        return True
    primary, *rest = value.split("-")
    if primary not in _LANGUAGES or len(rest) > 2:
        return False
    if rest and _SCRIPT.fullmatch(rest[0]):
        rest = rest[1:]
    return len(rest) <= 1 and all(_region(tag) for tag in rest)


def _region(tag: str) -> bool:
    return tag.upper() in _REGIONS
