"""Pages: pages that are missing or only pretend to exist, pages the server fails on, pages
no customer can reach, and text a customer should never see.

Visible problems (error messages, stack traces, template code, filler text, NaN prices)
are judged on each page's tree as it is crawled, by `visible_problems`, which the checkout
check runs on its steps too. The rest is judged after the crawl, on the store: the sitemap,
the answer to the not-found probe (how the site answers a missing page), and the link graph.
Soft 404s are seen both ways: by their wording while crawling, and after the crawl by
looking like the site's own not-found page.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice

import lxml.html
from lxml import etree

from checks.context import CheckContext
from checks.main_text import main_blocks
from checks.page import Page, is_visible
from checks.rules import Rule, register
from checks.site import SiteView, chain_text
from checks.words import load_words
from shoplint.model import Fetch, Finding, Outcome, RefKind, SitemapEntry
from shoplint.model import Severity as S
from shoplint.urls import NOT_FOUND_PROBE, resolve

SITEMAP_MISSING = "PAG001"
SITEMAP_REDIRECT = "PAG002"
ORPHAN = "PAG003"
SOFT_404 = "PAG004"
NO_REAL_404 = "PAG005"
SERVER_ERROR = "PAG006"
ERROR_MESSAGE = "PAG007"
STACK_TRACE = "PAG008"
TEMPLATE_CODE = "PAG009"
FILLER_TEXT = "PAG010"
MISSING_VALUE = "PAG011"

RULES = register(
    Rule(
        SITEMAP_MISSING,
        "pages",
        "sitemap-lists-missing-page",
        S.ERROR,
        "content",
        "The sitemap lists an address that does not work (4xx, 5xx, or a redirect to one)",
        "The sitemap is the list of pages the shop asks search engines to show. This address "
        "is on it, but opening it gives 'not found', 'gone', a server error, or redirects to "
        "such a page or in a loop. Search engines keep sending customers to it, and they land "
        "on an error page. If the page is gone for good, take it out of the sitemap (and "
        "redirect it to its successor); if it should exist, put it back online.",
    ),
    Rule(
        SITEMAP_REDIRECT,
        "pages",
        "sitemap-lists-redirect",
        S.WARNING,
        "content",
        "The sitemap lists an address that redirects to another page",
        "The sitemap should list every page under its own, current address. This address "
        "redirects elsewhere (a renamed product, a moved page), so search engines keep the old "
        "address and reach the page one detour later, and may show the old one in results. "
        "Replace the address in the sitemap with the one it redirects to; most shops rebuild "
        "the sitemap from the catalogue, so check why the old address is still produced.",
    ),
    Rule(
        ORPHAN,
        "pages",
        "orphan-page",
        S.INFO,
        "content",
        "A page in the sitemap that no page of the shop links to",
        "The page is listed in the sitemap, but no page of the shop links to it: a customer "
        "browsing the shop can never get there, only through a search engine or an old "
        "bookmark. Often it is a page that was meant to be taken down, or a new page someone "
        "forgot to link from a menu or category. Link it from where customers would look for "
        "it, or take it offline and out of the sitemap.",
    ),
    Rule(
        SOFT_404,
        "pages",
        "soft-404",
        S.WARNING,
        "content",
        "A page that answers 200 OK but says it does not exist (a 'soft 404')",
        "The page tells visitors it does not exist ('Pagina niet gevonden', 'page not found'), "
        "or looks exactly like the shop's not-found page, while the server reports it as a "
        "normal, working page. Customers who follow a link or a search result land on a dead "
        "end, and link checks and search engines cannot see that it is missing, so the links "
        "to it are never fixed. Remove the page properly (so it answers 404 or 410, or "
        "redirects to a page that replaces it) and update the links that lead to it.",
        options={"max_main_words": 150},  # main text longer than this is a real page
    ),
    Rule(
        NO_REAL_404,
        "pages",
        "missing-pages-not-404",
        S.WARNING,
        "it",
        "The site answers an address that does not exist with something other than 404",
        "shoplint asked the site for an address that cannot exist. The site did not answer "
        "'404 Not Found' but showed a normal page (200 OK), redirected to another page, or "
        "failed with a server error. Then every removed page and every mistyped link looks "
        "like a working page to browsers, search engines and link checkers: broken links go "
        "unnoticed and search engines fill up with copies of the error page. Configure the "
        "shop to answer unknown addresses with status 404 (the page may stay as friendly as "
        "it is).",
    ),
    Rule(
        SERVER_ERROR,
        "pages",
        "server-error-page",
        S.ERROR,
        "it",
        "A page of the shop that answers a server error (5xx)",
        "The server fails when this page is opened: it answers a server error (500 and up), "
        "so customers see an error page instead of the product or information. The page "
        "itself may be fine; something behind it (a database, a plug-in, a feed) is broken. "
        "This is for the IT team: open the address, look in the server's error log for it, "
        "and fix the cause.",
    ),
    Rule(
        ERROR_MESSAGE,
        "pages",
        "visible-error-message",
        S.ERROR,
        "it",
        "An error message on a working page ('Er is iets misgegaan', 'Something went wrong')",
        "Part of the page failed and says so to the customer: a recommendation block, a "
        "price feed, a review widget or a payment list shows 'Er is iets misgegaan' or a "
        "similar error instead of its content. The rest of the page works, so nobody notices "
        "from the server's point of view, but customers lose trust and may not find what they "
        "came for. This is for the IT team: find the failing part of the page and fix it, or "
        "hide it when it fails.",
    ),
    Rule(
        STACK_TRACE,
        "pages",
        "visible-stack-trace",
        S.ERROR,
        "it",
        "A program's stack trace shown on the page",
        "The page shows the technical report of a program crash (a 'stack trace' from "
        "Python, Java, PHP, .NET or JavaScript), with file names and line numbers. Customers "
        "see gibberish where content should be, and attackers learn how the shop is built. "
        "This is for the IT team: fix the error, and configure the shop to log such reports "
        "instead of showing them.",
    ),
    Rule(
        TEMPLATE_CODE,
        "pages",
        "unrendered-template-code",
        S.ERROR,
        "content",
        "Template code shown on the page ({{ ... }}, {% ... %}, ${...})",
        "The page shows template code such as '{{ product.naam }}' where a product name, a "
        "price or a sentence should be. It usually comes from a text pasted into the shop's "
        "editor with a placeholder the editor does not fill in, or from a template with a "
        "typing error. Customers see the raw code and the page looks broken. Replace the "
        "placeholder with the real text; if it is in a template, ask IT to fix it.",
    ),
    Rule(
        FILLER_TEXT,
        "pages",
        "filler-text",
        S.ERROR,
        "content",
        "Filler text on the page ('Lorem ipsum', 'tekst volgt')",
        "The page still contains the dummy text that stood in while it was being designed "
        "('Lorem ipsum dolor sit amet', 'Hier komt de tekst'). Customers read nonsense where "
        "a description should be, and the shop looks unfinished. Write the real text, or "
        "take the page offline until it is ready.",
    ),
    Rule(
        MISSING_VALUE,
        "pages",
        "missing-value",
        S.ERROR,
        "it",
        "'NaN', 'undefined' or 'null' shown where a price or name should be",
        "Where the page should show a price or a product name it shows 'NaN', 'undefined' or "
        "'null': the words programs use for a value they do not have. Customers cannot see "
        "what the product costs (and will not buy it), and the shop looks broken. It usually "
        "means a product's price or name is missing in the data the page is built from, or a "
        "script that formats prices fails. This is for the IT team; check the product's data "
        "in the shop too.",
    ),
)

_QUOTES = "\"'“”„‘’‚«»‹›"
_TRAILING_MARKS = ".,;:!?)…\"'”’»"  # what may follow a phrase's last word in a text
_SENTENCE_END = re.compile(r"[.!?\n]")  # a line break ends a block, and so a sentence
_QUESTION_REACH = 100  # characters after a phrase in which a '?' makes it a question
_SNIPPET_REACH = 40  # characters of context either side of a problem, as evidence
_CARD_DEPTH = 5  # elements up from a placeholder in which to look for its listing card
_PARENT_CONTEXT = 60  # characters: a parent this short is read with its child ("€ <b>NaN")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CARD_TAGS = frozenset({"li", "article", "tr"})  # a card even when it is the only one
_LINK_KINDS = frozenset({RefKind.A, RefKind.AREA, RefKind.META_REFRESH})  # what a visitor follows
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4)  # a page's text is folded once for all its rules
def _fold(text: str) -> str:
    """Lower case, with ’ as ': how phrases are compared."""
    return text.lower().replace("’", "'")


