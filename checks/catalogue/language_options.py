"""The language rules' options: the default reading-ease bands per language, the types of
the options, and the check of what types cannot say (CSS selectors that compile, a
language code), run when the configuration is loaded instead of failing on every page.

Light on purpose: neither textstat nor pycld2 is imported to load a configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import yaml
from pydantic import Field

from checks import DATA
from checks.catalogue.rule import check_css, described
from checks.text_language import language_of_tag

# per language: its name, its formula's name, and the default bands of LNG001 and LNG002
BANDS: dict[str, dict[str, Any]] = yaml.safe_load(
    (DATA / "readability.yml").read_text(encoding="utf-8")
)

Score = described(float, "a score, a number")
Scores = dict[str, Score]  # language -> score
ScoreByUrl = dict[str, described(Score | Scores, "a score, or language: score")]
Words = described(Annotated[int, Field(ge=1)], "a number of words, 1 or more")
Selectors = dict[str, described(list[str], "a list of CSS selectors")]  # URL glob -> CSS


def bands(key: str) -> dict[str, float]:
    """Language -> the default of one band (warning_below, error_below, target)."""
    return {lang: band[key] for lang, band in BANDS.items()}


def check_options(options: Mapping[str, Any]) -> None:
    """What would fail on every page fails when the configuration is loaded instead."""
    for glob, selectors in options.get("content_selectors", {}).items():
        for css in selectors:
            check_css(css, f"content_selectors.{glob}")
    default = options.get("default_lang")
    if default is not None and language_of_tag(default) is None:
        raise ValueError(f"default_lang: a language code such as nl (got {default!r})")
