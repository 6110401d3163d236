"""Which language a page is in: the one it declares, and the one its text is written in.

The text's language is detected with CLD2 (pycld2), whose model is compiled into the
package: nothing is downloaded, and a page takes a fraction of a millisecond. pycld2 is
imported when a language is first detected or named, not to read a tag: the configuration
checks a default language without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

_DETECT_CHARS = 2000  # a longer text says little more about its language
_MIN_PERCENT = 60  # of the text in the top language, for a verdict
# CLD2's old codes and the macro-language of Norwegian, mapped to what pages declare
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "nb": "no", "nn": "no"}


@cache
def _names() -> dict[str, str]:
    import pycld2

    return {_ALIASES.get(code, code): name.title() for name, code in pycld2.LANGUAGES}


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # the primary subtag, lower case: "nl" for nl-BE

    @property
    def name(self) -> str:
        return _names().get(self.code, self.code)


def language_of_tag(tag: str | None) -> Language | None:
    """The language of a tag as written in lang= or Content-Language ("en-GB", "nl_NL"),
    None for none, "und" or "x-...": no language named."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    if not code.isalpha() or code in ("und", "x", "i"):
        return None
    return Language(_ALIASES.get(code, code))


def detected_language(text: str) -> Language | None:
    """The language most of `text` is written in; None when CLD2 is not sure."""
    import pycld2

    try:
        reliable, _, details = pycld2.detect(text[:_DETECT_CHARS], isPlainText=True)
    except (pycld2.error, UnicodeError):  # control characters, lone surrogates
        return None
    _, code, percent, _ = details[0]
    if not reliable or code == "un" or percent < _MIN_PERCENT:
        return None
    return language_of_tag(code)
