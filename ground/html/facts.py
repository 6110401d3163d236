"""Facts about a shop page beyond its links, extracted by the spider while it parses the
page and stored with its fetch, for the rules that judge the whole site after the crawl
(checks/freshness.py): whether the product on the page can be bought, and what the page
says about when it was last updated. They live with the checks because they read the
checks' word lists (checks/data/freshness.yml) and the offers reader.

Both are cheap on the pages they do not concern: a look at the page's JSON-LD scripts and
its buttons, one XPath query, and one scan of its text for years (ground/years.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from ground.html.offers import offer_values
from ground.html.text import is_visible, visible_text_of
from ground.words import every_language, load_words, phrase_pattern
from ground.years import REACH, years

IN_STOCK = "in_stock"
OUT_OF_STOCK = "out_of_stock"

_WORDS = load_words(Path(__file__).parents[1] / "data" / "page_facts.yml")
_BUY_BUTTON = phrase_pattern(every_language(_WORDS["buy_buttons"]))
_SOLD_OUT = phrase_pattern(every_language(_WORDS["out_of_stock"]))
MODIFIED_META = ("article:modified_time", "og:updated_time")  # <meta property=...>
# what introduces a page's "last updated" date: visible wording, or a meta property's name
_LAST_UPDATED_WORDS = tuple(phrase.lower() for phrase in every_language(_WORDS["last_updated"]))
LAST_UPDATED = phrase_pattern([*_LAST_UPDATED_WORDS, *MODIFIED_META])
_SCHEMA_AVAILABILITY = {  # schema.org ItemAvailability -> can a customer order it now?
    "InStock": IN_STOCK,
    "InStoreOnly": IN_STOCK,
    "OnlineOnly": IN_STOCK,
    "LimitedAvailability": IN_STOCK,
    "PreOrder": IN_STOCK,
    "PreSale": IN_STOCK,
    "BackOrder": IN_STOCK,
    "MadeToOrder": IN_STOCK,
    "OutOfStock": OUT_OF_STOCK,
    "SoldOut": OUT_OF_STOCK,
    "Discontinued": OUT_OF_STOCK,
}
_BUTTON_LABEL_LIMIT = 60  # characters: a longer "button" is a card, not a buy button
_CLIMB = 3  # elements up from a "last updated" phrase in which to look for its date
_MODIFIED_META = etree.XPath(
    "/html/head/meta[" + " or ".join(f"@property='{name}'" for name in MODIFIED_META) + "]"
)
_EDGE = 20_000  # characters at either end of a page's text where a "last updated" line is
_WHITESPACE = re.compile(r"\s+")


def availability(doc: lxml.html.HtmlElement, url: str) -> str | None:
    """in_stock, out_of_stock, or None (not a product page, or it does not say).

    The page's schema.org availability decides when it describes one product (a listing
    of several says nothing about the page); else the words in the box around the page's
    only buy button ("Uitverkocht", "out of stock")."""
    stated = schema_availability(doc, url)
    return stated if stated is not None else buy_box_availability(doc)


def schema_availability(doc: lxml.html.HtmlElement, url: str) -> str | None:
    """The stock the page's structured data states, when it is about one product."""
    values = offer_values(doc, url, "availability")
    if len({v.product for v in values if v.product}) > 1:
        return None
    # "https://schema.org/OutOfStock", "schema:OutOfStock", "OutOfStock"
    states = {_SCHEMA_AVAILABILITY.get(re.split(r"[/:]", v.value)[-1]) for v in values}
    states.discard(None)
    if not states:
        return None
    return OUT_OF_STOCK if states == {OUT_OF_STOCK} else IN_STOCK


def buy_box_availability(doc: lxml.html.HtmlElement) -> str | None:
    """The stock the box around the page's one buy button shows: its sold-out wording, or
    the button enabled."""
    buttons = [el for el in doc.iter("button", "input") if _is_buy_button(el)]
    if len(buttons) != 1:
        return None
    (button,) = buttons
    form = next(button.iterancestors("form"), None)
    box = (form if form is not None else button).getparent()
    if box is None:
        return None
    if _SOLD_OUT.search(visible_text_of(box)):
        return OUT_OF_STOCK
    return None if button.get("disabled") is not None else IN_STOCK


