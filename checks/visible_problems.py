"""What a customer should never read on a page: error messages, stack traces, template
code, filler text, and NaN/undefined/null where a price or name should be; and the
wording of a page that says it does not exist. The pages family judges crawled pages with
it, the checkout check its step pages.

Phrases are data (checks/data/visible_problems.yml, not_found.yml), per language."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice

import lxml.html
from lxml import etree

from checks import DATA
from ground.html.text import is_visible
from ground.words import load_words

_QUOTES = "\"'“”„‘’‚«»‹›"
_TRAILING_MARKS = ".,;:!?)…\"'”’»"  # what may follow a phrase's last word in a text
_SENTENCE_END = re.compile(r"[.!?\n]")  # a line break ends a block, and so a sentence
_QUESTION_REACH = 100  # characters after a phrase in which a '?' makes it a question
_SNIPPET_REACH = 40  # characters of context either side of a problem, as evidence
_PARENT_CONTEXT = 60  # characters: a parent this short is read with its child ("€ <b>NaN")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4)  # a page's text is folded once for all its rules
def fold(text: str) -> str:
    """Lower case, with ’ as ': how phrases are compared."""
    return text.lower().replace("’", "'")


class ProblemKind(enum.StrEnum):
    ERROR_MESSAGE = "error message"
    STACK_TRACE = "stack trace"
    TEMPLATE_CODE = "template code"
    FILLER_TEXT = "filler text"
    MISSING_VALUE = "missing value"


NOT_FOUND_WORDING = "not found"  # a phrase kind beside the ProblemKinds


class _Phrases:
    """Phrases of several kinds and languages, found as whole words in whitespace-folded
    text, case ignored. A text's words are collected once (a set, built in C); only a
    phrase whose words are all among them is searched for. On a long page that is several
    times faster than one regex of all the phrases, or a search per phrase. The last
    results are kept, so rules asking about the same text look at it once."""

    def __init__(self, phrases: dict[str, Iterable[str]]):
        self._kinds = {" ".join(fold(p).split()): kind for kind, ps in phrases.items() for p in ps}
        self._words = {phrase: _phrase_words(phrase) for phrase in self._kinds}
        self.said = lru_cache(maxsize=2)(self._said)

    def _said(self, text: str) -> dict[str, tuple[int, int]]:
        """Kind -> where in `text` (as folded) a phrase of it is said, not asked or quoted."""
        folded = fold(text)
        words = set(folded.split())
        found: dict[str, tuple[int, int]] = {}
        for phrase, (leading, last) in self._words.items():
            kind = self._kinds[phrase]
            if kind in found or words.isdisjoint(last) or not words.issuperset(leading):
                continue
            if span := _first_statement(folded, phrase):
                found[kind] = span
        return found


