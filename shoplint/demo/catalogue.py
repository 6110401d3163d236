"""The pages that show products: the home page, category listings, product pages and
search results."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from .site import Product
from .web import App, Request, Response

# the category page's sort orders: query value -> (label, sort key, descending)
SORT_ORDERS: dict[str, tuple[str, Callable[[Product], Any], bool]] = {
    "prijs-op": ("Prijs oplopend", lambda p: p.price, False),
    "prijs-af": ("Prijs aflopend", lambda p: p.price, True),
    "naam": ("Naam", lambda p: p.name.lower(), False),
}


def _summary(text: str, limit: int = 155) -> str:
    """Whole leading sentences of `text`, at most `limit` characters (at least one)."""
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if out and len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out


def home(app: App, req: Request) -> Response:
    site = app.site
    promo = site.promotion_by_slug["gratis-onderhoudsbeurt"]
    posts = sorted(site.blog, key=lambda b: b["date"], reverse=True)[:2]
    return app.render(
        req,
        "home.html",
        featured=site.featured_home,
        promo=promo,
        posts=posts,
        canonical="/",
        description="Fietsenwinkel De Spaak in Utrecht: racefietsen, stadsfietsen, "
        "e-bikes en meer.",
    )


def _listed(products: list[Product], brands: set[str], query: dict) -> tuple[list, str, str]:
    """The products a category page lists for `query`, with the sort order and the brand
    filter that apply ("" for none: unknown values are ignored)."""
    sort = query.get("sort", "")
    merk = query.get("merk", "")
    products = list(products)
    if merk and merk in brands:
        products = [p for p in products if p.brand_slug == merk]
    else:
        merk = ""
    if sort in SORT_ORDERS:
        _, key, descending = SORT_ORDERS[sort]
        products.sort(key=key, reverse=descending)
    else:
        sort = ""
    return products, sort, merk


def category(app: App, req: Request, cat: dict) -> Response:
    all_products = app.site.products_in(cat["slug"])
    brands = sorted({(p.brand_slug, p.brand) for p in all_products}, key=lambda b: b[1].lower())
    products, sort, merk = _listed(all_products, {b[0] for b in brands}, req.query)

    def link(**changes: str) -> str:
        params = {"sort": sort, "merk": merk}
        params.update(changes)
        qs = urlencode([(k, v) for k, v in params.items() if v])
        return f"/categorie/{cat['slug']}/" + (f"?{qs}" if qs else "")

    return app.render(
        req,
        "category.html",
        cat=cat,
        products=products,
        sort_links=[
            (link(sort=key), label, key == sort) for key, (label, *_) in SORT_ORDERS.items()
        ],
        brand_links=[(link(merk=slug), name, slug == merk) for slug, name in brands],
        all_link=link(merk=""),
        merk=merk,
        canonical=f"/categorie/{cat['slug']}/",
        description=cat["intro"],
    )


def _product_jsonld(req: Request, p: Product, category_name: str, image: str) -> str:
    """The schema.org Product of `p` as JSON that is safe inside a <script> element."""
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": req.base_url + p.path,
        "price": f"{p.price:.2f}",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock"
        if p.in_stock
        else "https://schema.org/OutOfStock",
        "itemCondition": "https://schema.org/NewCondition",
    }
    if p.promo_until:
        offer["priceValidUntil"] = p.promo_until.isoformat()
    jsonld = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name,
        "sku": str(p.id),
        "brand": {"@type": "Brand", "name": p.brand},
        "category": category_name,
        "image": [req.base_url + image],
        "description": p.description,
        "offers": offer,
    }
    return json.dumps(jsonld, ensure_ascii=False, indent=1).replace("</", "<\\/")


def product(app: App, req: Request, p: Product) -> Response:
    site = app.site
    session = app.session(req, create=True)
    cat = site.category_by_slug[p.category]
    main_src = p.main_src or p.img("640")
    srcset = f"{p.img('320')} 320w, {main_src} 640w"
    if p.extra_srcset:
        srcset += f", /static/img/producten/{p.slug}{p.extra_srcset}"
    related = [o for o in site.products_in(p.category) if o.slug != p.slug][:3]
    return app.render(
        req,
        "product.html",
        p=p,
        cat=cat,
        main_src=main_src,
        srcset=srcset,
        related=related,
        csrf=session["csrf"],
        jsonld=_product_jsonld(req, p, cat["name"], main_src),
        show_promo=bool(p.promo_until and p.promo_until >= site.today),
        canonical=p.path,
        description=_summary(p.description),
    )


def search(app: App, req: Request) -> Response:
    q = req.query.get("q", "").strip()[:100]
    results: list[Product] = []
    if q:
        words = q.lower().split()
        for p in app.site.products:
            hay = f"{p.name} {p.brand} {p.category} {p.description}".lower()
            if all(w in hay for w in words):
                results.append(p)
    return app.render(req, "search.html", q=q, query=q, results=results, noindex=True)
