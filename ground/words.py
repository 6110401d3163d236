"""Word lists kept as data (ground/data/*.yml, checks/data/*.yml), so a shop can extend
them, and the one way they become patterns: whole words, case ignored, any run of spaces
between words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml


@cache
def load_words(path: Path) -> Mapping[str, Any]:
    """The word lists in the YAML file at `path`, read once per process."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def every_language(by_language: Mapping[str, Iterable[str]]) -> list[str]:
    """The phrases of all languages together: a page's declared language is often wrong."""
    return [phrase for phrases in by_language.values() for phrase in phrases]


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching any of `phrases` as whole words, longest first (so "geldig t/m"
    wins over "t/m"), case ignored, typographic apostrophes read as plain ones."""
    ordered = sorted({p.replace("’", "'").lower() for p in phrases}, key=len, reverse=True)
    body = "|".join(r"\s+".join(_word(w) for w in p.split()) for p in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _word(word: str) -> str:
    return re.escape(word).replace("'", "['’]")
