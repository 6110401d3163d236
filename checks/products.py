"""Products: the data a customer decides on (description, photo, price, stock) on each
product page, and the catalogue as a whole (copied descriptions, one placeholder photo for
many products, products no category shows).

A product page is one whose schema.org data (JSON-LD or microdata, ground/html/offers.py)
describes exactly one Product; a listing of several describes none of them. The page
rules compare that data with the page itself. For the site rules the check worker keeps
each product's description and image with its fetch (`product_fact`, checks/site_facts.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import lxml.html

from checks import DATA
from checks.checkout.prices import parse_price
from checks.context import CheckContext, shortened
from checks.main_text import compiled_selector
from checks.page import Page, once_a_page
from checks.shared_values import page_list, same_page, shared
from checks.site import SiteView
from checks.url_patterns import any_glob
from ground.html.facts import IN_STOCK, buy_box_availability, schema_availability
from ground.html.offers import JSON_LD, OfferValue, offer_values
from ground.html.text import visible_text_of
from ground.model import Finding, RefKind
from ground.words import load_words

THIN_DESCRIPTION = "PRD001"
DUPLICATE_DESCRIPTION = "PRD002"
MISSING_IMAGE = "PRD003"
PLACEHOLDER_IMAGE = "PRD004"
INCOMPLETE_DATA = "PRD005"
PRICE_DIFFERS = "PRD006"
STOCK_CONTRADICTION = "PRD007"
NOT_IN_CATEGORY = "PRD008"

_PAGE_CODES = (
    THIN_DESCRIPTION,
    MISSING_IMAGE,
    PLACEHOLDER_IMAGE,
    INCOMPLETE_DATA,
    PRICE_DIFFERS,
    STOCK_CONTRADICTION,
)
_WORDS = load_words(DATA / "products.yml")
_PLACEHOLDER = re.compile(
    "|".join(re.escape(name) for name in _WORDS["placeholder_image_names"]), re.IGNORECASE
)
_KEPT_CHARS = 500  # of a description, kept to compare products
_QUOTE_CHARS = 90


@dataclass(frozen=True, slots=True)
class Product:
    """What a product page's structured data says of its one product."""

    name: str
    description: str | None  # whitespace squeezed
    image: str | None  # as written
    offers: tuple[OfferValue, ...]  # prices (of this product, or of an offer of no product)


@once_a_page
def product_of(page: Page) -> Product | None:
    """The page's product; None when it is no product page."""
    doc = page.doc
    names = {value.product for value in offer_values(doc, page.url, "name") if value.product}
    product = None
    if len(names) == 1:
        (name,) = names
        product = Product(
            name,
            _first(page, "description", name),
            _first(page, "image", name),
            tuple(v for v in offer_values(doc, page.url, "price") if v.product in (name, None)),
        )
    return product


def _first(page: Page, prop: str, name: str) -> str | None:
    value = next((v.value for v in offer_values(page.doc, page.url, prop) if v.product == name), "")
    return " ".join(value.split()) or None


def product_fact(page: Page) -> str | None:
    """The site fact: a product page's description (its start) and image address."""
    product = product_of(page)
    if product is None:
        return None
    image = page.address(product.image) if product.image else None
    description = product.description[:_KEPT_CHARS] if product.description else None
    return json.dumps({"description": description, "image": image}, ensure_ascii=False)


# -- on each page, while crawling -----------------------------------------------------------


def check_page(page: Page, ctx: CheckContext) -> Iterator[Finding | None]:
    if not any(ctx.enabled(code) for code in _PAGE_CODES):
        return
    product = product_of(page)
    if product is None:
        return
    if ctx.enabled(THIN_DESCRIPTION):
        yield _thin_description(page, product, ctx)
    yield from _image(page, product, ctx)
    if ctx.enabled(INCOMPLETE_DATA):
        yield _incomplete(page, product, ctx)
    if ctx.enabled(PRICE_DIFFERS):
        yield _price_differs(page, product, ctx)
    if ctx.enabled(STOCK_CONTRADICTION):
        yield _stock_contradiction(page, product, ctx)


def _thin_description(page: Page, product: Product, ctx: CheckContext) -> Finding | None:
    text = product.description
    if text is None:
        element = _first_match(page.doc, ctx.option(THIN_DESCRIPTION, "description_selectors"))
        text = " ".join(visible_text_of(element).split()) if element is not None else None
    if not text:
        message = f"The product “{product.name}” has no description"
        return ctx.finding(THIN_DESCRIPTION, page.url, None, message)
    words, minimum = len(text.split()), ctx.option(THIN_DESCRIPTION, "min_words")
    if words >= minimum:
        return None
    message = f"The description of “{product.name}” has {words} words (at least {minimum} wanted)"
    return ctx.finding(THIN_DESCRIPTION, page.url, None, message, _quoted(text))


def _image(page: Page, product: Product, ctx: CheckContext) -> Iterator[Finding | None]:
    written = product.image or _og_image(page.doc)
    if written is None:
        img = _first_match(page.doc, ctx.option(MISSING_IMAGE, "image_selectors"))
        if img is not None and img.tag != "img":
            img = next(img.iter("img"), None)
        written = img.get("src") if img is not None else None
    if not written:
        message = f"The product “{product.name}” has no image"
        yield ctx.finding(MISSING_IMAGE, page.url, None, message)
    elif _PLACEHOLDER.search(_file_name(written)):
        message = f"The product “{product.name}” is shown with a placeholder image"
        yield ctx.finding(PLACEHOLDER_IMAGE, page.url, page.address(written), message, written)


