"""The spelling family's rules (checks/spelling/): slips in the team's own text, judged
with Hunspell dictionaries per language, the shop's own words and names left alone."""

from __future__ import annotations

from checks.catalogue.rule import Rule
from ground.model import Severity as S

_HOW = (
    "Only the team's text is read: the main content, the title, headings, buttons and the "
    "site's navigation, in the language each part is written in (Dutch, English, German, "
    "French; text in another language is skipped). A word is reported when the dictionary "
    "rejects it, the shop's vocabulary (spelling.words) and the page's own product, brand "
    "and model names do not have it, and a known word is one slip away (a letter left out, "
    "one too many, one wrong, two swapped); names, codes, numbers, addresses and "
    "abbreviations are left alone, and so is a word that stands in many of the site's texts "
    "(a slip is rare; a word the shop uses everywhere is its own). A word that is right: "
    "add it to the vocabulary with `shoplint spelling add WORD`. Text that is not the "
    "team's (customer reviews): spelling.ignore. The finding's target opens the page at the word."
)

RULES = (
    Rule(
        code="SPL001",
        family="spelling",
        name="likely-misspelling",
        severity=S.WARNING,
        team="content",
        summary="A word in the page's text is likely misspelled",
        explanation=(
            "A word in the page's text is not in the dictionary, and a known word is one slip "
            "away: 'verzendig' for 'verzending', 'recieve' for 'receive'. Customers notice "
            "typos first, and a shop full of them looks careless, or like a fake shop: trust "
            "drops where it matters most, at the price and the order button. Correct the word; "
            "the evidence quotes the sentence it is in and the message the likely correction. "
            + _HOW
        ),
    ),
    Rule(
        code="SPL002",
        family="spelling",
        name="repeated-word",
        severity=S.WARNING,
        team="content",
        summary="A word is written twice in a row ('de de', 'the the')",
        explanation=(
            "The same word stands twice in a row: 'bestel de de fiets', 'add the the bike'. "
            "It happens when a sentence is edited and is easy to miss on screen, and just as "
            "easy for a customer to spot. Delete one of them. Doubles that are right ('dat dat', "
            "'that that', 'had had') are not reported. The evidence quotes the sentence."
        ),
    ),
    Rule(
        code="SPL003",
        family="spelling",
        name="misspelling-in-template",
        severity=S.ERROR,
        team="content",
        summary="A word in the title, a heading, a button or the navigation is likely misspelled",
        explanation=(
            "A likely misspelling (as SPL001 judges it) in the page title, a heading, a button "
            "or the site's navigation: text that is part of a template or of what every "
            "visitor reads first, so the slip shows on every page made from it, in search "
            "results (the title) and on the button a customer has to press. Correct it in the "
            "template or the shop's settings, and it is gone from every page at once. " + _HOW
        ),
    ),
    Rule(
        code="SPL004",
        family="spelling",
        name="unused-vocabulary-word",
        severity=S.INFO,
        team="content",
        summary="Words of the shop's vocabulary are on no page any more",
        explanation=(
            "The shop's vocabulary (spelling.words) has words that no crawled page uses any "
            "more: a product or brand that left the range, a typo once added by mistake. A "
            "vocabulary that only grows lets real slips through (a word in it is never "
            "reported); remove the words the shop no longer uses. One finding a run, listing "
            "them (on a crawl cut short by max_pages, a word may be on a page not crawled)."
        ),
    ),
)