class ProblemKind(enum.StrEnum):
    ERROR_MESSAGE = "error message"
    STACK_TRACE = "stack trace"
    TEMPLATE_CODE = "template code"
    FILLER_TEXT = "filler text"
    MISSING_VALUE = "missing value"


_NOT_FOUND_WORDING = "not found"  # a phrase kind beside the ProblemKinds


class _Phrases:
    """Phrases of several kinds and languages, found as whole words in whitespace-folded
    text, case ignored. A text's words are collected once (a set, built in C); only a
    phrase whose words are all among them is searched for. On a long page that is several
    times faster than one regex of all the phrases, or a search per phrase. The last
    results are kept, so rules asking about the same text look at it once."""

    def __init__(self, phrases: dict[str, Iterable[str]]):
        self._kinds = {" ".join(_fold(p).split()): kind for kind, ps in phrases.items() for p in ps}
        self._words = {phrase: _phrase_words(phrase) for phrase in self._kinds}
        self.said = lru_cache(maxsize=2)(self._said)

    def _said(self, text: str) -> dict[str, tuple[int, int]]:
        """Kind -> where in `text` (as folded) a phrase of it is said, not asked or quoted."""
        folded = _fold(text)
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


_NOT_FOUND = load_words("not_found")
_VISIBLE = load_words("visible_problems")


