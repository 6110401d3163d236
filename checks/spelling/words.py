"""The words of a text that a dictionary can judge, and the words written twice in a row.

Left out before any dictionary is asked: addresses (URLs, e-mail), anything with a digit
in it (prices, sizes, model codes such as XT-8000), all-caps abbreviations (BTW, USB),
names with a capital inside (iPhone, PayPal) and words under three letters. A capital at
the start of a word that does not start a sentence marks a likely name: it is kept, and
judged more strictly (checks/spelling/judge.py).

A text is read as its whitespace-separated chunks; what a chunk holds is worked out once
per process (a shop's pages share most of their words), and the chunks that matter (those
a dictionary rejects, those written twice) are picked out in C before any Python looks at
one: a page holds thousands of words, and few of them matter.
"""

from __future__ import annotations

import re
from collections.abc import Container
from itertools import compress, repeat
from operator import eq
from typing import NamedTuple

_EDGES = "\"'“”‘’„«»‹›()[]{}.,;:!?¡¿…*•·–—|<>"
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_SENTENCE_END = (".", "!", "?", ":", "…")
_MIN_LETTERS = 3
_CHUNKS_KEPT = 200_000  # chunks remembered, at most (then forgotten all at once)


class Word(NamedTuple):
    text: str  # as written (curly apostrophes made straight)
    capitalised: bool  # a capital first letter that does not start a sentence


class Scan(NamedTuple):
    words: tuple[Word, ...]  # the words a dictionary can judge, in order
    repeated: tuple[str, ...]  # words written twice in a row ("de de"), as the second is


class _Chunk(NamedTuple):
    word: str | None  # the word a dictionary can judge, if the chunk holds one
    lower: str | None  # the chunk's word in lower case, if it holds one
    plain: bool  # the word and nothing else ("de", not "de,")
    leads: bool  # no punctuation before the word
    ends_sentence: bool


_chunks: dict[str, _Chunk] = {}


def chunks_of(text: str) -> list[str]:
    """The text's whitespace-separated chunks, curly apostrophes made straight."""
    return text.replace("’", "'").split()


def word_of(chunk: str) -> str | None:
    """The word of the chunk a dictionary can judge, if it holds one."""
    return _facts(chunk).word


def scan(text: str) -> Scan:
    """Every word of `text` a dictionary can judge, and its repeated words."""
    chunks = chunks_of(text)
    return Scan(words_in(chunks, set(chunks)), repeated_in(text, chunks))


def words_in(chunks: list[str], chosen: Container[str]) -> tuple[Word, ...]:
    """The words a dictionary can judge of the chunks in `chosen`, in order. The chunks
    are picked out in C: a text's words are mostly not chosen (a dictionary knows them)."""
    found = []
    for i in compress(range(len(chunks)), map(chosen.__contains__, chunks)):
        word = _facts(chunks[i]).word
        if word is not None:
            starts = i == 0 or _facts(chunks[i - 1]).ends_sentence
            found.append(Word(word, not starts and word[0].isupper()))
    return tuple(found)


def repeated_in(text: str, chunks: list[str]) -> tuple[str, ...]:
    """The words of `text` (its `chunks`) written twice in a row, as the second is. Only
    a text where a chunk is the next one's core, case aside, can hold one: that is told
    in C first (few texts do)."""
    lower = chunks_of(text.lower())  # each chunk in lower case: no letter lowers to a space
    if not any(map(eq, lower, map(str.strip, lower[1:], repeat(_EDGES)))):
        return ()
    repeated: list[str] = []
    previous: str | None = None  # the word before, when nothing but a space stands between
    for chunk in chunks:
        facts = _facts(chunk)
        if previous is not None and facts.leads and facts.lower == previous:
            repeated.append(chunk.strip(_EDGES))
        previous = facts.lower if facts.plain else None
    return tuple(repeated)


def _facts(chunk: str) -> _Chunk:
    """What the chunk holds, worked out once per process (until _CHUNKS_KEPT)."""
    facts = _chunks.get(chunk)
    if facts is None:
        if len(_chunks) >= _CHUNKS_KEPT:
            _chunks.clear()
        facts = _chunks[chunk] = _read(chunk)
    return facts


def _read(chunk: str) -> _Chunk:
    core = chunk.strip(_EDGES)
    is_word = bool(core) and _WORD.fullmatch(core) is not None
    judged = is_word and len(core) >= _MIN_LETTERS and not core.isupper()
    judged = judged and not any(c.isupper() for c in core[1:])  # iPhone, Shimano-Deore
    return _Chunk(
        core if judged else None,
        core.lower() if is_word else None,
        core == chunk,
        chunk.startswith(core),
        chunk.endswith(_SENTENCE_END) or not core,
    )
