"""Crawler traps made of paths alone: addresses a site generates without end.

A calendar links each month to the next (/agenda/2026/12/ -> /agenda/2027/01/ -> ...,
forever); a shop that keeps its session in the path gives every page a fresh set of links
(/s/<token>/fietsen/). Neither repeats a segment or grows a query, so the frontier's other
guards let them through. Each address of a page is reduced to its template: numbers, dates
and random tokens become placeholders (/agenda/{year}/{month}/, /s/{token}/fietsen/), and
two guards watch the templates:

- depth: an address more than `max_template_depth` link hops deeper than the first address
  of its template is a chain that does not end (a calendar; pagination, which does end,
  ends well before);
- tokens: a random token with more path after it that takes more than `max_path_tokens`
  values at one place is an id (a session) in the path: the same pages over and over
  under new names. Products named by a token keep the token last, and pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ground.model import Fetch, Outcome

ENDLESS_PATH = "endless_path"
PATH_TOKEN = "path_token"

_RUN = re.compile(r"[A-Za-z0-9]{16,}")  # a token is a long run of letters and digits ...
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?")
_PLACEHOLDER_RUN = re.compile(r"\{[a-z]+\}(?:/\{[a-z]+\})*")  # /{year}/{month}/ chains as one


@dataclass
class Trap:
    """One trap the guards found: its pattern and the first address it cost."""

    reason: str  # ENDLESS_PATH or PATH_TOKEN
    pattern: str  # the path template, e.g. /agenda/{year}/{month}/ or /s/{token}/*
    example: str  # the first address refused
    depth: int  # of that address
    skipped: int = 0

    def record(self) -> Fetch:
        """The trap as the run store keeps it, for the pages rules to report: its first
        refused address as a `skipped` fetch, the reason and pattern in `error`
        ("endless_path /agenda/{year}/{month}/"). Other refused addresses are counted."""
        return Fetch(
            self.example, self.depth, Outcome.SKIPPED, error=f"{self.reason} {self.pattern}"
        )


def path_template(path: str) -> str:
    """`path` with its numbers, dates and random tokens replaced by placeholders:
    /agenda/2026/12/ -> /agenda/{year}/{month}/, /page-3/ -> /page-{n}/."""
    segments: list[str] = []
    for segment in path.split("/"):
        segments.append(_segment(segment, segments[-1] if segments else ""))
    return "/".join(segments)


def _segment(segment: str, previous: str) -> str:
    if segment.isascii() and segment.isdigit():
        value = int(segment)
        if len(segment) == 4 and 1900 <= value <= 2199:
            return "{year}"
        if len(segment) <= 2 and previous == "{year}" and 1 <= value <= 12:
            return "{month}"
        if len(segment) <= 2 and previous == "{month}" and 1 <= value <= 31:
            return "{day}"
        return "{n}"
    if _DATE.fullmatch(segment):
        return "{date}"
    if _is_token(segment):
        return "{token}"
    return _DIGITS.sub("{n}", segment)


def _is_token(segment: str) -> bool:
    """Random-looking: a UUID, or 16 letters and digits in a row, at least two of each
    (a slug's words are shorter, separated by dashes)."""
    if _UUID.search(segment):
        return True
    for run in _RUN.findall(segment):
        digits = sum(ch.isdigit() for ch in run)
        if digits >= 2 and len(run) - digits >= 2:
            return True
    return False


@dataclass(frozen=True)
class TokenPlace:
    """A random token with more path after it: `value` is counted at `place` (the address
    up to it), and too many values there are the trap `pattern`."""

    place: str  # host and path before the token, e.g. shop.example/s
    value: str
    pattern: str  # e.g. /s/{token}/*


@dataclass(frozen=True)
class PathShape:
    """What the guards judge of a page address, read from the address alone: every frontier
    (in memory, in Redis) computes it here, and only keeps its state elsewhere."""

    template: str  # /agenda/{year}/{month}/
    chain: str  # the template's key, with host: a run of placeholders counts as one
    tokens: tuple[TokenPlace, ...]


def path_shape(url: str) -> PathShape | None:
    """The shape of a page address, or None when its path has no numbers nor tokens (no
    template of many addresses)."""
    origin, _, path = url.partition("?")[0].partition("://")[2].partition("/")
    path = "/" + path
    template = path_template(path)
    if template == path:
        return None
    segments, shown = path.split("/"), template.split("/")
    last = max((i for i, segment in enumerate(segments) if segment), default=0)
    tokens = tuple(
        TokenPlace(origin + "/".join(shown[:i]), segments[i], "/".join(shown[:i]) + "/{token}/*")
        for i in range(last)
        if shown[i] == "{token}"
    )
    return PathShape(template, origin + _PLACEHOLDER_RUN.sub("{…}", template), tokens)


class PathTrapGuard:
    """Judges the navigable addresses the frontier admits, and remembers the traps."""

    def __init__(self, max_template_depth: int, max_path_tokens: int):
        self.max_template_depth = max_template_depth  # 0: no limit
        self.max_path_tokens = max_path_tokens  # 0: no limit
        self._first_depth: dict[str, int] = {}  # chain key -> shallowest depth seen
        self._tokens: defaultdict[str, set[str]] = defaultdict(set)  # place -> values
        self.traps: dict[str, Trap] = {}  # pattern -> trap

    def verdict(self, url: str, depth: int) -> str | None:
        """ENDLESS_PATH or PATH_TOKEN for an address of a trap, else None (and the
        address counts from now on)."""
        shape = path_shape(url)
        if shape is None:
            return None
        tokens = shape.tokens if self.max_path_tokens else ()
        for token in tokens:
            values = self._tokens[token.place]
            if token.value not in values and len(values) >= self.max_path_tokens:
                return self._trapped(PATH_TOKEN, token.pattern, url, depth)
        first = min(self._first_depth.get(shape.chain, depth), depth)
        self._first_depth[shape.chain] = first
        if self.max_template_depth and depth - first > self.max_template_depth:
            return self._trapped(ENDLESS_PATH, shape.template, url, depth)
        for token in tokens:
            self._tokens[token.place].add(token.value)
        return None

    def _trapped(self, reason: str, pattern: str, url: str, depth: int) -> str:
        trap = self.traps.get(pattern)
        if trap is None:
            trap = self.traps[pattern] = Trap(reason, pattern, url, depth)
        trap.skipped += 1
        return reason
