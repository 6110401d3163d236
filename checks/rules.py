"""Rules as data: a stable code, a name, a default severity and owner, and an explanation
written for the person who has to fix the problem.

Codes are validated once, when a family module registers its rules: the format is the
family's prefix and three digits, a code is registered once, and a retired code is never
used again (findings in old runs and accepted baselines still name it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shoplint.model import Severity

FAMILY_PREFIXES = {
    "links": "LNK",
    "images": "IMG",
    "pages": "PAG",
    "freshness": "FRS",
    "language": "LNG",
    "checkout": "CHK",
}
RETIRED_CODES: frozenset[str] = frozenset()  # codes once used and removed: never reuse
_CODE = re.compile(r"[A-Z]{3}\d{3}")


@dataclass(frozen=True)
class Rule:
    code: str  # e.g. LNK001, stable forever
    family: str  # one of FAMILY_PREFIXES
    name: str  # short, kebab-case: broken-internal-link
    severity: Severity  # default; configurable per rule
    owner: str  # default team id; the owners configuration may route elsewhere
    summary: str  # one line: what is wrong
    explanation: str  # a paragraph for an editor: what, why customers care, how to fix
    options: Mapping[str, Any] = field(default_factory=dict)  # option name -> default
    # checks the effective options when the configuration is loaded; raises ValueError
    # starting with the option's name ("content_selectors: 'a[' is not a CSS selector")
    check_options: Callable[[Mapping[str, Any]], None] | None = None


REGISTRY: dict[str, Rule] = {}


def register(*rules: Rule) -> tuple[Rule, ...]:
    for rule in rules:
        prefix = FAMILY_PREFIXES.get(rule.family)
        if prefix is None:
            raise ValueError(f"{rule.code}: unknown family {rule.family!r}")
        if not _CODE.fullmatch(rule.code) or not rule.code.startswith(prefix):
            raise ValueError(f"{rule.code}: a {rule.family} code is {prefix} and three digits")
        if rule.code in REGISTRY:
            raise ValueError(f"{rule.code}: registered twice")
        if rule.code in RETIRED_CODES:
            raise ValueError(f"{rule.code}: a retired code is never reused")
        REGISTRY[rule.code] = rule
    return rules
