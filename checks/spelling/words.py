"""The words of a text that a dictionary can judge, and the words written twice in a row.

Left out before any dictionary is asked: addresses (URLs, e-mail), anything with a digit
in it (prices, sizes, model codes such as XT-8000), all-caps abbreviations (BTW, USB),
names with a capital inside (iPhone, PayPal) and words under three letters. A capital at
the start of a word that does not start a sentence marks a likely name: it is kept, and
judged more strictly (checks/spelling/judge.py).

A text is read in one pass over its whitespace-separated chunks; what a chunk holds is
worked out once per process (a shop's pages share most of their words).
"""

from __future__ import annotations

import re
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


def scan(text: str) -> Scan:
    found: list[Word] = []
    repeated: list[str] = []
    sentence_start = True
    previous: str | None = None  # the word before, when nothing but a space stands between
    chunks = _chunks
    for chunk in text.replace("’", "'").split():
        facts = chunks.get(chunk)
        if facts is None:
            if len(chunks) >= _CHUNKS_KEPT:
                chunks.clear()
            facts = chunks[chunk] = _read(chunk)
        word = facts.word
        if word is not None:
            found.append(Word(word, not sentence_start and word[0].isupper()))
        if previous is not None and facts.leads and facts.lower == previous:
            repeated.append(chunk.strip(_EDGES))
        previous = facts.lower if facts.plain else None
        sentence_start = facts.ends_sentence
    return Scan(tuple(found), tuple(repeated))


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
