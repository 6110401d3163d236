"""What a rule is: a stable code, a name, a default severity and team, an explanation
written for the person who has to fix the problem, and its options, each with a default,
a type and a line of documentation.

Declarations only: the catalogue's modules build their rules from these classes, the
registry (checks/registry.py) collects and validates them. Nothing here runs a check.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from pydantic import TypeAdapter, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from ground.model import Severity


@dataclass(frozen=True, kw_only=True)
class Option:
    """One option of a rule: `type` is a type annotation (int, list[str], dict[str, float],
    str | None, ...), validated with pydantic in strict mode when the configuration is
    loaded; the value the check reads is the one configured, as written."""

    default: Any
    type: Any
    doc: str = ""

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.type)

    @property
    def type_text(self) -> str:
        """The type as `shoplint checks CODE` shows it: dict[str, float]."""
        return type_text(self.type)


@dataclass(frozen=True, kw_only=True)
class Rule:
    code: str  # e.g. LNK001, stable forever
    family: str  # one of checks.registry.FAMILY_PREFIXES
    name: str  # short, kebab-case: broken-link
    severity: Severity  # default; configurable per rule
    team: str  # default team id; the owners configuration may route elsewhere
    summary: str  # one line: what is wrong
    explanation: str  # a paragraph for an editor: what, why customers care, how to fix
    options: Mapping[str, Option] = field(default_factory=dict)
    # checks the effective options (defaults overlaid with the configured ones, each of
    # its type) when the configuration is loaded; raises ValueError starting with the
    # option's name ("content_selectors.*/product/*: 'a[' is not a CSS selector")
    check_options: Callable[[Mapping[str, Any]], None] | None = None

    @property
    def defaults(self) -> dict[str, Any]:
        """Option name -> default value."""
        return {name: option.default for name, option in self.options.items()}


def described(tp: Any, message: str) -> Any:
    """`tp`, whose validation errors all read `message` ("a number of words, 1 or more")
    instead of pydantic's own words."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(message) from None

    return Annotated[tp, WrapValidator(validate)]


def type_text(tp: Any) -> str:
    """A type annotation as a person reads it: int, list[str], str | None."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        return type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_text(arg) for arg in args)
    if origin is typing.Literal:
        return " | ".join(repr(arg) for arg in args)
    if tp is None or tp is type(None):
        return "None"
    if origin is not None:
        return f"{origin.__name__}[{', '.join(type_text(arg) for arg in args)}]"
    return getattr(tp, "__name__", repr(tp))


def check_css(css: str, where: str | None = None) -> None:
    """A CSS selector that does not compile fails when the configuration is loaded (a
    ValueError naming it, after `where`), not on every page."""
    try:
        CSSSelector(css, translator="html")
    except SelectorError:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}{css!r} is not a CSS selector") from None
