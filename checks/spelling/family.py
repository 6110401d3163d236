"""The spelling family: slips in the team's own text, judged against the whole site.

Each page is read where the page rules run (reading.py): its repeated words are reported
there (SPL002), and the words its dictionaries reject go to the store as a site fact. After
the crawl the site rule judges them: a word that stands in many of the site's texts is
likely the shop's own (a slip is rare), and only a word that could still be reported is
searched for a known word one slip away (judge.py): the search is most of spelling's cost.
A finding's target is the page's address with a text fragment (`#:~:text=verzendig`): a
browser opens the page at the word, and the reports group the pages that have the same word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from checks.context import CheckContext, shortened
from checks.page import Page
from checks.rendered_only import noted
from checks.site import SiteView
from checks.spelling.judge import Asked, Verdict, verdict, verdicts
from checks.spelling.reading import Unknown, from_fact, page_words, rejected
from ground.model import Finding
from store import SpellingCache

MISSPELLING = "SPL001"
REPEATED = "SPL002"
IN_TEMPLATE = "SPL003"
UNUSED = "SPL004"

_FREQUENT = 3  # texts of the site a word stands in: so many, and it is likely the shop's own
_SUGGESTIONS = 3  # named in a message
_LISTED_CHARS = 300  # of the unused words, in the evidence
# words that are right twice in a row ("ik weet dat dat klopt", "that that is", "had had")
_DOUBLES_OK = {
    "nl": frozenset({"dat", "die", "je", "heel", "zeer", "erg", "ja", "nee", "hoe"}),
    "en": frozenset({"that", "had", "is", "very", "so", "no", "yes", "bye", "do"}),
    "de": frozenset({"die", "der", "das", "sehr", "ja", "nein"}),
    "fr": frozenset({"nous", "vous", "très", "si", "oui", "non"}),
}


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    """Words written twice in a row: a page's own slip, judged on the page."""
    if not ctx.enabled(REPEATED):
        return
    reported: set[str] = set()
    for word, lang, sentence in page_words(page, ctx).repeated:
        if word.lower() not in _DOUBLES_OK.get(lang, ()) and word not in reported:
            reported.add(word)
            twice = f"{word} {word}"
            message = f"“{twice}”: a word written twice"
            yield ctx.finding(REPEATED, page.url, _at_text(page.url, twice), message, sentence)


def words_fact(page: Page, ctx: CheckContext) -> str | None:
    """The site fact the site rule judges (Fetch.words)."""
    return page_words(page, ctx).fact()


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    facts = ((url, fetch.words) for url, fetch in site.fetches.items() if fetch.words)
    return judged(facts, site.start_url, ctx, site.spelling_cache)


def judged(
    facts: Iterable[tuple[str, str]],
    start_url: str,
    ctx: CheckContext,
    remembered: SpellingCache | None = None,
) -> Iterator[Finding | None]:
    """The likely misspellings on every page (SPL001, SPL003) and the vocabulary's words no
    page uses (SPL004), from the pages' words facts; the searches they need read from and
    written to `remembered`, when given."""
    pages = [(url, *from_fact(fact)) for url, fact in facts]
    texts: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for _, unknown, _ in pages:
        for u in unknown:
            texts[u.word.lower(), u.lang].update(u.passages)
    threshold = ctx.spelling.min_confidence

    def asked(u: Unknown) -> Asked:
        frequent = len(texts[u.word.lower(), u.lang]) >= _FREQUENT
        return u.word, u.lang, u.capitalised, threshold, frequent

    wanted: list[tuple[str, Unknown, str]] = []  # (page, word, code) of the rules that are on
    for url, unknown, _ in pages:
        for u in unknown:
            code = IN_TEMPLATE if u.place.template else MISSPELLING
            if ctx.enabled(code):
                wanted.append((url, u, code))
    judged_words = verdicts((asked(u) for _, u, _ in wanted), remembered)
    reported: set[tuple[str, str, str]] = set()
    for url, u, code in wanted:
        slip = judged_words[asked(u)]
        if slip.confidence >= threshold and (url, code, u.word) not in reported:
            reported.add((url, code, u.word))
            yield _misspelling(url, code, u, slip, ctx)
    used = set().union(*(vocabulary for _, _, vocabulary in pages))
    yield _unused_words(start_url, used, ctx)


def misspellings(
    text: str, lang: str, own: frozenset[str], threshold: float
) -> Iterator[tuple[str, Verdict]]:
    """The likely misspellings of `text` in `lang`, read alone: each word with its verdict."""
    for word, capitalised in rejected(text, lang, own):
        slip = verdict(word, lang, capitalised, threshold)
        if slip.confidence >= threshold:
            yield word, slip


def _misspelling(
    url: str, code: str, unknown: Unknown, slip: Verdict, ctx: CheckContext
) -> Finding | None:
    suggestions = " or ".join(f"“{s}”" for s in slip.suggestions[:_SUGGESTIONS])
    where = f" in {unknown.place.value}" if unknown.place.template else ""
    message = f"“{unknown.word}”{where} is likely misspelled: did you mean {suggestions}?"
    evidence = f"{unknown.sentence} (confidence {slip.confidence:.2f})"
    if unknown.rendered_only:
        evidence = noted(evidence)
    return ctx.finding(code, url, _at_text(url, unknown.word), message, evidence)


def _unused_words(start_url: str, used: set[str], ctx: CheckContext) -> Finding | None:
    """One finding for the run: the vocabulary's words that no page uses any more."""
    unused = [word for word in ctx.spelling.listed if word.lower() not in used]
    if not unused:
        return None
    message = f"Vocabulary words that no page uses any more ({ctx.spelling.source}): {len(unused)}"
    listing = shortened(", ".join(unused), _LISTED_CHARS)
    return ctx.finding(UNUSED, start_url, None, message, listing)


def _at_text(url: str, text: str) -> str:
    """The page's address that opens it at `text` (a text fragment; "-" is its syntax)."""
    return f"{url}#:~:text={quote(text, safe='').replace('-', '%2D')}"
