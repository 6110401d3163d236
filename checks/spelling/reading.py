"""A page's words as the spelling rules need them, read where the page rules run: the
words its dictionaries reject (each with its language, place and sentence), its repeated
words, and the vocabulary words it uses.

Whether a rejected word is a slip is judged after the crawl, against the whole site
(family.py): a word in many of the site's texts is the shop's own ("callables" in a manual,
a model name in every description), and the costly search for a known word one slip away
(judge.py) is made only for the words that could still be reported. A page's rejected words
travel to the store as a site fact (Fetch.words, JSON); the sentences are kept short.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from checks.context import CheckContext
from checks.main_language import main_text
from checks.page import Page, once_a_page
from checks.rendered_only import RenderedOnly
from checks.spelling.dictionaries import languages, speller
from checks.spelling.judge import could_be_reported
from checks.spelling.text import Passage, Place, address_words, team_text
from checks.spelling.words import Word, chunks_of, repeated_in, word_of, words_in
from checks.text_language import Language, detected_language, language_of_tag

_CHECKED = frozenset(languages())
_NOTHING: tuple[tuple[Word, ...], tuple[str, ...]] = ((), ())  # a text in no checked language
_LETTERS = re.compile(r"[^\W\d_]+")
_VOCABULARY_WORDS = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_DETECT_WORDS = 12  # a block this long says which language it is in itself
_SENTENCE_CHARS = 160  # of the evidence
_PLACES = {place.name: place for place in Place}
_CHUNKS_KEPT = 200_000  # chunks told apart per language, at most (then forgotten at once)


class Unknown(NamedTuple):
    """A rejected word (or part of a hyphenated one) on a page, where it first stands in
    the template's text or in the page's own."""

    word: str
    lang: str
    capitalised: bool  # a capital that does not start a sentence: likely a name
    place: Place
    sentence: str  # quoted, shortened: the evidence
    passages: list[int]  # the texts it stands in (checksums: the same text on every page is one)
    rendered_only: bool  # its text is not in the page source (a script put it there)


class Repeated(NamedTuple):
    word: str  # as the second time it is written
    lang: str
    sentence: str


@dataclass
class PageWords:
    unknown: list[Unknown] = field(default_factory=list)
    repeated: list[Repeated] = field(default_factory=list)
    vocabulary_used: set[str] = field(default_factory=set)  # lower case

    def fact(self) -> str | None:
        """What the site rules need (Fetch.words), None when there is nothing to judge."""
        if not (self.unknown or self.vocabulary_used):
            return None
        unknown = [[u.word, u.lang, int(u.capitalised), u.place.name, u.sentence, u.passages,
                    int(u.rendered_only)] for u in self.unknown]  # fmt: skip
        return json.dumps({"u": unknown, "v": sorted(self.vocabulary_used)}, ensure_ascii=False)


def from_fact(fact: str) -> tuple[list[Unknown], list[str]]:
    """A page's rejected words and the vocabulary words it uses, from its Fetch.words."""
    data = json.loads(fact)
    unknown = [
        Unknown(word, lang, bool(cap), _PLACES[place], sentence, passages, bool(rendered))
        for word, lang, cap, place, sentence, passages, rendered in data["u"]
    ]
    return unknown, data["v"]


@once_a_page
def page_words(page: Page, ctx: CheckContext) -> PageWords:
    """The page's words (the site fact and the page rule both ask)."""
    settings = ctx.spelling
    parts, ignored, names = team_text(page.doc, settings.ignore)
    words = PageWords()
    if not parts:
        return words
    if settings.vocabulary:
        text = " ".join((*(p.text for p in parts), names)).lower()
        words.vocabulary_used = settings.vocabulary.intersection(_VOCABULARY_WORDS.findall(text))
    page_lang = _page_language(page, parts, ctx)
    own = _OwnWords(settings.vocabulary, page, (names, ignored))
    rendered = RenderedOnly.of_page(page) if page.fetch.scripted is not None else None
    first: dict[tuple[str, str, bool, bool], Unknown] = {}
    for passage in parts:
        lang, unknown, repeated = _read_in_language(passage, page_lang, own)
        if unknown:  # most passages have none: nothing to gather
            _gather(first, passage, lang, unknown, (rendered, settings.min_confidence))
        words.repeated.extend(
            Repeated(word, lang, sentence_of(passage.text, f"{word} {word}")) for word in repeated
        )
    words.unknown = list(first.values())
    return words


def _gather(
    first: dict[tuple[str, str, bool, bool], Unknown],
    passage: Passage,
    lang: str,
    unknown: list[tuple[str, bool]],
    judging: tuple[RenderedOnly | None, float],
) -> None:
    """Adds the passage's rejected words that could be reported to `first`: each word once
    a page and kind of place (the template's text, the page's own), where it first stands,
    with every text it stands in."""
    rendered, threshold = judging
    text = zlib.crc32(passage.text.encode())
    for word, capitalised in unknown:
        seen = first.get((word, lang, capitalised, passage.place.template))
        if seen is not None:
            seen.passages.append(text)
        elif could_be_reported(word, lang, capitalised, threshold):
            sentence = sentence_of(passage.text, word)
            only_rendered = rendered is not None and rendered.shows_only(sentence)
            first[word, lang, capitalised, passage.place.template] = Unknown(
                word, lang, capitalised, passage.place, sentence, [text], only_rendered
            )


