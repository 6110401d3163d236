"""The rule registry: every rule of every family, by code, read from the catalogue
(checks/catalogue/<family>.py: declarations only, no check code), and the one validation
of a rule's configured options.

Codes are validated once, when the registry is built: the format is the family's prefix
and three digits, a code is registered once, and a retired code is never used again
(findings in old runs and accepted baselines still name it). Each option's default must
be of its type.

Importing this module imports no family's implementation: the configuration is loaded,
`shoplint checks` explains a rule and the reports name rules without any check's
dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from checks.catalogue import (
    accessibility,
    browser,
    checkout,
    freshness,
    images,
    language,
    links,
    pages,
    products,
    seo,
    spelling,
)
from checks.catalogue.rule import Option, Rule

__all__ = [
    "FAMILY_PREFIXES",
    "REGISTRY",
    "RETIRED_CODES",
    "Option",
    "Rule",
    "configured_options",
    "family_rules",
]

FAMILY_PREFIXES = {  # in report order
    "links": "LNK",
    "images": "IMG",
    "pages": "PAG",
    "freshness": "FRS",
    "language": "LNG",
    "spelling": "SPL",
    "seo": "SEO",
    "accessibility": "ACC",
    "products": "PRD",
    "checkout": "CHK",
    "browser": "BRW",
}
RETIRED_CODES: frozenset[str] = frozenset()  # codes once used and removed: never reuse
_CODE = re.compile(r"[A-Z]{3}\d{3}")


def _registered(rules: Iterable[Rule]) -> dict[str, Rule]:
    registry: dict[str, Rule] = {}
    for rule in rules:
        prefix = FAMILY_PREFIXES.get(rule.family)
        if prefix is None:
            raise ValueError(f"{rule.code}: unknown family {rule.family!r}")
        if not _CODE.fullmatch(rule.code) or not rule.code.startswith(prefix):
            raise ValueError(f"{rule.code}: a {rule.family} code is {prefix} and three digits")
        if rule.code in registry:
            raise ValueError(f"{rule.code}: registered twice")
        if rule.code in RETIRED_CODES:
            raise ValueError(f"{rule.code}: a retired code is never reused")
        for name, option in rule.options.items():
            problem = _type_problem(name, option, option.default)
            if problem:
                raise ValueError(f"{rule.code}.options.{problem} (the default)")
        registry[rule.code] = rule
    return registry


def _type_problem(name: str, option: Option, value: Any) -> str | None:
    try:
        option.adapter.validate_python(value, strict=True)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in (name, *error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        return f"{key}: {message[0].lower()}{message[1:]} (got {error['input']!r})"
    return None


REGISTRY: dict[str, Rule] = _registered(
    rule
    for family in (
        links,
        images,
        pages,
        freshness,
        language,
        spelling,
        seo,
        accessibility,
        products,
        checkout,
        browser,
    )  # report order
    for rule in family.RULES
)


def family_rules(family: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in REGISTRY.values() if rule.family == family)


def configured_options(rule: Rule, configured: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's effective options: its defaults, overlaid with the configured values,
    which are checked first. Raises ValueError naming the option: "<name>: unknown option
    (known: ...)", "<name>: <what is expected> (got <value>)", or the rule's own check
    (check_options) of the options together."""
    unknown = set(configured) - set(rule.options)
    if unknown:
        known = ", ".join(sorted(rule.options)) or "none"
        raise ValueError(f"{min(unknown)}: unknown option (known: {known})")
    for name, option in rule.options.items():
        if name in configured:
            problem = _type_problem(name, option, configured[name])
            if problem:
                raise ValueError(problem)
    options = {**rule.defaults, **configured}
    if rule.check_options is not None:
        rule.check_options(options)
    return options
