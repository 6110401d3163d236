"""The base of every configuration section: each layer declares the settings it reads
(crawler/config.py, checks/config.py, reports/config.py, store/config.py) and
shoplint/config.py puts them together into one validated file."""

from __future__ import annotations

import re
from typing import Any

import soupsieve
from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer


class Section(BaseModel):
    """Unknown keys are errors (a typo never passes silently); values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CompactSection(Section):
    """Dumped without its empty keys, so the starter file and digests stay readable."""

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value not in (None, [])}


def css_selector(selector: str | None) -> str | None:
    """A field validator's check of a CSS selector soupsieve can use: a typo is a config
    error naming it, not a step or a page that quietly never matches."""
    if selector is not None:
        try:
            soupsieve.compile(selector)
        except soupsieve.SelectorSyntaxError as exc:
            first = str(exc).splitlines()[0]
            raise ValueError(f"not a CSS selector: {selector!r} ({first})") from None
    return selector


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_name(name: str | None) -> str | None:
    """A field validator's check of a key naming an environment variable (`password_env`,
    `url_env`, ...): the error never repeats the value, which may be the secret itself."""
    if name is not None and not _ENV_NAME.fullmatch(name):
        raise ValueError(
            "expected the name of an environment variable (letters, digits and _),"
            " never the secret itself"
        )
    return name
