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

from checks.context import CheckContext, shortened
from checks.main_language import DIFFICULT, main_text
from checks.page import Page
from checks.readability import Readability, Sentence, score
from checks.registry import REGISTRY
from checks.text_language import Language, language_of_tag
from checks.url_patterns import first_match
from ground.model import Finding

VERY_DIFFICULT = "LNG002"
MISMATCH = "LNG003"

_HARDEST = 3  # sentences quoted as evidence
_QUOTE_CHARS = 110  # of each quoted sentence
_SNIPPET_CHARS = 90  # of the text quoted for a language mismatch


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if not any(ctx.enabled(code) for code in (DIFFICULT, VERY_DIFFICULT, MISMATCH)):
        return
    main = main_text(page, ctx)
    if main is None:
        return  # too short to judge its language or its reading ease
    blocks, text, detected = main.blocks, main.text, main.detected
    min_words = ctx.option(DIFFICULT, "min_words")
    declared = language_of_tag(page.fetch.lang)
    if declared and detected and declared != detected:
        yield _mismatch(page, declared, detected, text, ctx)
    if not (ctx.enabled(DIFFICULT) or ctx.enabled(VERY_DIFFICULT)):
        return  # the reading ease would be judged by no rule
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
    return {**REGISTRY[code].options[option].default, **ctx.option(code, option)}


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
    return f"“{shortened(sentence.text, _QUOTE_CHARS)}” ({sentence.words} words)"


def _mismatch(
    page: Page, declared: Language, detected: Language, text: str, ctx: CheckContext
) -> Finding | None:
    written = page.doc.get("lang")
    said = f'<html lang="{written}">' if written else f"Content-Language: {page.fetch.lang}"
    message = (
        f"The page declares {declared.name} ({declared.code}), "
        f"but its text is {detected.name} ({detected.code})"
    )
    evidence = f"{said}; text: “{shortened(text, _SNIPPET_CHARS)}”"
    return ctx.finding(MISMATCH, page.url, None, message, evidence)