def _all(by_language: dict[str, list[str]]) -> list[str]:
    return [phrase for phrases in by_language.values() for phrase in phrases]


_PAGE_WORDING = _Phrases(
    {
        ProblemKind.ERROR_MESSAGE: _all(_VISIBLE["error_messages"]),
        ProblemKind.FILLER_TEXT: _all(_VISIBLE["filler_text"]),
        _NOT_FOUND_WORDING: _all(_NOT_FOUND["page_phrases"]),
    }
)
_HEADING_WORDING = _Phrases(
    {_NOT_FOUND_WORDING: _all(_NOT_FOUND["page_phrases"]) + _all(_NOT_FOUND["heading_phrases"])}
)
_NOT_FOUND_WHOLE = frozenset(_fold(h) for h in _NOT_FOUND["whole_headings"])
_STACK_TRACE = _patterns(_all(_VISIBLE["stack_traces"]))
_TEMPLATE_CODE = _patterns(_VISIBLE["template_tags"])
_TEMPLATE_OPENERS = tuple(_VISIBLE["template_openers"])
_MISSING_WORDS = tuple(_VISIBLE["missing_values"])
_MISSING = "|".join(_word(w) for w in _MISSING_WORDS)
_CURRENCY = "|".join(_word(c) for c in _VISIBLE["currency_signs"])
_MISSING_PRICE = re.compile(rf"(?:{_CURRENCY})\s*(?:{_MISSING})|(?:{_MISSING})\s*(?:{_CURRENCY})")
_VALUE_ELEMENT = re.compile("|".join(map(re.escape, _VISIBLE["value_element_words"])), re.I)
# elements with a placeholder word in their own text; the regexes above decide
_MISSING_CANDIDATES = etree.XPath(
    "//body//*[text()[{}]]".format(" or ".join(f'contains(., "{w}")' for w in _MISSING_WORDS))
)


# -- visible problems (page rule, and the checkout's steps) ----------------------------------


@dataclass(frozen=True, slots=True)
class VisibleProblem:
    kind: ProblemKind
    snippet: str  # the offending text with a little context
    element: lxml.html.HtmlElement | None = None  # where it shows: for missing values


def visible_problems(doc: lxml.html.HtmlElement, text: str) -> list[VisibleProblem]:
    """What a customer should never read on a page: the first error message, stack trace,
    piece of template code and filler text in `text` (the page's visible text, see
    Page.visible_text), and every element of `doc` showing NaN/undefined/null as a price
    or name. An error phrase in a question or in quotes is help text, not an error."""
    said = _PAGE_WORDING.said(text)
    problems = [
        VisibleProblem(kind, _snippet(text, *span))
        for kind, span in (
            (ProblemKind.ERROR_MESSAGE, said.get(ProblemKind.ERROR_MESSAGE)),
            (ProblemKind.STACK_TRACE, _span(_STACK_TRACE.search(text))),
            (ProblemKind.TEMPLATE_CODE, _template_code(text)),
            (ProblemKind.FILLER_TEXT, said.get(ProblemKind.FILLER_TEXT)),
        )
        if span is not None
    ]
    if any(word in text for word in _MISSING_WORDS):
        problems.extend(_missing_values(doc))
    return problems


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return match.span() if match else None


def _template_code(text: str) -> tuple[int, int] | None:
    """Where template code shows; a scan for its openers first, several times faster than
    the patterns on the text of a page that has none."""
    if not any(opener in text for opener in _TEMPLATE_OPENERS):
        return None
    return _span(_TEMPLATE_CODE.search(text))


