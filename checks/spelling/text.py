"""The team's own text on a page, and where on the page each part of it shows: the title,
the headings, the buttons and the site's navigation (template text: a slip there shows on
every page made from the template), and the main content (checks/main_text.py).

Left out: whatever the ignore selectors match (customer reviews are not the team's text),
code, keyboard input and text marked not to be translated; and the names the page's own
structured data gives (the product, its brand, model and SKU): the shop's words.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import lxml.html
from lxml import etree

from checks.main_text import compiled_selector, main_blocks
from checks.page import Page
from ground.html.text import is_visible

# never the team's prose, whatever the configuration says: code, and customer reviews
ALWAYS_IGNORED = (
    "code",
    "pre",
    "kbd",
    "samp",
    "var",
    "[translate=no]",
    "[itemprop=review]",
    ".review",
    ".reviews",
    "#reviews",
)


class Place(enum.Enum):
    TITLE = "the page title"
    HEADING = "a heading"
    BUTTON = "a button"
    NAVIGATION = "the navigation"
    TEXT = "the text"

    @property
    def template(self) -> bool:
        return self is not Place.TEXT


class Passage(NamedTuple):
    text: str  # whitespace folded
    place: Place


_TITLE = etree.XPath("/html/head/title/text()", smart_strings=False)
_TEMPLATE_PARTS = (
    (Place.HEADING, etree.XPath("//h1 | //h2 | //h3 | //h4")),
    (
        Place.BUTTON,
        etree.XPath(
            "//button | //a[@role='button'] | //input[@type='submit' or @type='button']"
            " | //a[contains(concat(' ', normalize-space(@class), ' '), ' btn ')"
            " or contains(concat(' ', normalize-space(@class), ' '), ' button ')]"
        ),
    ),
    (Place.NAVIGATION, etree.XPath("//nav//a | //*[@role='navigation']//a")),
)
_JSON_LD = etree.XPath(
    "/descendant::script[@type='application/ld+json']/text()", smart_strings=False
)
_MICRODATA_NAMES = etree.XPath(
    "//*[@itemprop='name' or @itemprop='brand' or @itemprop='model' or @itemprop='sku'"
    " or @itemprop='mpn']"
)
_NAME_KEYS = frozenset({"name", "brand", "model", "sku", "mpn", "manufacturer"})
_HREFS = etree.XPath("//a/@href", smart_strings=False)
_ADDRESS_WORDS = re.compile(r"[^\W\d_]{3,}")


class TeamText(NamedTuple):
    passages: list[Passage]  # template parts first, then the main content's blocks
    ignored: str  # the text of the ignored elements


def team_text(doc: lxml.html.HtmlElement, ignore: Sequence[str]) -> TeamText:
    """The team's text on the page (a heading inside the main content is read once, as a
    heading), and the text left out: its words are not judged in the main content either
    (a review's words can stand in a paragraph of the team's)."""
    ignored = _ignored(doc, ignore)
    found: list[Passage] = []
    seen: set[str] = set()
    for title in _TITLE(doc)[:1]:
        text = " ".join(title.split())
        if text:
            seen.add(text)
            found.append(Passage(text, Place.TITLE))
    for place, find in _TEMPLATE_PARTS:
        for el in find(doc):
            if el in ignored or any(a in ignored for a in el.iterancestors()):
                continue
            text = _text_of(el)
            if text and text not in seen and is_visible(el):
                seen.add(text)
                found.append(Passage(text, place))
    ignored_texts = [" ".join(el.text_content().split()) for el in ignored]
    seen.update(ignored_texts)
    found.extend(Passage(block, Place.TEXT) for block in main_blocks(doc) if block not in seen)
    return TeamText(found, " ".join(ignored_texts))


def page_names(doc: lxml.html.HtmlElement) -> str:
    """The names the page's structured data gives (JSON-LD and microdata): the product,
    its brand, model and SKU, as one text."""
    names: list[str] = [el.get("content") or el.text_content() for el in _MICRODATA_NAMES(doc)]
    for script in _JSON_LD(doc):
        try:
            _collect_names(json.loads(script), names)
        except ValueError:
            continue
    return " ".join(names)


def address_words(page: Page) -> frozenset[str]:
    """The words of the page's address and of the addresses it links to, lower case: a
    shop's addresses are made of its product, brand and category names
    (/product/bobike-exclusive-maxi/, ?merk=alpina, /acties/kerstdeal/)."""
    hrefs = " ".join(_HREFS(page.doc))
    return frozenset(w.lower() for w in _ADDRESS_WORDS.findall(f"{page.url} {hrefs}"))


def _collect_names(data: Any, names: list[str]) -> None:
    if isinstance(data, list):
        for item in data:
            _collect_names(item, names)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in _NAME_KEYS and isinstance(value, str):
                names.append(value)
            else:
                _collect_names(value, names)


def _ignored(doc: lxml.html.HtmlElement, ignore: Sequence[str]) -> set[lxml.html.HtmlElement]:
    """The ignored elements: every selector at once, in one walk of the tree."""
    return set(compiled_selector(", ".join((*ALWAYS_IGNORED, *ignore)))(doc))


def _text_of(el: lxml.html.HtmlElement) -> str:
    text = el.get("value", "") if el.tag == "input" else el.text_content()
    return " ".join(text.split())
