"""The language family's rules (checks/language.py): texts too hard for customers to read,
and pages whose declared language is not the language their text is written in."""

from __future__ import annotations

from checks.catalogue.language_options import (
    ScoreByUrl,
    Scores,
    Selectors,
    Words,
    bands,
    check_options,
)
from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="LNG001",
        family="language",
        name="difficult-text",
        severity=S.WARNING,
        team="content",
        summary=(
            "The page's text is difficult to read (reading ease below 45 for Dutch, 50 for English)"
        ),
        explanation=(
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
            "they apply to LNG002 and LNG003 too."
        ),
        options={
            "below": Option(
                default=bands("warning_below"),
                type=Scores,
                doc="language -> the reading ease below which a text is difficult",
            ),
            "below_by_url": Option(
                default={}, type=ScoreByUrl, doc="URL glob -> score, or {language: score}"
            ),
            "target": Option(
                default=bands("target"),
                type=Scores,
                doc="language -> the score the message says to aim for",
            ),
            "min_words": Option(default=50, type=Words, doc="shorter texts are not scored"),
            "max_words": Option(
                default=500, type=Words, doc="a longer text is judged on its first 500 words"
            ),
            "long_sentence_words": Option(
                default=25, type=Words, doc="longer sentences are counted in the evidence"
            ),
            "content_selectors": Option(
                default={}, type=Selectors, doc="URL glob -> CSS selectors of the main text"
            ),
            "default_lang": Option(
                default=None, type=str | None, doc='for pages that declare no language: "nl"'
            ),
        },
        check_options=check_options,
    ),
    Rule(
        code="LNG002",
        family="language",
        name="very-difficult-text",
        severity=S.ERROR,
        team="content",
        summary="The page's text is very difficult to read (reading ease below 30)",
        explanation=(
            "The main text of this page scores below 30 on reading ease: very difficult, the "
            "level of legal and academic writing. Most customers give up on it, and those who "
            "need it most (older customers, customers who read Dutch as a second language, "
            "customers with dyslexia) cannot use it at all. Questions and complaints follow. "
            "Rewrite it rather than edit it: one message per sentence, 15 words or fewer, "
            "everyday words instead of formal ones ('daarom' for 'derhalve', 'als' for "
            "'indien'), verbs instead of nouns ('we bezorgen' for 'de bezorging vindt plaats'). "
            "Legal texts can be plain too: a short summary above the full text helps. The "
            "evidence quotes the hardest sentences. The bands per language and per kind of page "
            "are options (below, below_by_url); the other options are LNG001's."
        ),
        options={
            "below": Option(
                default=bands("error_below"),
                type=Scores,
                doc="language -> the reading ease below which a text is very difficult",
            ),
            "below_by_url": Option(
                default={}, type=ScoreByUrl, doc="URL glob -> score, or {language: score}"
            ),
        },
    ),
    Rule(
        code="LNG003",
        family="language",
        name="language-mismatch",
        severity=S.INFO,
        team="it",
        summary="The page declares one language, and its text is written in another",
        explanation=(
            "The page says it is in one language (<html lang>, or the Content-Language header) "
            "while its text is written in another: typically a shop template that says "
            'lang="en" above Dutch product texts. Screen readers then read the Dutch text '
            "aloud with English pronunciation, which is hard to follow; browsers offer to "
            "translate the page, spell checkers and hyphenation go wrong, and search engines may "
            "show the page to the wrong audience. This is for the team that maintains the shop's "
            'templates: set the lang attribute to the language of the text (lang="nl"). The '
            "text itself is fine, and is scored in the language it is written in."
        ),
    ),
)