def _missing_values(doc: lxml.html.HtmlElement) -> Iterator[VisibleProblem]:
    """Elements showing a placeholder next to a currency sign (in their own text, or in a
    short parent's: "€ <b>NaN</b>"), or as the whole text of a price or name. The
    evidence is the element's markup."""
    for el in _MISSING_CANDIDATES(doc):
        if not is_visible(el):
            continue
        content = _squeeze(el.text_content())
        if _MISSING_PRICE.search(content) or (content in _MISSING_WORDS and _holds_a_value(el)):
            yield VisibleProblem(ProblemKind.MISSING_VALUE, _markup(el), el)
            continue
        parent = el.getparent()
        around = _squeeze(parent.text_content()) if parent is not None else ""
        if parent is not None and len(around) <= _PARENT_CONTEXT and _MISSING_PRICE.search(around):
            yield VisibleProblem(ProblemKind.MISSING_VALUE, _markup(parent), el)


def _markup(el: lxml.html.HtmlElement) -> str:
    return _squeeze(lxml.html.tostring(el, encoding="unicode", with_tail=False))


def _holds_a_value(el: lxml.html.HtmlElement) -> bool:
    """A heading, or an element (or one of its two parents) named for a price or name."""
    for box in islice(chain([el], el.iterancestors()), 3):
        if box.tag in _HEADINGS:
            return True
        names = " ".join(filter(None, (box.get("class"), box.get("id"), box.get("itemprop"))))
        if names and _VALUE_ELEMENT.search(names):
            return True
    return False


def _snippet(text: str, start: int, end: int) -> str:
    """The text around [start:end] (positions in `text` or, if folding changed its
    length, in the folded text)."""
    if len(_fold(text)) != len(text):
        text = _fold(text)
    head = max(0, start - _SNIPPET_REACH)
    tail = min(len(text), end + _SNIPPET_REACH)
    return ("…" if head else "") + text[head:tail].strip() + ("…" if tail < len(text) else "")


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


_KIND_CODES = {
    ProblemKind.ERROR_MESSAGE: (ERROR_MESSAGE, "Error message shown on the page"),
    ProblemKind.STACK_TRACE: (STACK_TRACE, "Stack trace shown on the page"),
    ProblemKind.TEMPLATE_CODE: (TEMPLATE_CODE, "Unrendered template code shown on the page"),
    ProblemKind.FILLER_TEXT: (FILLER_TEXT, "Filler text ('Lorem ipsum') on the page"),
    ProblemKind.MISSING_VALUE: (MISSING_VALUE, "'{}' shown where a price or name should be"),
}


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    """Soft 404 wording and visible problems; one finding per (rule, page), and for
    placeholders in a listing, one per product card (its link is the target)."""
    if page.url == ctx.site_origin + NOT_FOUND_PROBE:
        return  # the site's not-found page, fetched on purpose: judged by the site rule
    if ctx.enabled(SOFT_404) and (wording := _not_found_wording(page, ctx)):
        yield ctx.finding(SOFT_404, page.url, None, "Page says it does not exist", wording)
    if not any(ctx.enabled(code) for code, _ in _KIND_CODES.values()):
        return
    reported: set[tuple[str, str | None]] = set()
    for problem in visible_problems(page.doc, page.visible_text):
        code, message = _KIND_CODES[problem.kind]
        target = _card_target(problem.element, page) if problem.element is not None else None
        if (code, target) not in reported:
            reported.add((code, target))
            if problem.kind is ProblemKind.MISSING_VALUE:
                message = message.format(_placeholder(problem.element))
            yield ctx.finding(code, page.url, target, message, problem.snippet)


def _placeholder(el: lxml.html.HtmlElement | None) -> str:
    text = el.text_content() if el is not None else ""
    return next((word for word in _MISSING_WORDS if word in text), "")


def _card_target(el: lxml.html.HtmlElement, page: Page) -> str | None:
    """The address of the listing card `el` is in (a product tile in a grid or list):
    the nearest list item, article or element repeated among its siblings around it that
    links to one address. None outside a card, as on the product's own page."""
    for box in islice(chain([el], el.iterancestors()), _CARD_DEPTH):
        parent = box.getparent()
        if parent is None:
            return None
        hrefs = {a.get("href").strip() for a in box.iter("a") if a.get("href")}
        if len(hrefs) > 1:
            return None
        if hrefs and (box.tag in _CARD_TAGS or _repeats(box, parent)):
            href = hrefs.pop()
            resolved = {ref.raw.strip(): ref.url for ref in page.refs if ref.kind is RefKind.A}
            return resolved.get(href) or resolve(page.url, href)
    return None