def _is_buy_button(el: lxml.html.HtmlElement) -> bool:
    if el.tag == "input":
        if (el.get("type") or "").lower() not in ("submit", "button"):
            return False
        label = el.get("value") or ""
    else:
        label = el.text_content()
    return len(label) <= _BUTTON_LABEL_LIMIT and _BUY_BUTTON.search(label) is not None


def update_statement(doc: lxml.html.HtmlElement) -> str | None:
    """What the page says about when it was last updated, short, as evidence: its visible
    line ("Laatst bijgewerkt: 3 maart 2022"), else its modified-time meta tag
    ("article:modified_time 2022-03-03T10:00:00+01:00"). None when it says nothing.

    Such a line stands near the top of a page's text or in its footer, never in the middle
    of a long index: only the _EDGE characters at either end of the text are read, so a
    page costs the same however long it is."""
    body = doc.find("body")
    if body is not None:
        text = body.text_content()
        for start, end in _edges(len(text)):
            for at in _phrases_before_years(text[start:end]):
                statement = _visible_statement(_element_at(body, start + at, len(text)))
                if statement:
                    return statement
    for meta in _MODIFIED_META(doc):
        content = (meta.get("content") or "").strip()
        if content:
            return f"{meta.get('property')} {content}"
    return None


def _edges(length: int) -> list[tuple[int, int]]:
    """The stretches of a text of `length` characters that are read."""
    if length <= 2 * _EDGE:
        return [(0, length)]
    return [(0, _EDGE), (length - _EDGE, length)]


def _phrases_before_years(text: str) -> Iterator[int]:
    """Where a "last updated" phrase starts shortly before a year, in text order: a quick
    look (text nodes run together here, so whole words are not asked for)."""
    seen = set()
    for year, _ in years(text):
        before = text[max(0, year - REACH) : year].lower()
        for phrase in _LAST_UPDATED_WORDS:
            found = before.rfind(phrase)
            if found >= 0 and (at := max(0, year - REACH) + found) not in seen:
                seen.add(at)
                yield at


def _element_at(body: lxml.html.HtmlElement, at: int, length: int) -> Any:
    """The element whose own text holds character `at` of the body's text (`length`
    characters): a walk over the text nodes from the nearer end up to there only."""
    reverse = at >= length // 2
    nodes = _texts_from_end(body) if reverse else _texts_from_start(body)
    target = length - 1 - at if reverse else at
    seen = 0
    for text, owner in nodes:
        seen += len(text)
        if seen > target:
            return owner
    return None


def _texts_from_start(body: lxml.html.HtmlElement) -> Iterator[tuple[str, Any]]:
    """(text, the element it shows in) of each text node in page order; a comment's own
    text is no page text, its tail is."""
    for event, el in etree.iterwalk(body, events=("start", "end")):
        if event == "start":
            if el.text and isinstance(el.tag, str):
                yield el.text, el
        elif el.tail and el is not body:
            yield el.tail, el.getparent()


def _texts_from_end(body: lxml.html.HtmlElement) -> Iterator[tuple[str, Any]]:
    """The same from the last text node back, touching only the elements passed."""
    stack = [(body, len(body))]
    while stack:
        el, children = stack.pop()
        if children:
            child = el[children - 1]
            stack.append((el, children - 1))
            if child.tail:
                yield child.tail, el
            stack.append((child, len(child)))
        elif el.text and isinstance(el.tag, str):
            yield el.text, el


def _visible_statement(el: lxml.html.HtmlElement | None) -> str | None:
    """The phrase in the text of `el` and the date after it, read from `el`, climbing a
    little when the date is in a neighbouring element (<b>Updated:</b> <time>)."""
    for _ in range(_CLIMB):
        if el is None or not is_visible(el):
            return None
        line = _WHITESPACE.sub(" ", visible_text_of(el))
        match = LAST_UPDATED.search(line)
        if match and any(match.end() <= start < match.end() + REACH for start, _ in years(line)):
            return line[match.start() : match.end() + REACH].strip()
        el = el.getparent()
    return None