def _phrase_words(phrase: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words a text must hold for `phrase` to be in it: all but the last as they are,
    the last perhaps with a punctuation mark after it."""
    *leading, last = phrase.split()
    return frozenset(leading), frozenset([last] + [last + mark for mark in _TRAILING_MARKS])


def _first_statement(folded: str, phrase: str) -> tuple[int, int] | None:
    start = folded.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if _whole_words(folded, start, end) and not _quoted_or_asked(folded, start, end):
            return start, end
        start = folded.find(phrase, start + 1)
    return None


def _whole_words(text: str, start: int, end: int) -> bool:
    return not (start and _is_word_char(text[start - 1])) and not (
        end < len(text) and _is_word_char(text[end])
    )


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _quoted_or_asked(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()
    if before and before[-1] in _QUOTES:
        return True
    sentence_end = _SENTENCE_END.search(text, end, end + _QUESTION_REACH)
    return sentence_end is not None and sentence_end.group() == "?"


def _patterns(patterns: Iterable[str]) -> re.Pattern[str]:
    """One alternation of non-capturing groups, each starting with plain text, so that `re`
    skips fast to the places where one of them can start (a capturing group around them
    would turn that off: several times slower on a long page)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _word(token: str) -> str:
    """A token as a regex, bounded where it starts or ends with a letter or digit."""
    pattern = re.escape(token)
    if token[0].isalnum():
        pattern = r"(?<![\w])" + pattern
    if token[-1].isalnum():
        pattern += r"(?![\w])"
    return pattern


_NOT_FOUND = load_words(DATA / "not_found.yml")
_VISIBLE = load_words(DATA / "visible_problems.yml")


def _all(by_language: dict[str, list[str]]) -> list[str]:
    return [phrase for phrases in by_language.values() for phrase in phrases]


PAGE_WORDING = _Phrases(
    {
        ProblemKind.ERROR_MESSAGE: _all(_VISIBLE["error_messages"]),
        ProblemKind.FILLER_TEXT: _all(_VISIBLE["filler_text"]),
        NOT_FOUND_WORDING: _all(_NOT_FOUND["page_phrases"]),
    }
)
HEADING_WORDING = _Phrases(
    {NOT_FOUND_WORDING: _all(_NOT_FOUND["page_phrases"]) + _all(_NOT_FOUND["heading_phrases"])}
)
NOT_FOUND_WHOLE = frozenset(fold(h) for h in _NOT_FOUND["whole_headings"])
_STACK_TRACE = _patterns(_all(_VISIBLE["stack_traces"]))
_TEMPLATE_CODE = _patterns(_VISIBLE["template_tags"])
_TEMPLATE_OPENERS = tuple(_VISIBLE["template_openers"])
MISSING_WORDS = tuple(_VISIBLE["missing_values"])
_MISSING = "|".join(_word(w) for w in MISSING_WORDS)
_CURRENCY = "|".join(_word(c) for c in _VISIBLE["currency_signs"])
_MISSING_PRICE = re.compile(rf"(?:{_CURRENCY})\s*(?:{_MISSING})|(?:{_MISSING})\s*(?:{_CURRENCY})")
_VALUE_ELEMENT = re.compile("|".join(map(re.escape, _VISIBLE["value_element_words"])), re.I)


@dataclass(frozen=True, slots=True)
class VisibleProblem:
    kind: ProblemKind
    snippet: str  # the offending text with a little context
    element: lxml.html.HtmlElement | None = None  # where it shows: for missing values


def visible_problems(
    doc: lxml.html.HtmlElement, text: str, kinds: Collection[ProblemKind] = tuple(ProblemKind)
) -> list[VisibleProblem]:
    """What a customer should never read on a page: the first error message, stack trace,
    piece of template code and filler text in `text` (the page's visible text, see
    Page.visible_text), and every element of `doc` showing NaN/undefined/null as a price
    or name; of the `kinds` asked for only (a rule that is off costs nothing). An error
    phrase in a question or in quotes is help text, not an error."""
    problems = [
        VisibleProblem(kind, snippet(text, *span))
        for kind, find in _IN_TEXT.items()
        if kind in kinds and (span := find(text)) is not None
    ]
    if ProblemKind.MISSING_VALUE in kinds:
        shown = tuple(word for word in MISSING_WORDS if word in text)
        problems.extend(_missing_values(doc, shown) if shown else ())
    return problems


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return match.span() if match else None


def _template_code(text: str) -> tuple[int, int] | None:
    """Where template code shows; a scan for its openers first, several times faster than
    the patterns on the text of a page that has none."""
    if not any(opener in text for opener in _TEMPLATE_OPENERS):
        return None
    return _span(_TEMPLATE_CODE.search(text))


# the problems read from the text alone, in the order they are reported: where each shows
_IN_TEXT: dict[ProblemKind, Callable[[str], tuple[int, int] | None]] = {
    ProblemKind.ERROR_MESSAGE: lambda text: PAGE_WORDING.said(text).get(ProblemKind.ERROR_MESSAGE),
    ProblemKind.STACK_TRACE: lambda text: _span(_STACK_TRACE.search(text)),
    ProblemKind.TEMPLATE_CODE: _template_code,
    ProblemKind.FILLER_TEXT: lambda text: PAGE_WORDING.said(text).get(ProblemKind.FILLER_TEXT),
}


@lru_cache(maxsize=32)
def _missing_candidates(words: tuple[str, ...]) -> etree.XPath:
    """The elements in the <body> with one of `words` in their own text; the regexes above
    decide. Only the words the page's visible text shows are asked for (one hidden from
    view shows in no finding): each contains() copies every text node of the page, and a
    page of C API documentation says NULL, not NaN or undefined. Text nodes first, then
    their elements: twice as fast as asking each element for its text nodes."""
    test = " or ".join(f'contains(., "{w}")' for w in words)
    return etree.XPath(f"/descendant::text()[{test}]/parent::*[ancestor::body]")


def _missing_values(doc: lxml.html.HtmlElement, words: tuple[str, ...]) -> Iterator[VisibleProblem]:
    """Elements showing a placeholder (of `words`) next to a currency sign (in their own
    text, or in a short parent's: "€ <b>NaN</b>"), or as the whole text of a price or
    name. The evidence is the element's markup."""
    for el in _missing_candidates(words)(doc):
        content = squeeze(el.text_content())
        if _MISSING_PRICE.search(content) or (content in MISSING_WORDS and _holds_a_value(el)):
            if is_visible(el):
                yield VisibleProblem(ProblemKind.MISSING_VALUE, _markup(el), el)
            continue
        parent = el.getparent()
        around = _short_text(parent) if parent is not None else None
        if around and _MISSING_PRICE.search(around) and is_visible(el):
            yield VisibleProblem(ProblemKind.MISSING_VALUE, _markup(parent), el)


def _short_text(el: lxml.html.HtmlElement) -> str | None:
    """The text of `el`, whitespace folded, when it is _PARENT_CONTEXT characters at most;
    a long text (a whole article around a "null") is not folded only to be dropped."""
    raw = el.text_content()
    if len(raw) > 8 * _PARENT_CONTEXT:
        return None
    text = squeeze(raw)
    return text if len(text) <= _PARENT_CONTEXT else None


def _markup(el: lxml.html.HtmlElement) -> str:
    return squeeze(lxml.html.tostring(el, encoding="unicode", with_tail=False))


def _holds_a_value(el: lxml.html.HtmlElement) -> bool:
    """A heading, or an element (or one of its two parents) named for a price or name."""
    for box in islice(chain([el], el.iterancestors()), 3):
        if box.tag in _HEADINGS:
            return True
        names = " ".join(filter(None, (box.get("class"), box.get("id"), box.get("itemprop"))))
        if names and _VALUE_ELEMENT.search(names):
            return True
    return False


def snippet(text: str, start: int, end: int) -> str:
    """The text around [start:end] (positions in `text` or, if folding changed its
    length, in the folded text)."""
    if len(fold(text)) != len(text):
        text = fold(text)
    head = max(0, start - _SNIPPET_REACH)
    tail = min(len(text), end + _SNIPPET_REACH)
    return ("…" if head else "") + text[head:tail].strip() + ("…" if tail < len(text) else "")


def squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()