def _repeats(box: lxml.html.HtmlElement, parent: lxml.html.HtmlElement) -> bool:
    alike = (s for s in parent if s.tag == box.tag and s.get("class") == box.get("class"))
    return next(islice(alike, 1, None), None) is not None


def _not_found_wording(page: Page, ctx: CheckContext) -> str | None:
    """Where the page says it does not exist: its title, first heading, or the main text
    of a short page (each block on its own, so a heading never runs into a question
    after it). None when it does not."""
    for label, value in (("title", page.fetch.title), ("heading", page.fetch.heading)):
        if value and _says_not_found(value):
            return f"{label}: {value}"
    if _NOT_FOUND_WORDING not in _PAGE_WORDING.said(page.visible_text):
        return None  # the usual case, decided without finding the main content
    blocks = main_blocks(page.doc)
    if sum(len(block.split()) for block in blocks) > ctx.option(SOFT_404, "max_main_words"):
        return None
    for block in blocks:
        if span := _PAGE_WORDING.said(block).get(_NOT_FOUND_WORDING):
            return f"main text: {_snippet(block, *span)}"
    return None


def _says_not_found(heading: str) -> bool:
    if _fold(heading).strip(" !.?:-–—") in _NOT_FOUND_WHOLE:
        return True
    return _NOT_FOUND_WORDING in _HEADING_WORDING.said(heading)


# -- after the crawl (site rules) ------------------------------------------------------------


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    probe = ctx.site_origin + NOT_FOUND_PROBE
    entries = list(site.sitemap_entries())
    yield from _sitemap_problems(site, entries, ctx)
    yield from _not_found_handling(site, probe, ctx)
    yield from _unreachable_and_failing(site, entries, probe, ctx)


def _sitemap_problems(
    site: SiteView, entries: list[SitemapEntry], ctx: CheckContext
) -> Iterator[Finding | None]:
    """Sitemap addresses that do not answer with a page: missing, failing or redirecting.
    Addresses not fetched (off the site, beyond the crawl's limits), disallowed by
    robots.txt or failing to connect are left to other rules."""
    for entry in entries:
        hops = site.chain(entry.url)
        if not hops or hops[0].outcome is not Outcome.RESPONSE:
            continue
        end = hops[-1]
        evidence = chain_text(hops, ctx.site_origin)
        if len(hops) == 1:
            if end.status and end.status >= 400:
                message = f"Sitemap lists {_missing(end.status)}"
                yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
            continue
        if end.redirect_to is not None and end.redirect_to in {hop.url for hop in hops}:
            message = "Sitemap lists an address that redirects in a loop"
            yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
        elif end.outcome is not Outcome.RESPONSE:
            continue  # a redirect to an address that could not be fetched: left to others
        elif end.status and end.status >= 400:
            message = f"Sitemap lists an address that redirects to {_missing(end.status)}"
            yield ctx.finding(SITEMAP_MISSING, entry.sitemap, entry.url, message, evidence)
        else:
            message = "Sitemap lists an address that redirects to another page"
            yield ctx.finding(SITEMAP_REDIRECT, entry.sitemap, entry.url, message, evidence)


def _missing(status: int) -> str:
    if status == 404:
        return "a page that does not exist (404)"
    if status == 410:
        return "a page that was removed (410 Gone)"
    if status >= 500:
        return f"a page that answers a server error ({status})"
    return f"a page that cannot be opened ({status})"


def _not_found_handling(site: SiteView, probe: str, ctx: CheckContext) -> Iterator[Finding | None]:
    """How the site answered the probe (an address that cannot exist): anything but a
    4xx is one finding; its own not-found page, answered in place, is what soft 404s
    look like."""
    hops = site.chain(probe)
    if not hops or hops[0].outcome is not Outcome.RESPONSE:
        return
    end = hops[-1]
    status = end.status or 0
    if end.outcome is Outcome.RESPONSE and end.redirect_to is None and not 400 <= status < 500:
        if len(hops) > 1:
            where = end.url.removeprefix(ctx.site_origin)
            message = f"Missing pages redirect to {where} instead of answering 404 Not Found"
        elif status >= 500:
            message = f"Missing pages answer a server error ({status}) instead of 404 Not Found"
        else:
            message = f"Missing pages answer {status} instead of 404 Not Found"
        evidence = chain_text(hops, ctx.site_origin) + _title_of(end)
        yield ctx.finding(NO_REAL_404, probe, None, message, evidence)
    if len(hops) == 1:
        yield from _look_alikes(site, hops[0], ctx)


