"""Routing: which team gets a finding, and why.

CODEOWNERS-style, in this order:
1. a finding starts with its rule's own team (`shoplint checks` lists them);
2. `owners.default`, when set, replaces that;
3. every rule of `owners.rules` whose conditions all match replaces it again, so the last
   matching rule wins.
"""

from __future__ import annotations

import fnmatch
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, replace

from checks.registry import REGISTRY
from ground.model import Finding
from reports.config import OwnerRule, OwnersConfig, TeamConfig


@dataclass(frozen=True)
class Route:
    owner: str
    why: str  # one line for `shoplint owners`


class Router:
    def __init__(self, owners: OwnersConfig):
        self._default = owners.default
        self._rules = [_CompiledRule(index, rule) for index, rule in enumerate(owners.rules)]
        self._url_matches: dict[str, tuple[bool, ...]] = {}  # URL -> per rule, memoised
        self._routes: dict[tuple, Route] = {}  # (URL matches, rule, family, team): memoised

    def route(self, finding: Finding) -> Finding:
        owner = self.decide(finding.url, finding.code, finding.check, finding.owner).owner
        return finding if owner == finding.owner else replace(finding, owner=owner)

    def decide(self, url: str, code: str, family: str, own_team: str | None = None) -> Route:
        """The team of a finding of rule `code` on page `url`. `own_team` stands in for the
        rule's own team when the rule is no longer registered (findings of old runs)."""
        url_matches = self._url_matches.get(url)
        if url_matches is None:
            url_matches = tuple(rule.matches_url(url) for rule in self._rules)
            self._url_matches[url] = url_matches
        key = (url_matches, code, family, own_team)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self._decided(url_matches, code, family, own_team)
        return route

    def _decided(
        self, url_matches: tuple[bool, ...], code: str, family: str, own_team: str | None
    ) -> Route:
        for rule in reversed(self._rules):
            if url_matches[rule.index] and rule.matches_finding(code, family):
                note = f" ({rule.note})" if rule.note else ""
                return Route(rule.owner, f"owners.rules.{rule.index}{note}")
        if self._default is not None:
            return Route(self._default, "owners.default (no rule matches)")
        registered = REGISTRY.get(code)
        team = registered.team if registered else own_team or "?"
        return Route(team, "the rule's own team (no rule matches)")

    def explain(self, url: str, teams: Mapping[str, TeamConfig]) -> list[str]:
        """For `shoplint owners URL`: the rules, which of them match the page, and where
        each rule's findings on it go and why."""
        lines = [f"Ownership rules for {url} (the last matching rule wins):"]
        for rule in self._rules:
            page = "this page" if rule.matches_url(url) else "NOT this page"
            if not rule.has_url_condition:
                page = "any page"
            lines.append(f"  owners.rules.{rule.index}: {rule.text} -> {rule.owner}  [{page}]")
        lines.append(f"  owners.default: {self._default or 'null (each rule keeps its own team)'}")
        routes: dict[tuple[str, str], list[str]] = {}
        for code, registered in sorted(REGISTRY.items()):
            route = self.decide(url, code, registered.family)
            routes.setdefault((route.owner, route.why), []).append(code)
        lines.append("Findings on this page go to:")
        for (owner, why), codes in sorted(routes.items(), key=lambda item: -len(item[1])):
            name = teams[owner].name if owner in teams else owner
            lines.append(f"  {name} ({owner}) by {why}:")
            lines += textwrap.wrap(
                " ".join(codes), 88, initial_indent="    ", subsequent_indent="    "
            )
        return lines


class _CompiledRule:
    """An OwnerRule with its patterns compiled once."""

    def __init__(self, index: int, rule: OwnerRule):
        self.index = index
        self.owner = rule.owner
        self.note = rule.note
        globs = "|".join(fnmatch.translate(glob) for glob in rule.url)
        self._globs = re.compile(globs) if globs else None
        self._regex = re.compile(rule.url_regex) if rule.url_regex else None
        self._families = frozenset(rule.family)
        self._codes = (
            frozenset(code for code, r in REGISTRY.items() if rule.matches_rule(code, r.name))
            if rule.rule
            else None
        )
        self.text = _conditions(rule)
        self.has_url_condition = bool(rule.url or rule.url_regex)

    def matches_url(self, url: str) -> bool:
        return (self._globs is None or self._globs.match(url) is not None) and (
            self._regex is None or self._regex.search(url) is not None
        )

    def matches_finding(self, code: str, family: str) -> bool:
        return (not self._families or family in self._families) and (
            self._codes is None or code in self._codes
        )


def _conditions(rule: OwnerRule) -> str:
    parts = []
    if rule.url:
        parts.append("url " + " or ".join(rule.url))
    if rule.url_regex:
        parts.append(f"url_regex {rule.url_regex}")
    if rule.family:
        parts.append("family " + " or ".join(rule.family))
    if rule.rule:
        parts.append("rule " + " or ".join(rule.rule))
    return " and ".join(parts)
