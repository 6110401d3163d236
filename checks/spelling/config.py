"""The `spelling:` section of shoplint.yml: the shop's own vocabulary, the parts of a page
that are not the team's text, and how sure a misspelling must be to be reported.

    spelling:
      words: shoplint-words.txt     # a file, one word a line (`#` starts a comment), or a list
      ignore: [".reviews", "code"]  # CSS selectors, besides those always left out
      min_confidence: null          # null: the default, tuned for precision

A words file is read when the run's checks are set up, relative to the directory shoplint
runs in (kept in the shop's repository, like a Vale vocabulary); `shoplint spelling add`
writes to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, field_validator

from checks.catalogue.rule import check_css
from ground.errors import ConfigError
from ground.sections import Section

DEFAULT_MIN_CONFIDENCE = 0.65  # tuned on tests/data/spelling/: precision first


class SpellingConfig(Section):
    words: str | list[str] = Field(default_factory=list)  # a file path, or the words
    ignore: list[str] = Field(default_factory=list)  # CSS selectors of text not the team's
    min_confidence: float | None = Field(None, ge=0, le=1)  # None: DEFAULT_MIN_CONFIDENCE

    @field_validator("ignore")
    @classmethod
    def _selectors(cls, selectors: list[str]) -> list[str]:
        for css in selectors:
            check_css(css)
        return selectors


@dataclass(frozen=True)
class SpellingSettings:
    """The section as the checks read it, the words file read once for the run."""

    vocabulary: frozenset[str]  # lower case
    ignore: tuple[str, ...]
    min_confidence: float
    listed: tuple[str, ...] = ()  # the vocabulary as written, in its order
    source: str = "spelling.words"  # where it is written: the file, or the config key

    @classmethod
    def of(cls, config: SpellingConfig) -> SpellingSettings:
        """A words file named and missing or unreadable is a ConfigError naming it."""
        listed = isinstance(config.words, list)
        words = config.words if listed else read_words(Path(config.words))
        words = [word.strip() for word in words if word.strip()]
        threshold = config.min_confidence
        return cls(
            frozenset(word.lower() for word in words),
            tuple(config.ignore),
            DEFAULT_MIN_CONFIDENCE if threshold is None else threshold,
            tuple(words),
            "spelling.words" if listed else str(config.words),
        )


def read_words(path: Path) -> list[str]:
    """The words of a vocabulary file: one a line, blank lines and `#` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(f"spelling.words: cannot read {path} ({reason})") from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]
