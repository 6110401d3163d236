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
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import lxml.html
from lxml import etree

from checks.main_text import compiled_selector, main_blocks
from checks.page import Page
from ground.html.text import VisibleIn


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
_JSON_LD = etree.XPath(
    "/descendant::script[@type='application/ld+json']/text()", smart_strings=False
)
_NAME_KEYS = frozenset({"name", "brand", "model", "sku", "mpn", "manufacturer"})  # JSON-LD
_MICRODATA_NAMES = frozenset({"name", "brand", "model", "sku", "mpn"})  # itemprop
_ADDRESS_WORDS = re.compile(r"[^\W\d_]{3,}")
# what is never the team's prose, whatever the configuration says: code (also the old
# <tt>), text not to be translated, and customer reviews (`[itemprop=review]`, `.review`,
# `.reviews`, `#reviews`); and the template parts (_Parts tells them in one walk)
_IGNORED_TAGS = frozenset({"code", "pre", "kbd", "samp", "var", "tt"})
_REVIEW_CLASSES = frozenset({"review", "reviews"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_BUTTON_CLASSES = frozenset({"btn", "button"})
_BUTTON_INPUTS = frozenset({"submit", "button"})
_ATTRIBUTES = frozenset({"translate", "itemprop", "id", "role", "type"})  # besides class
_CLASS_SPACE = re.compile(r"[ \t\n\r]+")  # what separates class names (CSS, XPath)


class TeamText(NamedTuple):
    passages: list[Passage]  # template parts first, then the main content's blocks
    ignored: str  # the text of the ignored elements
    names: str  # the names the page's structured data gives (see _page_names)


def team_text(doc: lxml.html.HtmlElement, ignore: Sequence[str]) -> TeamText:
    """The team's text on the page (a heading inside the main content is read once, as a
    heading), and the text left out: its words are not judged in the main content either
    (a review's words can stand in a paragraph of the team's)."""
    parts = _Parts(doc)
    ignored = parts.ignored
    if ignore:
        ignored.update(compiled_selector(", ".join(ignore))(doc))
    found: list[Passage] = []
    seen: set[str] = set()
    for title in _TITLE(doc)[:1]:
        text = " ".join(title.split())
        if text:
            seen.add(text)
            found.append(Passage(text, Place.TITLE))
    visible = VisibleIn(ignored)
    for place, elements in parts.template():
        for el in elements:
            if visible(el) and (text := _text_of(el)) and text not in seen:
                seen.add(text)
                found.append(Passage(text, place))
    ignored_texts = [" ".join(_all_text(el).split()) for el in ignored]
    seen.update(ignored_texts)
    found.extend(Passage(block, Place.TEXT) for block in main_blocks(doc) if block not in seen)
    return TeamText(found, " ".join(ignored_texts), _page_names(doc, parts.names))


def _page_names(doc: lxml.html.HtmlElement, microdata: list[lxml.html.HtmlElement]) -> str:
    """The names the page's structured data gives (JSON-LD, and the microdata elements
    found): the product, its brand, model and SKU, as one text."""
    names: list[str] = [el.get("content") or _all_text(el) for el in microdata]
    for script in _JSON_LD(doc):
        try:
            _collect_names(json.loads(script), names)
        except ValueError:
            continue
    return " ".join(names)


class _Parts:
    """The elements of the page that spelling reads apart, found in one walk of the tree
    (an XPath or CSS query per kind walked it ten times: 10 ms on a 2,000-element page):
    the always-ignored ones, the headings, buttons and navigation, the microdata names."""

    def __init__(self, doc: lxml.html.HtmlElement):
        self.ignored: set[lxml.html.HtmlElement] = set()
        self.headings: list[lxml.html.HtmlElement] = []
        self.buttons: list[lxml.html.HtmlElement] = []
        self.navigations: list[lxml.html.HtmlElement] = []
        self.names: list[lxml.html.HtmlElement] = []
        for el in doc.iter():
            tag = el.tag
            if tag.__class__ is not str:
                continue  # a comment or a processing instruction
            if tag in _IGNORED_TAGS:
                self.ignored.add(el)
            elif tag in _HEADINGS:
                self.headings.append(el)
            elif tag == "button":
                self.buttons.append(el)
            elif tag == "nav":
                self.navigations.append(el)
            # most elements have attributes, few that matter here: their names (and the
            # class names' letters) tell it, without reading each attribute
            keys = el.keys()
            if keys and (
                not _ATTRIBUTES.isdisjoint(keys)
                or "review" in (classes := el.get("class", ""))
                or (tag == "a" and "b" in classes)
            ):
                self._read(el, tag, el.attrib)

    def _read(self, el: lxml.html.HtmlElement, tag: str, attrib: Mapping[str, str]) -> None:
        """What the element's attributes make it: ignored, a button, a navigation, a name."""
        names = attrib.get("class", "")  # class names: a substring test first, cheaper
        role = attrib.get("role")
        itemprop = attrib.get("itemprop")
        if (
            attrib.get("translate") == "no"
            or itemprop == "review"
            or attrib.get("id") == "reviews"
            or ("review" in names and _has_class(names, _REVIEW_CLASSES))
        ):
            self.ignored.add(el)
        if (
            tag == "a"
            and (role == "button" or ("b" in names and _has_class(names, _BUTTON_CLASSES)))
        ) or (tag == "input" and attrib.get("type") in _BUTTON_INPUTS):
            self.buttons.append(el)
        if role == "navigation" and tag != "nav":
            self.navigations.append(el)
        if itemprop in _MICRODATA_NAMES:
            self.names.append(el)

    def template(self) -> list[tuple[Place, list[lxml.html.HtmlElement]]]:
        """Each place's elements in document order: the links of a navigation inside
        another are read once."""
        outer = set(self.navigations)
        links = [
            a
            for nav in self.navigations
            if not any(up in outer for up in nav.iterancestors())
            for a in nav.iterdescendants("a")
        ]
        return [
            (Place.HEADING, self.headings),
            (Place.BUTTON, self.buttons),
            (Place.NAVIGATION, links),
        ]


def _has_class(names: str, wanted: frozenset[str]) -> bool:
    """One of `wanted` is among the class names in `names` (a class attribute)."""
    return not wanted.isdisjoint(_CLASS_SPACE.split(names))


def address_words(page: Page) -> frozenset[str]:
    """The words of the page's address and of the addresses it links to, lower case: a
    shop's addresses are made of its product, brand and category names
    (/product/bobike-exclusive-maxi/, ?merk=alpina, /acties/kerstdeal/)."""
    hrefs = " ".join([href for a in page.doc.iter("a") if (href := a.get("href")) is not None])
    return frozenset(_ADDRESS_WORDS.findall(f"{page.url} {hrefs}".lower()))


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


def _text_of(el: lxml.html.HtmlElement) -> str:
    text = el.get("value", "") if el.tag == "input" else _all_text(el)
    return " ".join(text.split())


def _all_text(el: lxml.html.HtmlElement) -> str:
    """All the text inside `el`, as text_content() gives it, in a third of the time (no
    XPath evaluation a call: spelling asks for hundreds of elements' text a page)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)
