"""A brand page and three loose products, with the seeded defects of the seo,
accessibility and products families (defects.yml).

The brand page (/merken/gazelle/, linked from the home page) names an English version
that is Dutch, does not name it back and has no language of its own; it has a nameless
icon link, vague 'lees meer' links, a file name for an alt text, an empty heading, a
skipped heading level and a form with an unlabelled field and an unexplained asterisk. It
links to three products no category lists, whose data disagrees with their pages."""

from __future__ import annotations

import json
from typing import Any

from .descriptions import BRAND_PAGE, ENGLISH_PAGE
from .web import App, Request, Response

_BELL_TEXT = (
    "Een klassieke fietsbel van verchroomd staal met een heldere, lange klank. De bel past "
    "op elk stuur tot 25,4 mm en zit met één schroef vast. Hij roest niet en klinkt ook in "
    "de regen. Een mooie bel voor een stadsfiets of een oude opoefiets."
)
LOOSE_PRODUCTS: dict[str, dict[str, Any]] = {
    # the same description as the black one; the data says € 14,95, the page € 16,95; its
    # image in the data is a placeholder
    "bel-retro-creme": {
        "name": "Retro fietsbel crème",
        "text": _BELL_TEXT,
        "price": "14.95",
        "shown": "€ 16,95",
        "image": "/static/img/producten/geen-afbeelding.png",
        "in_stock": True,
    },
    # in stock according to its data; the page says sold out
    "bel-retro-zwart": {
        "name": "Retro fietsbel zwart",
        "text": _BELL_TEXT,
        "price": "14.95",
        "shown": "€ 14,95",
        "image": "/static/img/producten/bel-retro-zwart.png",
        "in_stock": False,
    },
    # a few words of description, no image, no currency and no availability in its data
    "slot-basic": {
        "name": "Basic kettingslot",
        "text": "Een stevig slot.",
        "price": "19.95",
        "shown": "€ 19,95",
        "image": None,
        "in_stock": True,
    },
}


def brand_page(app: App, req: Request) -> Response:
    products = [app.site.product_by_slug[s] for s in ("gazelle-esprit-c3", "gazelle-chamonix-c7")]
    return app.render(
        req,
        "brand.html",
        products=products,
        loose=LOOSE_PRODUCTS,
        alternates=[("nl", BRAND_PAGE), ("en-UK", ENGLISH_PAGE)],
        canonical="/zoeken?q=gazelle",  # a search page, which says noindex
    )


def english_page(app: App, req: Request) -> Response:
    return app.render(
        req, "brand_en.html", lang="", alternates=[("en", ENGLISH_PAGE)], canonical=ENGLISH_PAGE
    )


def loose_product(app: App, req: Request) -> Response:
    slug = req.path.split("/")[2]
    product = LOOSE_PRODUCTS[slug]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product["name"],
        "description": product["text"],
        "offers": {"@type": "Offer", "price": product["price"]},
    }
    if product["image"]:
        data["image"] = req.base_url + product["image"]
        data["offers"] |= {"priceCurrency": "EUR", "availability": "https://schema.org/InStock"}
    return app.render(
        req,
        "loose_product.html",
        p=product,
        jsonld=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
        canonical=req.path,
        description=f"{product['name']} bij Fietsenwinkel De Spaak in Utrecht, snel in huis.",
    )


LOOSE_PATHS = tuple(f"/product/{slug}/" for slug in LOOSE_PRODUCTS)
