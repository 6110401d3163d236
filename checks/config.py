"""A rule's settings in shoplint.yml (`checks: {CODE: ...}`); the rule's own options are
validated against the registry (checks/registry.py) when the configuration is loaded."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from checks.registry import REGISTRY, configured_options
from ground.model import Severity
from ground.sections import Section


class RuleConfig(Section):
    enabled: bool = True
    severity: Severity | None = None  # None: the rule's default
    options: dict[str, Any] = Field(default_factory=dict)  # see `shoplint checks CODE`
    ignore: list[str] = Field(default_factory=list)  # URL globs of pages the rule skips


def known_rules(checks: dict[str, RuleConfig]) -> dict[str, RuleConfig]:
    """The `checks:` section, when every code is a rule's and its options are the rule's
    and of their types; else ValueError naming the code and option."""
    for code, rule_config in checks.items():
        rule = REGISTRY.get(code)
        if rule is None:
            raise ValueError(f"{code}: unknown rule code (`shoplint checks` lists them)")
        try:
            configured_options(rule, rule_config.options)
        except ValueError as exc:
            raise ValueError(f"{code}.options.{exc}") from None
    return checks
