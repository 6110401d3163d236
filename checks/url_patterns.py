"""Options keyed by kind of page: a mapping of URL globs to values, where the first glob
(in the order written) that matches a page's absolute URL wins. Globs match whole URLs,
as `ignore` and `crawl.exclude` do: "*/product/*", "*/faq/*"."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


def first_match(by_glob: Mapping[str, T], url: str) -> T | None:
    """The value of the first glob in `by_glob` that matches `url`, or None."""
    for glob, value in by_glob.items():
        if _compiled(glob).match(url):
            return value
    return None


def any_glob(globs: Iterable[str]) -> re.Pattern[str]:
    """One pattern that matches a URL any of `globs` matches (none: it matches nothing)."""
    return re.compile("|".join(fnmatch.translate(glob) for glob in globs) or r"(?!)")


@lru_cache(maxsize=256)
def _compiled(glob: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(glob))
