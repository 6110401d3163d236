"""Whether a word the dictionary rejects is a mistake, and how sure that is.

A typo is a known word with one slip: a letter left out, one too many, one wrong, or two
swapped (edit distance 1; in a compound, the slip is in one of its parts, and Hunspell
judges the repaired compound whole). A word with no such neighbour is far more often a name,
a model or a word the dictionary does not have than a mistake, and is not reported; one
with many neighbours (short words, long compounds whose parts could each be another word)
is doubtful. Every verdict is worked out once per word and language in a process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import cache, lru_cache
from typing import NamedTuple

from checks.spelling.dictionaries import Speller, speller
from ground.cores import can_fork, usable_cores

_ENOUGH = 4  # neighbours: more says nothing more (the word is ambiguous either way)
_SHORT = 4  # letters: so many short words are one slip apart that a short one is doubtful
_LONG = 16  # letters: only slips that keep every letter are tried (swaps, one left out)
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


_SHARED_FROM = 50  # words: fewer are judged here, more shared among helper processes
_CHUNK = 8  # words a helper is handed at a time (a search takes 5-60 ms)


class Verdict(NamedTuple):
    suggestions: tuple[str, ...]  # known words one slip away, likeliest first
    confidence: float  # 0: not a mistake as far as can be told, up to 0.9


Asked = tuple[str, str, bool, float, bool]  # the arguments of a verdict


def verdicts(asked: Iterable[Asked]) -> dict[Asked, Verdict]:
    """The verdict on every word asked about. The searches are independent of each other,
    and the site rules ask once the crawl has given its cores back: many are shared among
    forked helpers, one a core."""
    keys = list(dict.fromkeys(asked))
    helpers = min(usable_cores(), len(keys) // _SHARED_FROM)
    if helpers < 2 or not can_fork():
        return {key: verdict(*key) for key in keys}
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(helpers, mp_context=fork) as pool:
        return dict(zip(keys, pool.map(_verdict_of, keys, chunksize=_CHUNK), strict=True))


def _verdict_of(asked: Asked) -> Verdict:
    return verdict(*asked)


@lru_cache(maxsize=100_000)
def verdict(
    word: str, lang: str, capitalised: bool, at_least: float = 0.0, frequent: bool = False
) -> Verdict:
    """How likely `word` (rejected by the dictionary) is a slip, with what it should be;
    `frequent`: it stands in many of the site's texts (a slip is rare). A word that cannot
    reach `at_least` whatever its neighbours is not searched: the search costs thousands
    of dictionary look-ups (5-60 ms a word)."""
    penalty = _FREQUENT_PENALTY if frequent else 0.0
    if not could_be_reported(word, lang, capitalised, round(at_least + penalty, 2)):
        return Verdict((), 0.0)
    suggestions = _neighbours(word.lower() if word[:1].isupper() else word, lang)
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
    confidence -= penalty
    if word[:1].isupper():
        suggestions = tuple(s[:1].upper() + s[1:] for s in suggestions)
    return Verdict(suggestions, round(max(confidence, 0.0), 2))


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
        extra = _extra_letter(word, suggestion) if len(suggestion) != len(word) else None
        if extra is None or extra[1] not in joining:
            return False
        longer = max(word, suggestion, key=len)
        left, right = longer[: extra[0]], longer[extra[0] + 1 :]
        if not (spell.in_own_dictionary(left) and spell.in_own_dictionary(right)):
            return False
    return True


def _extra_letter(a: str, b: str) -> tuple[int, str] | None:
    """Where the longer of two words one letter apart has a letter more, and which; None
    when it doubles the letter beside it (a doubled or undoubled letter is a typo)."""
    short, long = sorted((a, b), key=len)
    for i, letter in enumerate(long):
        if short[i : i + 1] != letter:
            doubled = letter in (long[i - 1 : i], long[i + 1 : i + 2])
            return None if doubled else (i, letter)
    return None


def _likeliest_first(word: str, found: list[str]) -> tuple[str, ...]:
    """Slips that keep the first letter first, then those that double or undouble a
    letter or swap two ("shiping": "shipping" before "shaping")."""

    def rank(candidate: str) -> tuple[bool, bool]:
        same_length = len(candidate) == len(word)
        doubling = not same_length and _extra_letter(word, candidate) is None
        swap = same_length and sorted(candidate) == sorted(word)
        return candidate[:1] != word[:1], not (doubling or swap)

    return tuple(sorted(found, key=rank))


@cache
def _neighbours(word: str, lang: str) -> tuple[str, ...]:
    """Known words one slip from `word`, in the order slips are likeliest; at most _ENOUGH."""
    found: list[str] = []
    tried = {word}
    spell = speller(lang)
    for candidate in _slips(word, spell):
        if candidate not in tried:
            tried.add(candidate)
            if spell.accepts(candidate):
                found.append(candidate)
                if len(found) >= _ENOUGH:
                    break
    return _likeliest_first(word, found)


def _slips(word: str, spell: Speller):
    """Candidates for what `word` should have been: swapped letters, a letter too many,
    a letter missing, a wrong letter (the last two not for long words: too many tries)."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in cuts:
        if len(right) > 1 and right[0] != right[1]:
            yield left + right[1] + right[0] + right[2:]
    for left, right in cuts:
        if right:
            yield left + right[1:]
    if len(word) >= _LONG:
        return
    letters = spell.letters
    for left, right in cuts:
        for letter in letters:
            yield left + letter + right
    for left, right in cuts:
        if right:
            for letter in letters:
                if letter != right[0]:
                    yield left + letter + right[1:]
