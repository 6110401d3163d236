"""Whether a word the dictionary rejects is a mistake, and how sure that is.

A typo is a known word with one slip: a letter left out, one too many, one wrong, or two
swapped (edit distance 1; in a compound, the slip is in one of its parts, and Hunspell
judges the repaired compound whole). A word with no such neighbour is far more often a name,
a model or a word the dictionary does not have than a mistake, and is not reported; one
with many neighbours (short words, long compounds whose parts could each be another word)
is doubtful. Every verdict is worked out once per word and language in a process; the
search for the neighbours is neighbours.py's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from checks.spelling.dictionaries import speller
from checks.spelling.neighbours import extra_letter, find_all, neighbours

if TYPE_CHECKING:
    from store import SpellingCache

_SHORT = 4  # letters: so many short words are one slip apart that a short one is doubtful
_BY_NEIGHBOURS = {1: 0.9, 2: 0.85, 3: 0.8}  # else (4 or more) 0.7
_SHORT_PENALTY = 0.25
_NAME_PENALTY = 0.4  # a capital mid-sentence: likely a name
_FREQUENT_PENALTY = 0.3  # in many of the site's texts: likely the shop's own word
_FIRST_LETTER_PENALTY = 0.3  # slips in the first letter are rare: likely another word
# Dutch and German join the parts of a compound with s, e or en ("kinderzitjesbevestiging"):
# a long word one such letter from a known one is a compound the dictionary lacks
_JOINING = {"nl": "sen", "de": "sen"}
_COMPOUND = 12  # letters
_JOINING_CONFIDENCE = 0.3
# a word that is two known words written together ("naaf|versnelling") is a compound the
# dictionary lacks, in the languages that write compounds as one word
_COMPOUNDING = frozenset({"nl", "de"})
_PART = 4  # letters, at least, of each part
_TWO_WORDS = 11  # letters, at least, of such a compound: shorter, a slip is likelier


class Verdict(NamedTuple):
    suggestions: tuple[str, ...]  # known words one slip away, likeliest first
    confidence: float  # 0: not a mistake as far as can be told, up to 0.9


Asked = tuple[str, str, bool, float, bool]  # the arguments of a verdict


def verdicts(
    asked: Iterable[Asked], remembered: SpellingCache | None = None
) -> dict[Asked, Verdict]:
    """The verdict on every word asked about, the searches they need made first, all at
    once (neighbours.py: remembered across runs, shared among the cores)."""
    keys = list(dict.fromkeys(asked))
    find_all({searched for key in keys if (searched := _search_for(*key))}, remembered)
    return {key: verdict(*key) for key in keys}


@lru_cache(maxsize=100_000)
def verdict(
    word: str, lang: str, capitalised: bool, at_least: float = 0.0, frequent: bool = False
) -> Verdict:
    """How likely `word` (rejected by the dictionary) is a slip, with what it should be;
    `frequent`: it stands in many of the site's texts (a slip is rare). A word that cannot
    reach `at_least` whatever its neighbours is not searched: the search costs thousands
    of dictionary look-ups (5-60 ms a word)."""
    searched = _search_for(word, lang, capitalised, at_least, frequent)
    suggestions = neighbours(*searched) if searched else ()
    if not suggestions:
        return Verdict((), 0.0)
    confidence = _BY_NEIGHBOURS.get(len(suggestions), 0.7)
    if all(s[:1] != word[:1].lower() for s in suggestions):
        confidence -= _FIRST_LETTER_PENALTY
    if _joined(word.lower(), suggestions, lang):
        confidence = min(confidence, _JOINING_CONFIDENCE)
    if len(word) <= _SHORT:
        confidence -= _SHORT_PENALTY
    if capitalised:
        confidence -= _NAME_PENALTY
    if frequent:
        confidence -= _FREQUENT_PENALTY
    if word[:1].isupper():
        suggestions = tuple(s[:1].upper() + s[1:] for s in suggestions)
    return Verdict(suggestions, round(max(confidence, 0.0), 2))


def _search_for(
    word: str, lang: str, capitalised: bool, at_least: float, frequent: bool
) -> tuple[str, str] | None:
    """The (language, word) whose neighbours the verdict needs; None when the word cannot
    reach `at_least` whatever they are."""
    bar = round(at_least + (_FREQUENT_PENALTY if frequent else 0.0), 2)
    if not could_be_reported(word, lang, capitalised, bar):
        return None
    return lang, word.lower() if word[:1].isupper() else word


def could_be_reported(word: str, lang: str, capitalised: bool, at_least: float) -> bool:
    """Whether `word` can reach `at_least` with the best neighbours there could be (no
    name mid-sentence below it, no compound of two known words): told without a search."""
    lower = word.lower() if word[:1].isupper() else word
    return _best(word, capitalised) >= at_least and not _two_words(lower, lang)


def _best(word: str, capitalised: bool) -> float:
    """The most confidence `word` can get: one neighbour, with the same first letter."""
    best = _BY_NEIGHBOURS[1] - (_SHORT_PENALTY if len(word) <= _SHORT else 0.0)
    return round(best - (_NAME_PENALTY if capitalised else 0.0), 2)


@cache
def _two_words(word: str, lang: str) -> bool:
    """`word` is two known words written together (see _COMPOUNDING)."""
    if lang not in _COMPOUNDING or len(word) < _TWO_WORDS:
        return False
    spell = speller(lang)
    return any(
        spell.in_own_dictionary(word[:cut]) and spell.in_own_dictionary(word[cut:])
        for cut in range(_PART, len(word) - _PART + 1)
    )


def _joined(word: str, suggestions: tuple[str, ...], lang: str) -> bool:
    """Every suggestion is `word` with a joining letter more or less between two known
    words (see _JOINING): "kinderzitje|s|bevestiging"."""
    joining = _JOINING.get(lang)
    if not joining or len(word) < _COMPOUND:
        return False
    spell = speller(lang)
    for suggestion in suggestions:
        extra = extra_letter(word, suggestion) if len(suggestion) != len(word) else None
        if extra is None or extra[1] not in joining:
            return False
        longer = max(word, suggestion, key=len)
        left, right = longer[: extra[0]], longer[extra[0] + 1 :]
        if not (spell.in_own_dictionary(left) and spell.in_own_dictionary(right)):
            return False
    return True
