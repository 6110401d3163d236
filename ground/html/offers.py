"""schema.org offers on a page (JSON-LD and microdata), read with extruct from the tree the
crawler already parsed.

Most pages carry no offer at all, so extruct runs only where the property asked for is
written somewhere in the page's structured data: a look at the JSON-LD scripts and one
XPath query (in C) decide that. Several rules ask about one page (availability, a price's
end date): what was read of a page is kept while its tree lives, so each is read once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import lxml.html
from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import MicrodataExtractor
from lxml import etree

JSON_LD = "JSON-LD"
MICRODATA = "microdata"

_JSON_LD = JsonLdExtractor()
_MICRODATA = MicrodataExtractor()
# "/descendant::script", not "//script": libxml2 then walks the elements once, without
# first collecting every node of the page (a third faster on a large page)
_JSON_LD_TEXTS = etree.XPath(
    "/descendant::script[@type='application/ld+json']/text()", smart_strings=False
)
_ITEMPROPS = etree.XPath("//@itemprop", smart_strings=False)


@dataclass(frozen=True, slots=True)
class OfferValue:
    """One value of an offer's property, e.g. priceValidUntil "2024-12-31"."""

    value: str
    product: str | None  # the name of the product the offer is for, when the data says
    syntax: str  # JSON-LD or microdata


@dataclass(slots=True)
class _Structured:
    """What a page holds of structured data, read once per page."""

    json_ld_texts: str  # every JSON-LD script's text, to look for a property's name
    json_ld_items: list[Any] | None = None  # extruct's reading, once asked for
    microdata_props: set[str] = field(default_factory=set)  # itemprop names on the page
    microdata_items: list[Any] | None = None


_READ: WeakKeyDictionary[lxml.html.HtmlElement, _Structured] = WeakKeyDictionary()


def offer_values(doc: lxml.html.HtmlElement, url: str, name: str) -> list[OfferValue]:
    """Every value of the property `name` (priceValidUntil, availability) in the page's
    JSON-LD and microdata, in document order. Broken JSON-LD is skipped, not fatal."""
    read = _READ.get(doc)
    if read is None:
        read = _READ[doc] = _Structured(
            json_ld_texts="".join(_JSON_LD_TEXTS(doc)),
            microdata_props={p for v in _ITEMPROPS(doc) for p in v.split()},
        )
    values: list[OfferValue] = []
    if name in read.json_ld_texts:
        if read.json_ld_items is None:
            try:
                read.json_ld_items = _JSON_LD.extract_items(doc)
            except ValueError:  # JSON no parser can read: another check's business
                read.json_ld_items = []
        values.extend(_values(read.json_ld_items, name, JSON_LD, "@type", None))
    if name in read.microdata_props:
        if read.microdata_items is None:
            read.microdata_items = _MICRODATA.extract_items(doc, url)
        values.extend(_values(read.microdata_items, name, MICRODATA, "type", None))
    return values


def _values(
    node: Any, name: str, syntax: str, type_key: str, product: str | None
) -> Iterator[OfferValue]:
    """Walk JSON-LD (plain JSON) or extruct's microdata items ({"type", "properties"})."""
    if isinstance(node, list):
        for child in node:
            yield from _values(child, name, syntax, type_key, product)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties", {}) if syntax == MICRODATA else node
    if _is_product(node.get(type_key)):
        product = _text(properties.get("name")) or product
    if name in properties:
        value = _text(properties[name])
        if value:
            yield OfferValue(value, product, syntax)
    for child in properties.values():
        yield from _values(child, name, syntax, type_key, product)


def _is_product(types: Any) -> bool:
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1] == "Product" for t in names)


def _text(value: Any) -> str | None:
    """A property's value as text: the first of several, a URL of an enumeration member."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):  # JSON-LD {"@id": "https://schema.org/InStock"}
        value = value.get("@id") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):  # JSON-LD "price": 649
        return str(value)
    return value.strip() if isinstance(value, str) else None