class _OwnWords:
    """The shop's own words on a page: its vocabulary, the names its structured data
    gives, the words of its addresses and of the text left out; gathered when a word the
    dictionaries reject first asks (on many pages none does)."""

    def __init__(self, vocabulary: frozenset[str], page: Page, texts: tuple[str, ...]):
        self._vocabulary = vocabulary
        self._page = page
        self._texts = texts
        self._words: frozenset[str] | None = None

    def __contains__(self, word: object) -> bool:
        if word in self._vocabulary:
            return True
        if self._words is None:
            self._words = address_words(self._page) | _lower_words(" ".join(self._texts))
        return word in self._words


def rejected(text: str, lang: str, own: Container[str]) -> Iterator[tuple[str, bool]]:
    """The words of `text` that `lang`'s dictionaries reject and `own` does not hold, a
    hyphenated word part by part: each with whether it is capitalised mid-sentence."""
    return _parts(read(text, lang)[0], lang, own)


@lru_cache(maxsize=50_000)
def read(text: str, lang: str) -> tuple[tuple[Word, ...], tuple[str, ...]]:
    """The words of `text` the language's dictionaries reject, and its repeated words:
    once per distinct text (navigation, buttons and shared blocks recur on every page)."""
    chunks = chunks_of(text)
    rejecting = _rejecting(lang).among(chunks)
    return (words_in(chunks, rejecting) if rejecting else ()), repeated_in(text, chunks)


class _Rejecting:
    """The chunks whose word a language's dictionaries reject, told once per chunk (until
    _CHUNKS_KEPT): a text's chunks are then sorted out by set operations, in C."""

    def __init__(self, lang: str):
        self._spell = speller(lang)
        self._told: set[str] = set()
        self._rejected: set[str] = set()

    def among(self, chunks: list[str]) -> set[str]:
        new = set(chunks).difference(self._told)
        if new:
            if len(self._told) + len(new) > _CHUNKS_KEPT:
                self._told.clear()
                self._rejected.clear()
                new = set(chunks)
            self._told.update(new)
            known = self._spell.known
            self._rejected.update(
                chunk for chunk in new if (word := word_of(chunk)) and not known(word)
            )
        return self._rejected.intersection(chunks)


@cache
def _rejecting(lang: str) -> _Rejecting:
    return _Rejecting(lang)


def _parts(unknown: tuple[Word, ...], lang: str, own: Container[str]) -> Iterator[tuple[str, bool]]:
    spell = speller(lang)
    for word in unknown:
        if word.text.lower() in own:
            continue
        for i, part in enumerate(word.text.split("-")):
            if len(part) >= 3 and part.lower() not in own and not spell.known(part):
                yield part, word.capitalised if i == 0 else part[:1].isupper()


def _page_language(page: Page, parts: list[Passage], ctx: CheckContext) -> str | None:
    """The language of the page's text, as the language checks tell it (else as its
    whole text tells it), else the one it declares, else the default."""
    main = main_text(page, ctx)
    language = (
        (main.detected if main else None)
        or detected_language(" ".join(p.text for p in parts if p.place is Place.TEXT))
        or language_of_tag(page.fetch.lang)
        or language_of_tag(ctx.option("LNG001", "default_lang"))
    )
    return language.code if language else None


def _read_in_language(
    passage: Passage, page_lang: str | None, own: Container[str]
) -> tuple[str, list[tuple[str, bool]], tuple[str, ...]]:
    """The passage's language, the words its dictionaries reject and its repeated words:
    read in the page's language, unless a long block is written in another, which is asked
    only when the page's language does not know a word of it (a name aside) or has no
    dictionary: most blocks are not asked."""
    lang = page_lang or ""
    unknown, repeated = read(passage.text, lang) if lang in _CHECKED else _NOTHING
    strange = any(not w.capitalised and w.text.lower() not in own for w in unknown)
    if (
        (strange or lang not in _CHECKED)
        and passage.place is Place.TEXT
        and passage.text.count(" ") + 1 >= _DETECT_WORDS
    ):
        detected = _block_language(passage.text)
        if detected is not None and detected.code != lang:
            lang = detected.code
            unknown, repeated = read(passage.text, lang) if lang in _CHECKED else _NOTHING
    return lang, list(_parts(unknown, lang, own)) if unknown else [], repeated


@lru_cache(maxsize=20_000)
def _block_language(text: str) -> Language | None:
    """A block's language, once per distinct block (shared blocks recur on many pages)."""
    return detected_language(text)


def _lower_words(text: str) -> frozenset[str]:
    return frozenset(_LETTERS.findall(text.lower()))


def sentence_of(text: str, words: str) -> str:
    """The sentence of `text` that `words` stand in, quoted, shortened to fit."""
    at = max(text.replace("’", "'").lower().find(words.lower()), 0)
    begin = max(text.rfind(end, 0, at) for end in (". ", "! ", "? ", ": "))
    begin = 0 if begin < 0 else begin + 2
    ends = [i + 1 for end in (". ", "! ", "? ") if (i := text.find(end, at)) >= 0]
    sentence = text[begin : min(ends, default=len(text))]
    if len(sentence) > _SENTENCE_CHARS:
        left = max(0, at - begin - _SENTENCE_CHARS // 2)
        sentence = "…" + sentence[left : left + _SENTENCE_CHARS].strip() + "…"
    return f"“{sentence}”"
