"""Language: texts too hard for customers to read, and pages whose declared language is
not the language their text is written in.

Each page's main content (checks/main_text.py) is scored with the reading-ease formula
of the language it is actually written in (checks/readability.py), detected from the text
(checks/text_language.py); the page's declared language (<html lang>, else
Content-Language), else the configured default, only when the text does not say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cssselect import SelectorError

from checks.context import CheckContext
from checks.main_text import compiled_selector, main_blocks
from checks.page import Page
from checks.readability import BANDS, Readability, Sentence, score
from checks.rules import REGISTRY, Rule, register
from checks.text_language import Language, detected_language, language_of_tag
from checks.url_patterns import first_match
from shoplint.model import Finding, Severity

DIFFICULT = "LNG001"
VERY_DIFFICULT = "LNG002"
MISMATCH = "LNG003"

_HARDEST = 3  # sentences quoted as evidence
_QUOTE_CHARS = 110  # of each quoted sentence
_SNIPPET_CHARS = 90  # of the text quoted for a language mismatch


def _check_options(options: Mapping[str, Any]) -> None:
    """What would fail on every page fails when the configuration is loaded instead."""
    for name in ("min_words", "max_words", "long_sentence_words"):
        value = options.get(name, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: a number of words, 1 or more (got {value!r})")
    for name in ("below", "target"):
        if name in options:
            _scores(name, options[name])
    for glob, value in _mapping("below_by_url", options.get("below_by_url", {})).items():
        if isinstance(value, Mapping):
            _scores(f"below_by_url.{glob}", value)
        elif not _is_number(value):
            raise ValueError(f"below_by_url.{glob}: a score, or language: score (got {value!r})")
    for glob, selectors in _mapping(
        "content_selectors", options.get("content_selectors", {})
    ).items():
        if not isinstance(selectors, list) or not all(isinstance(css, str) for css in selectors):
            raise ValueError(f"content_selectors.{glob}: a list of CSS selectors")
        for css in selectors:
            try:
                compiled_selector(css)
            except SelectorError:
                raise ValueError(
                    f"content_selectors.{glob}: {css!r} is not a CSS selector"
                ) from None
    default = options.get("default_lang")
    if default is not None and language_of_tag(default) is None:
        raise ValueError(f"default_lang: a language code such as nl (got {default!r})")


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name}: a mapping (got {value!r})")
    return value


def _scores(name: str, value: Any) -> None:
    for lang, score_ in _mapping(name, value).items():
        if not _is_number(score_):
            raise ValueError(f"{name}.{lang}: a score, a number (got {score_!r})")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


RULES = register(
    Rule(
        DIFFICULT,
        "language",
        "difficult-text",
        Severity.WARNING,
        "content",
        "The page's text is difficult to read (reading ease below 45 for Dutch, 50 for English)",
        "The main text of this page (a product description, a category introduction, an "
        "answer) scores low on reading ease: its sentences are long and its words long and "
        "formal. Many customers read at level B1 or below, and everyone reads a shop in a "
        "hurry, on a phone: they skip what they cannot take in at once, miss what matters, "
        "and call or mail customer service instead, or buy elsewhere. Write short sentences "
        "(15 words or fewer) with one message each; use everyday words ('fiets', not "
        "'rijwiel'; 'u kunt', not 'het is mogelijk om'); address the reader directly; put "
        "lists in bullet points. The evidence quotes the hardest sentences: start there. "
        "The score is the reading-ease formula for the text's language (Flesch-Douma for "
        "Dutch, Flesch for English, Amstad for German, Kandel-Moles for French, Fernández "
        "Huerta for Spanish, Flesch-Vacca for Italian); texts under 50 words are not scored, "
        "longer ones on their first 500 words. "
        "The options also say where a page's main text is (content_selectors, per URL "
        "pattern) and which language to assume when a page does not say (default_lang); "
        "they apply to LNG002 and LNG003 too.",
        options={
            "below": {lang: band["warning_below"] for lang, band in BANDS.items()},
            "below_by_url": {},  # URL glob -> score, or {language: score}
            "target": {lang: band["target"] for lang, band in BANDS.items()},
            "min_words": 50,  # shorter texts are not scored
            "max_words": 500,  # a longer text is judged on its first 500 words
            "long_sentence_words": 25,  # longer sentences are counted in the evidence
            "content_selectors": {},  # URL glob -> CSS selectors of the main text
            "default_lang": None,  # for pages that declare no language: "nl"
        },
        check_options=_check_options,
    ),
    Rule(
        VERY_DIFFICULT,
        "language",
        "very-difficult-text",
        Severity.ERROR,
        "content",
        "The page's text is very difficult to read (reading ease below 30)",
        "The main text of this page scores below 30 on reading ease: very difficult, the "
        "level of legal and academic writing. Most customers give up on it, and those who "
        "need it most (older customers, customers who read Dutch as a second language, "
        "customers with dyslexia) cannot use it at all. Questions and complaints follow. "
        "Rewrite it rather than edit it: one message per sentence, 15 words or fewer, "
        "everyday words instead of formal ones ('daarom' for 'derhalve', 'als' for "
        "'indien'), verbs instead of nouns ('we bezorgen' for 'de bezorging vindt plaats'). "
        "Legal texts can be plain too: a short summary above the full text helps. The "
        "evidence quotes the hardest sentences. The bands per language and per kind of page "
        "are options (below, below_by_url); the other options are LNG001's.",
        options={
            "below": {lang: band["error_below"] for lang, band in BANDS.items()},
            "below_by_url": {},  # URL glob -> score, or {language: score}
        },
        check_options=_check_options,
    ),
    Rule(
        MISMATCH,
        "language",
        "language-mismatch",
        Severity.INFO,
        "it",
        "The page declares one language, and its text is written in another",
        "The page says it is in one language (<html lang>, or the Content-Language header) "
        "while its text is written in another: typically a shop template that says "
        'lang="en" above Dutch product texts. Screen readers then read the Dutch text '
        "aloud with English pronunciation, which is hard to follow; browsers offer to "
        "translate the page, spell checkers and hyphenation go wrong, and search engines may "
        "show the page to the wrong audience. This is for the team that maintains the shop's "
        'templates: set the lang attribute to the language of the text (lang="nl"). The '
        "text itself is fine, and is scored in the language it is written in.",
    ),
)


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if not any(ctx.enabled(code) for code in (DIFFICULT, VERY_DIFFICULT, MISMATCH)):
        return
    selectors = first_match(ctx.option(DIFFICULT, "content_selectors"), page.url) or ()
    blocks = main_blocks(page.doc, selectors, ctx.option(DIFFICULT, "max_words"))
    min_words = ctx.option(DIFFICULT, "min_words")
    if sum(block.count(" ") + 1 for block in blocks) < min_words:
        return  # too short to judge its language or its reading ease
    text = " ".join(blocks)
    declared = language_of_tag(page.fetch.lang)
    detected = detected_language(text)
    if declared and detected and declared != detected:
        yield _mismatch(page, declared, detected, text, ctx)
    language = detected or declared or language_of_tag(ctx.option(DIFFICULT, "default_lang"))
    readability = score(blocks, language.code) if language else None
    if readability is not None and readability.words >= min_words:
        yield _difficulty(page.url, readability, ctx)


def _difficulty(url: str, readability: Readability, ctx: CheckContext) -> Finding | None:
    """One finding at most: LNG002 below its band, else LNG001 below its own (which also
    reports a very difficult text when LNG002 is switched off)."""
    lang = readability.formula.lang
    very_difficult = _limit(VERY_DIFFICULT, lang, url, ctx)
    if ctx.enabled(VERY_DIFFICULT) and _below(readability.score, very_difficult):
        return _finding(VERY_DIFFICULT, "Very difficult to read", url, readability, ctx)
    if _below(readability.score, _limit(DIFFICULT, lang, url, ctx)):
        return _finding(DIFFICULT, "Difficult to read", url, readability, ctx)
    return None


def _below(score: float, limit: float | None) -> bool:
    return limit is not None and score < limit


def _limit(code: str, lang: str, url: str, ctx: CheckContext) -> float | None:
    """The score below which `code` reports a text in `lang` on `url`: the first matching
    URL pattern's, else the language's (the data file's, unless configured)."""
    by_url = first_match(ctx.option(code, "below_by_url"), url)
    if isinstance(by_url, Mapping):
        if lang in by_url:
            return by_url[lang]
    elif by_url is not None:
        return by_url
    return _per_language(code, "below", ctx).get(lang)


def _per_language(code: str, option: str, ctx: CheckContext) -> dict[str, Any]:
    """A per-language option: what is configured, over the defaults for other languages."""
    return {**REGISTRY[code].options[option], **ctx.option(code, option)}


def _finding(
    code: str, wording: str, url: str, readability: Readability, ctx: CheckContext
) -> Finding | None:
    formula = readability.formula
    target = _per_language(DIFFICULT, "target", ctx).get(formula.lang)
    message = (
        f"{wording}: reading ease {readability.score:.0f} ({formula.name}, {formula.language})"
    )
    if target is not None:
        message += f"; aim for at least {target:g}: short sentences, everyday words"
    return ctx.finding(code, url, None, message, _hardest_sentences(readability, ctx))


def _hardest_sentences(readability: Readability, ctx: CheckContext) -> str:
    long_words = ctx.option(DIFFICULT, "long_sentence_words")
    long = sum(1 for s in readability.sentences if s.words > long_words)
    count = len(readability.sentences)
    intro = f"{long} of {count} sentences have more than {long_words} words. " if long else ""
    quotes = "; ".join(_quote(s) for s in readability.hardest(_HARDEST))
    return f"{intro}Hardest: {quotes}"


def _quote(sentence: Sentence) -> str:
    return f"“{_shortened(sentence.text, _QUOTE_CHARS)}” ({sentence.words} words)"


def _mismatch(
    page: Page, declared: Language, detected: Language, text: str, ctx: CheckContext
) -> Finding | None:
    written = page.doc.get("lang")
    said = f'<html lang="{written}">' if written else f"Content-Language: {page.fetch.lang}"
    message = (
        f"The page declares {declared.name} ({declared.code}), "
        f"but its text is {detected.name} ({detected.code})"
    )
    evidence = f"{said}; text: “{_shortened(text, _SNIPPET_CHARS)}”"
    return ctx.finding(MISMATCH, page.url, None, message, evidence)


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + " …"
