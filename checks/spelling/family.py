"""The spelling family's page check: each page's own text, in its language, word by word.

Every distinct word is looked up once per process (checks/spelling/dictionaries.py) and a
rejected one judged once (judge.py): on a shop, whose pages share most of their words,
a page costs little more than reading its text. A finding's target is the page's address
with a text fragment (`#:~:text=verzendig`): a browser opens the page at the word, and
the reports group the pages that have the same word.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from functools import lru_cache
from urllib.parse import quote

from checks.context import CheckContext
from checks.page import Page
from checks.spelling.dictionaries import languages, speller
from checks.spelling.judge import Verdict, verdict
from checks.spelling.text import Passage, Place, address_words, team_text
from checks.spelling.words import Word, scan
from checks.text_language import Language, detected_language, language_of_tag
from ground.model import Finding

MISSPELLING = "SPL001"
REPEATED = "SPL002"
IN_TEMPLATE = "SPL003"
CODES = (MISSPELLING, REPEATED, IN_TEMPLATE)

_CHECKED = frozenset(languages())
_NOTHING: tuple[tuple[Word, ...], tuple[str, ...]] = ((), ())  # a text in no checked language
_LETTERS = re.compile(r"[^\W\d_]+")
_DETECT_WORDS = 12  # a block this long says which language it is in itself
_SUGGESTIONS = 3  # named in a message
_SENTENCE_CHARS = 160  # of the evidence
# words that are right twice in a row ("ik weet dat dat klopt", "that that is", "had had")
_DOUBLES_OK = {
    "nl": frozenset({"dat", "die", "je", "heel", "zeer", "erg", "ja", "nee", "hoe"}),
    "en": frozenset({"that", "had", "is", "very", "so", "no", "yes", "bye", "do"}),
    "de": frozenset({"die", "der", "das", "sehr", "ja", "nein"}),
    "fr": frozenset({"nous", "vous", "très", "si", "oui", "non"}),
}


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if not any(ctx.enabled(code) for code in CODES):
        return
    settings = ctx.spelling
    parts, ignored, names = team_text(page.doc, settings.ignore)
    if not parts:
        return
    page_lang = _page_language(page, parts, ctx)
    own = _OwnWords(settings.vocabulary, page, (names, ignored))
    reported: set[tuple[str, str]] = set()
    for passage in parts:
        lang, found, repeated = _read_in_language(passage, page_lang, own, settings.min_confidence)
        for word, slip in found:
            code = IN_TEMPLATE if passage.place.template else MISSPELLING
            if (code, word) not in reported:
                reported.add((code, word))
                yield _misspelling(page.url, code, word, slip, passage, ctx)
        for word in repeated:
            if word.lower() not in _DOUBLES_OK.get(lang, ()) and (REPEATED, word) not in reported:
                reported.add((REPEATED, word))
                yield _repeated(page.url, word, passage.text, ctx)


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


def misspellings(
    text: str, lang: str, own: frozenset[str], threshold: float
) -> Iterator[tuple[str, Verdict]]:
    """The likely misspellings of `text` in `lang`: each word with its verdict."""
    return _judged(_read(text, lang)[0], lang, own, threshold)


@lru_cache(maxsize=50_000)
def _read(text: str, lang: str) -> tuple[tuple[Word, ...], tuple[str, ...]]:
    """The words of `text` the language's dictionaries reject, and its repeated words:
    once per distinct text (navigation, buttons and shared blocks recur on every page)."""
    found = scan(text)
    spell = speller(lang)
    return tuple(w for w in found.words if not spell.known(w.text)), found.repeated


def _judged(
    unknown: tuple[Word, ...], lang: str, own: Container[str], threshold: float
) -> Iterator[tuple[str, Verdict]]:
    spell = speller(lang)
    for word in unknown:
        if word.text.lower() in own:
            continue
        for i, part in enumerate(word.text.split("-")):  # a hyphenated word: part by part
            if len(part) >= 3 and part.lower() not in own and not spell.known(part):
                capitalised = word.capitalised if i == 0 else part[:1].isupper()
                slip = verdict(part, lang, capitalised, threshold)
                if slip.confidence >= threshold:
                    yield part, slip


def _page_language(page: Page, parts: list[Passage], ctx: CheckContext) -> str | None:
    """The language of the page's text, else the one it declares, else the default."""
    text = " ".join(p.text for p in parts if p.place is Place.TEXT)
    language = (
        detected_language(text)
        or language_of_tag(page.fetch.lang)
        or language_of_tag(ctx.option("LNG001", "default_lang"))
    )
    return language.code if language else None


def _read_in_language(
    passage: Passage, page_lang: str | None, own: Container[str], threshold: float
) -> tuple[str, list[tuple[str, Verdict]], tuple[str, ...]]:
    """The passage's language, its likely misspellings and its repeated words: read in
    the page's language, unless a long block is written in another, which is asked only
    when the page's language does not know a word of it (a name aside) or has no
    dictionary: most blocks are not asked."""
    lang = page_lang or ""
    unknown, repeated = _read(passage.text, lang) if lang in _CHECKED else _NOTHING
    found = list(_judged(unknown, lang, own, threshold)) if unknown else []
    strange = any(not w.capitalised and w.text.lower() not in own for w in unknown)
    if (
        (strange or lang not in _CHECKED)
        and passage.place is Place.TEXT
        and passage.text.count(" ") + 1 >= _DETECT_WORDS
    ):
        detected = _block_language(passage.text)
        if detected is not None and detected.code != lang:
            lang = detected.code
            unknown, repeated = _read(passage.text, lang) if lang in _CHECKED else _NOTHING
            found = list(_judged(unknown, lang, own, threshold))
    return lang, found, repeated


@lru_cache(maxsize=20_000)
def _block_language(text: str) -> Language | None:
    """A block's language, once per distinct block (shared blocks recur on many pages)."""
    return detected_language(text)


def _lower_words(text: str) -> frozenset[str]:
    return frozenset(_LETTERS.findall(text.lower()))


def _misspelling(
    url: str, code: str, word: str, slip: Verdict, passage: Passage, ctx: CheckContext
) -> Finding | None:
    suggestions = " or ".join(f"“{s}”" for s in slip.suggestions[:_SUGGESTIONS])
    where = f" in {passage.place.value}" if passage.place.template else ""
    message = f"“{word}”{where} is likely misspelled: did you mean {suggestions}?"
    evidence = f"{_sentence(passage.text, word)} (confidence {slip.confidence:.2f})"
    return ctx.finding(code, url, _at_text(url, word), message, evidence)


def _repeated(url: str, word: str, text: str, ctx: CheckContext) -> Finding | None:
    message = f"“{word} {word}”: a word written twice"
    return ctx.finding(
        REPEATED, url, _at_text(url, f"{word} {word}"), message, _sentence(text, f"{word} {word}")
    )


def _at_text(url: str, text: str) -> str:
    """The page's address that opens it at `text` (a text fragment; "-" is its syntax)."""
    return f"{url}#:~:text={quote(text, safe='').replace('-', '%2D')}"


def _sentence(text: str, words: str) -> str:
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