def _og_image(doc: lxml.html.HtmlElement) -> str | None:
    head = doc.find("head")
    for meta in head.iter("meta") if head is not None else ():
        if (meta.get("property") or "").lower() == "og:image" and meta.get("content"):
            return meta.get("content")
    return None


def _file_name(address: str) -> str:
    return address.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def _incomplete(page: Page, product: Product, ctx: CheckContext) -> Finding | None:
    missing = [
        wanted
        for wanted in ("price", "priceCurrency", "availability")
        if not any(
            v.product in (product.name, None) for v in offer_values(page.doc, page.url, wanted)
        )
    ]
    if not missing:
        return None
    message = f"The product data of “{product.name}” has no {', '.join(missing)}"
    return ctx.finding(INCOMPLETE_DATA, page.url, None, message)


def _price_differs(page: Page, product: Product, ctx: CheckContext) -> Finding | None:
    """The JSON-LD price against the one shown; a microdata price is written on the very
    element that shows it, so only JSON-LD can say another price than the page."""
    stated = {
        p.amount: v for v in product.offers if v.syntax == JSON_LD and (p := parse_price(v.value))
    }
    if not stated:
        return None
    shown_el = _first_match(page.doc, ctx.option(PRICE_DIFFERS, "price_selectors"))
    shown = parse_price(visible_text_of(shown_el)) if shown_el is not None else None
    if shown is None or shown.amount in stated:
        return None
    data = next(iter(stated.values()))
    message = (
        f"The page shows {shown.shown}, its structured data says {data.value} for “{product.name}”"
    )
    evidence = f"{data.syntax} price {data.value}; shown: {shown.shown}"
    return ctx.finding(PRICE_DIFFERS, page.url, None, message, evidence)


def _stock_contradiction(page: Page, product: Product, ctx: CheckContext) -> Finding | None:
    stated = schema_availability(page.doc, page.url)
    shown = buy_box_availability(page.doc) if stated is not None else None
    if shown is None or stated == shown:
        return None
    if stated == IN_STOCK:
        message = f"The structured data says “{product.name}” is in stock; the page says sold out"
    else:
        message = f"The structured data says “{product.name}” is sold out; the page sells it"
    evidence = f"schema.org availability: {stated}; buy box: {shown}"
    return ctx.finding(STOCK_CONTRADICTION, page.url, None, message, evidence)


def _first_match(doc: lxml.html.HtmlElement, selectors: list[str]) -> lxml.html.HtmlElement | None:
    """The first element in the page that matches any of `selectors`: one pass."""
    found = compiled_selector(", ".join(selectors))(doc) if selectors else None
    return found[0] if found else None


def _quoted(text: str) -> str:
    return f"“{shortened(text, _QUOTE_CHARS)}”"


# -- after the crawl ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stored:
    url: str
    description: str | None
    image: str | None


def check_site(site: SiteView, ctx: CheckContext) -> Iterator[Finding | None]:
    products = [
        _Stored(f.url, **json.loads(f.product))
        for f in site.fetches.values()
        if f.product and f.is_page and f.status == 200
    ]
    if not products:
        return
    page_of = same_page(site)
    if ctx.enabled(DUPLICATE_DESCRIPTION):
        yield from _copied(products, page_of, ctx)
    if ctx.enabled(PLACEHOLDER_IMAGE):
        yield from _shared_images(products, page_of, ctx)
    if ctx.enabled(NOT_IN_CATEGORY):
        yield from _not_in_category(site, products, ctx)


def _copied(
    products: list[_Stored], page_of: Callable[[str], str], ctx: CheckContext
) -> Iterator[Finding | None]:
    for text, urls in shared(((p.url, p.description) for p in products), page_of):
        message = f"{len(urls)} products have the same description"
        evidence = f"{_quoted(text)} {page_list(urls, ctx.site_origin)}"
        yield from (
            ctx.finding(DUPLICATE_DESCRIPTION, url, None, message, evidence) for url in urls
        )


def _shared_images(
    products: list[_Stored], page_of: Callable[[str], str], ctx: CheckContext
) -> Iterator[Finding | None]:
    """Products that share their image with more products than max_products: a stand-in
    (one whose name says so was reported on its page already)."""
    limit = ctx.option(PLACEHOLDER_IMAGE, "max_products")
    by_image: dict[str, dict[str, str]] = {}
    for product in products:
        if product.image and not _PLACEHOLDER.search(_file_name(product.image)):
            by_image.setdefault(product.image, {}).setdefault(page_of(product.url), product.url)
    for image, members in by_image.items():
        if len(members) > limit:
            message = f"{len(members)} products are shown with one and the same image"
            evidence = page_list(sorted(members.values()), ctx.site_origin)
            for url in sorted(members.values()):
                yield ctx.finding(PLACEHOLDER_IMAGE, url, image, message, evidence)


def _not_in_category(
    site: SiteView, products: list[_Stored], ctx: CheckContext
) -> Iterator[Finding | None]:
    """Products no category page links to; nothing when no page is a category page."""
    globs = ctx.option(NOT_IN_CATEGORY, "category_pages")
    category = any_glob(globs)
    categories = {url for url, f in site.fetches.items() if f.is_page and category.match(url)}
    if not categories:
        return
    shown: set[str] = set()  # the pages category pages link to, at the end of redirects
    for ref in site.references([RefKind.A], sources=categories):
        if ref.kind is RefKind.A and ref.target and ref.source in categories:
            chain = site.chain(ref.target)
            shown.add(chain[-1].url if chain else ref.target)
    for product in products:
        if product.url not in shown and product.url.split("?")[0] not in shown:
            message = "No category page links to this product: customers find it only by search"
            yield ctx.finding(NOT_IN_CATEGORY, product.url, None, message)
