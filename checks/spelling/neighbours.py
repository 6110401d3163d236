"""The search for what a rejected word should have been: the known words one slip away
(a letter left out, one too many, one wrong, two swapped). It is most of spelling's cost:
hundreds of candidates a word, each a dictionary look-up (9-17 µs in English, about 55 µs
in Dutch: 5-60 ms a word). So every search is made once per process, all of a run's at
once after the crawl, shared among forked helpers (one a core) when there are many, and
remembered in the store for the next run with the same dictionaries (a shop's words
change little from night to night).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from checks.spelling.dictionaries import Speller, dictionaries_version, speller
from ground.cores import can_fork, usable_cores

if TYPE_CHECKING:
    from store import SpellingCache

_ENOUGH = 4  # neighbours: more says nothing more (the word is ambiguous either way)
_LONG = 16  # letters: only slips that keep every letter are tried (swaps, one left out)
_SHARED_FROM = 50  # searches: fewer are made here, more shared among helper processes
_CHUNK = 8  # searches a helper is handed at a time

Searched = tuple[str, str]  # (language, word)
_FOUND: dict[Searched, tuple[str, ...]] = {}  # every search made or read, in this process


def neighbours(lang: str, word: str) -> tuple[str, ...]:
    """The known words one slip from `word`, likeliest first; searched if not yet."""
    found = _FOUND.get((lang, word))
    if found is None:
        found = _FOUND[lang, word] = _search(lang, word)
    return found


def find_all(wanted: Collection[Searched], remembered: SpellingCache | None = None) -> None:
    """Makes every search in `wanted`: those a run made before read from the store, the
    rest made here or by helpers and written to it."""
    todo = [key for key in wanted if key not in _FOUND]
    if remembered is not None and todo:
        _FOUND.update(remembered.spelling_neighbours(dictionaries_version(), todo))
        todo = [key for key in todo if key not in _FOUND]
    if not todo:
        return
    found = dict(zip(todo, _searched(todo), strict=True))
    _FOUND.update(found)
    if remembered is not None:
        remembered.save_spelling_neighbours(dictionaries_version(), found)


def _searched(todo: list[Searched]) -> list[tuple[str, ...]]:
    helpers = min(usable_cores(), len(todo) // _SHARED_FROM)
    if helpers < 2 or not can_fork():
        return [_search(*key) for key in todo]
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(helpers, mp_context=fork) as pool:
        return list(pool.map(_search_one, todo, chunksize=_CHUNK))


def _search_one(key: Searched) -> tuple[str, ...]:
    return _search(*key)


def extra_letter(a: str, b: str) -> tuple[int, str] | None:
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
        doubling = not same_length and extra_letter(word, candidate) is None
        swap = same_length and sorted(candidate) == sorted(word)
        return candidate[:1] != word[:1], not (doubling or swap)

    return tuple(sorted(found, key=rank))


def _search(lang: str, word: str) -> tuple[str, ...]:
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
