"""Prices as shops write them ("€ 1.299,00", "EUR 899", "$1,299.00", "649,-") and where
they are: the product page's schema.org data first, then the configured elements."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from ground.html.offers import offer_values

if TYPE_CHECKING:
    from checks.checkout.walker import StepPage

_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
_CURRENCY = re.compile(r"[€$£¥]|\b(?:EUR|USD|GBP|CHF|JPY|SEK|NOK|DKK|PLN|CZK)\b", re.IGNORECASE)
_AMOUNT = re.compile(
    r"\d{1,3}(?:[ \u00a0\u202f'’.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)"  # grouped: 1.299,00
    r"|\d+(?:[.,]\d{1,2})?(?!\d)"  # plain: 899, 649,00, 1299.00
)
_DECIMALS = re.compile(r"[.,](\d{1,2})$")
_LINE_DEPTH = 6  # elements up from a cart price in which to look for its line's product link


@dataclass(frozen=True)
class Price:
    amount: Decimal
    currency: str | None  # ISO code, when the text names one
    shown: str  # as written, for messages

    def differs_from(self, other: Price) -> bool:
        if self.currency and other.currency and self.currency != other.currency:
            return True
        return self.amount != other.amount


def parse_price(text: str) -> Price | None:
    """The first amount in `text`, in European or English notation. Digits in groups of
    three separated by ".", ",", a space or an apostrophe are thousands ("1.299", "1,299",
    "1 299"); a final "." or "," with one or two digits is the decimal mark."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    number = match.group()
    cents = _DECIMALS.search(number)
    whole = re.sub(r"\D", "", number[: cents.start()] if cents else number)
    amount = Decimal(f"{whole}.{cents.group(1)}" if cents else whole)
    return Price(amount, _currency(text), " ".join(text.split()))


def _currency(text: str) -> str | None:
    """The ISO code of the first currency sign or code in `text`."""
    match = _CURRENCY.search(text)
    if match is None:
        return None
    code = match.group().upper()
    return _SIGNS.get(code, code)


def product_price(page: StepPage, selectors: Sequence[str]) -> Price | None:
    """The product page's price: its schema.org offer (JSON-LD or microdata), else the
    first of `selectors` showing one. It is shown as the page writes it, when an element
    (itemprop=price or a selector's) shows that amount."""
    shown = [
        price
        for el in _matches(page.soup, ["[itemprop=price]", *selectors])
        if (price := _price(el))
    ]
    if page.doc is not None:
        for offer in offer_values(page.doc, page.url, "price"):
            if parsed := parse_price(offer.value):
                currencies = offer_values(page.doc, page.url, "priceCurrency")
                currency = currencies[0].value if currencies else parsed.currency
                written = next((p.shown for p in shown if p.amount == parsed.amount), None)
                written = written or f"{offer.value} {currency or ''}".strip()
                return Price(parsed.amount, currency, written)
    return shown[0] if shown else None


def cart_price(
    soup: BeautifulSoup, selectors: Sequence[str], page_url: str, product_url: str
) -> Price | None:
    """The cart line's price for the product: itemprop=price, then the first of `selectors`
    that matches; of several lines, the one that links to the product (else the first)."""
    for selector in ["[itemprop=price]", *selectors]:
        found = [el for el in soup.select(selector) if _price(el)]
        if found:
            line = next((el for el in found if _links_to(el, page_url, product_url)), found[0])
            return _price(line)
    return None


def _price(el: Tag) -> Price | None:
    content = el.get("content")
    text = " ".join(el.get_text(" ").split())
    if content:  # machine-readable (itemprop): the amount; the text may add the currency
        parsed = parse_price(str(content))
        if parsed:
            shown = text or str(content)
            return Price(parsed.amount, parsed.currency or _currency(text), shown)
    return parse_price(text) if text else None


def _links_to(el: Tag, page_url: str, product_url: str) -> bool:
    """Whether the nearest enclosing element with links (the cart line) links to the
    product page."""
    wanted = _page_of(product_url)
    for box in islice(el.parents, _LINE_DEPTH):
        hrefs = [a.get("href") for a in box.find_all("a", href=True)]
        if hrefs:
            return any(_page_of(urljoin(page_url, str(h))) == wanted for h in hrefs)
    return False


def _page_of(url: str) -> str:
    return urldefrag(url)[0].split("?")[0].rstrip("/")


def _matches(soup: BeautifulSoup, selectors: Sequence[str]) -> Iterator[Tag]:
    for selector in selectors:
        yield from soup.select(selector)