def _title_of(fetch: Fetch) -> str:
    parts = [p for p in (fetch.title, fetch.heading) if p]
    return f" | {' / '.join(parts)}" if parts else ""


def _look_alikes(site: SiteView, not_found: Fetch, ctx: CheckContext) -> Iterator[Finding | None]:
    """Pages answering 200 with the title and heading of the site's not-found page. A
    not-found page without a heading, or one that looks like the home page (a site that
    answers every address with its home page), tells nothing apart."""
    look = _looks(not_found)
    if look is None or not ctx.enabled(SOFT_404):
        return
    home = site.chain(site.start_url)
    if home and _looks(home[-1]) == look:
        return
    worded = {f.url for f in site.store.findings(site.run_id) if f.code == SOFT_404}
    evidence = f"the same title and heading as the site's not-found page{_title_of(not_found)}"
    for fetch in site.fetches.values():
        if (
            fetch.is_page
            and fetch.status == 200
            and fetch.url != not_found.url
            and fetch.url not in worded  # reported while crawling, from its wording
            and _looks(fetch) == look
        ):
            message = "Page looks like the site's not-found page but answers 200 OK"
            yield ctx.finding(SOFT_404, fetch.url, None, message, evidence)


def _looks(fetch: Fetch) -> tuple[str, str] | None:
    if not fetch.heading:
        return None
    return _squeeze(fetch.title or "").casefold(), _squeeze(fetch.heading).casefold()


def _unreachable_and_failing(
    site: SiteView, entries: list[SitemapEntry], probe: str, ctx: CheckContext
) -> Iterator[Finding | None]:
    """Pages that answer a server error, and sitemap pages no page links to. One pass over
    the references serves both: which failing addresses are only images, stylesheets or
    scripts (other rules report those), and which sitemap pages are linked."""
    fetches = site.fetches
    failing = {
        url: fetch
        for url, fetch in fetches.items()
        if fetch.status and fetch.status >= 500 and url != probe
    }
    listed = {  # candidate orphans: sitemap addresses answering with a page
        entry.url: entry.sitemap
        for entry in entries
        if (fetch := fetches.get(entry.url)) is not None
        and fetch.is_page
        and fetch.status == 200
        and entry.url not in (site.start_url, probe)
    }
    landing = _landing_pages(site, listed) if listed and ctx.enabled(ORPHAN) else {}
    if not failing and not landing:
        return
    linked: set[str] = set()
    as_page: set[str] = set()
    as_resource: set[str] = set()
    referrer: dict[str, str] = {}
    # the failing addresses need every kind of reference; the orphans only links
    for ref in site.references(None if failing else _LINK_KINDS):
        target = ref.target
        if target is None:
            continue
        if target in failing and ref.kind.navigable:
            as_page.add(target)
            referrer.setdefault(target, ref.source)
        elif target in failing:
            as_resource.add(target)
        if ref.kind in _LINK_KINDS and (page := landing.get(target)) and page != ref.source:
            linked.add(page)
    for url, fetch in failing.items():
        if url in as_resource and url not in as_page:
            continue
        where = referrer.get(url)
        evidence = f"HTTP {fetch.status}" + (
            f"; linked from {where.removeprefix(ctx.site_origin)}" if where else ""
        )
        message = f"Page answers a server error ({fetch.status})"
        yield ctx.finding(SERVER_ERROR, url, None, message, evidence)
    for url in sorted(listed.keys() & landing.keys()):
        if url not in linked:
            sitemap = listed[url].removeprefix(ctx.site_origin)
            evidence = f"listed in {sitemap}; no crawled page links to it"
            yield ctx.finding(ORPHAN, url, None, "Page that no page links to", evidence)


def _landing_pages(site: SiteView, listed: dict[str, str]) -> dict[str, str]:
    """Address -> the listed page a link to it lands on: the page itself, and every
    address that redirects to it."""
    landing = {url: url for url in listed}
    for fetch in site.fetches.values():
        if fetch.redirect_to is not None and fetch.url not in landing:
            end = site.chain(fetch.url)[-1].url
            if end in listed:
                landing[fetch.url] = end
    return landing
