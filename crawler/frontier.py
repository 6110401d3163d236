"""Which discovered URLs the crawl admits: each URL once, and no crawler traps.

The spider asks the frontier *before* building a Request, so the thousands of duplicate
navigation links on a shop cost one set lookup each. The in-memory frontier is the default;
a distributed crawl swaps in one backed by a shared store via SHOPLINT_FRONTIER_CLASS.
"""

from __future__ import annotations

import enum
import fnmatch
import re
from collections import Counter
from typing import Any

from scrapy.crawler import Crawler

from crawler import path_traps
from crawler.path_traps import PathTrapGuard, Trap


class Admission(enum.StrEnum):
    """The frontier's verdict on one URL; every verdict but NEW is counted as skipped."""

    NEW = "new"
    SEEN = "seen"
    EXCLUDED = "excluded"  # matches a configured exclude glob
    TOO_LONG = "too_long"  # longer than max_url_length
    REPEATED_PARAMETER = "repeated_parameter"  # ?f=a&f=a: a filter link appending itself
    REPEATED_PATH = "repeated_path"  # /a/b/a/b/a/b: relative links compounding
    ENDLESS_PATH = path_traps.ENDLESS_PATH  # /agenda/2026/12/ -> next month, forever
    PATH_TOKEN = path_traps.PATH_TOKEN  # /s/<session>/...: the same pages under new tokens
    QUERY_VARIANTS = "query_variants"  # one path with too many distinct query strings
    MAX_PAGES = "max_pages"


_MAX_SEGMENT_REPEATS = 3


class Frontier:
    """What every frontier shares: its limits, and the guards that judge a URL by itself.

    `admit(url, navigable, depth)` decides on a normalised URL found `depth` link hops from
    a seed, in this order:
    1. seen before: SEEN (so a trap URL is judged, and counted, once);
    2. an exclude glob matches: EXCLUDED;
    3. longer than max_url_length: TOO_LONG;
    4. a query parameter repeated with the same value: REPEATED_PARAMETER;
    5. a path segment repeated more than three times: REPEATED_PATH;
    6. a page whose path template (numbers, dates, tokens as placeholders) runs more than
       max_template_depth hops deeper than where it started: ENDLESS_PATH, or takes one
       random token too many in the middle of its path: PATH_TOKEN;
    7. a new query string on a path that already has max_query_variants: QUERY_VARIANTS;
    8. a page beyond max_pages: MAX_PAGES;
    9. otherwise NEW, and the URL is remembered.
    Steps 2 to 5 need no memory of other URLs (`refusal`); the rest differ only in where
    they keep it.
    """

    def __init__(
        self,
        max_pages: int = 0,
        max_url_length: int = 2048,
        max_query_variants: int = 30,
        exclude: list[str] | tuple[str, ...] = (),
        max_template_depth: int = 50,
        max_path_tokens: int = 10,
    ):
        self.max_pages = max_pages
        self.max_url_length = max_url_length
        self.max_query_variants = max_query_variants
        self.max_template_depth = max_template_depth
        self.max_path_tokens = max_path_tokens
        self._exclude = re.compile("|".join(fnmatch.translate(g) for g in exclude) or r"(?!)")

    @staticmethod
    def limits(crawler: Crawler) -> dict[str, Any]:
        """The constructor's limits, from the crawl's settings."""
        settings = crawler.settings
        return {
            "max_pages": settings.getint("SHOPLINT_MAX_PAGES"),
            "max_url_length": settings.getint("SHOPLINT_MAX_URL_LENGTH"),
            "max_query_variants": settings.getint("SHOPLINT_MAX_QUERY_VARIANTS"),
            "exclude": settings.getlist("SHOPLINT_EXCLUDE"),
            "max_template_depth": settings.getint("SHOPLINT_MAX_TEMPLATE_DEPTH"),
            "max_path_tokens": settings.getint("SHOPLINT_MAX_PATH_TOKENS"),
        }

    def refusal(self, url: str) -> Admission | None:
        """Steps 2 to 5 of `admit`: the verdict on a URL judged by itself, if it is refused."""
        if self._exclude.match(url):
            return Admission.EXCLUDED
        if len(url) > self.max_url_length:
            return Admission.TOO_LONG
        path, _, query = url.partition("?")
        if query:
            pairs = query.split("&")
            if len(set(pairs)) < len(pairs):
                return Admission.REPEATED_PARAMETER
        segments = path.split("/")[3:]
        if len(segments) > _MAX_SEGMENT_REPEATS and any(
            count > _MAX_SEGMENT_REPEATS for count in Counter(s for s in segments if s).values()
        ):
            return Admission.REPEATED_PATH
        return None

    def admit(self, url: str, navigable: bool, depth: int = 0) -> Admission:
        raise NotImplementedError

    def admit_many(self, entries: list[tuple[str, bool, int]]) -> list[Admission]:
        """The verdicts on (url, navigable, depth) entries, in order: a page's new links at
        once (a shared frontier answers them in one round trip)."""
        return [self.admit(url, navigable, depth) for url, navigable, depth in entries]


class MemoryFrontier(Frontier):
    """The frontier of one process: its memory is a few sets and counters."""

    def __init__(self, **limits: Any):
        super().__init__(**limits)
        self._seen: set[str] = set()
        self._variants: Counter[str] = Counter()
        self._paths = PathTrapGuard(self.max_template_depth, self.max_path_tokens)
        self.pages_admitted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryFrontier:
        return cls(**cls.limits(crawler))

    @property
    def traps(self) -> list[Trap]:
        """The path traps met so far, each with the first address it cost."""
        return list(self._paths.traps.values())

    def admit(self, url: str, navigable: bool, depth: int = 0) -> Admission:
        """The verdict on `url`, in the order the class docstring gives."""
        if url in self._seen:
            return Admission.SEEN
        self._seen.add(url)
        verdict = self._judge(url, navigable, depth)
        if verdict is Admission.NEW and navigable:
            self.pages_admitted += 1
        return verdict

    def _judge(self, url: str, navigable: bool, depth: int) -> Admission:
        if refused := self.refusal(url):
            return refused
        if navigable and (trap := self._paths.verdict(url, depth)):
            return Admission(trap)
        path, _, query = url.partition("?")
        if query:
            if self._variants[path] >= self.max_query_variants:
                return Admission.QUERY_VARIANTS
            self._variants[path] += 1
        if navigable and self.max_pages and self.pages_admitted >= self.max_pages:
            return Admission.MAX_PAGES
        return Admission.NEW
