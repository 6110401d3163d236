"""The assortment app: a part of the demo shop rendered in the browser from a JSON API by
a small script of its own (static/assortiment.js), as a PWA storefront is. Its plain HTML
is an app shell; its defects show only once a browser has run the script (crawl.render):

- /assortiment/ adds a link to a category that does not exist, and a banner image that is
  not there;
- the e-bikes list's API call answers 500 (the list stays empty);
- the children's bikes list throws an uncaught error while rendering;
- the accessories list shows a price the script could not compute: "€ NaN".
"""

from __future__ import annotations

import json

from .site import Site
from .web import App, Request, Response

SHELL = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{title} | {shop}</title>
<meta name="description"
 content="{title}: alle modellen met hun prijs, op voorraad en morgen bij u thuis.">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/stijl.css"></head>
<body><div id="app" data-list="{list}"></div>
<noscript>Zet JavaScript aan om ons assortiment te bekijken.</noscript>
<script src="/static/assortiment.js"></script></body></html>
"""
FAILING_API = "e-bikes"  # its list's API call answers 500


def _shell(app: App, title: str, listed: str) -> Response:
    return Response(
        body=SHELL.format(title=title, shop=app.site.shop["name"], list=listed).encode()
    )


def overview(app: App, req: Request) -> Response:
    return _shell(app, "Assortiment", "")


def category_list(app: App, req: Request, category: dict) -> Response:
    return _shell(app, f"Assortiment {category['name']}", category["slug"])


def api(app: App, req: Request, category: dict) -> Response:
    """The products of a category as JSON (what the script renders)."""
    if category["slug"] == FAILING_API:
        return Response(500, b'{"error": "database unavailable"}', "application/json")
    products = [
        {
            "name": p.name,
            "url": p.path,
            "image": p.img("320"),
            # the accessories' prices come as text the script cannot compute with
            "price": str(p.price) if category["slug"] == "accessoires" else float(p.price),
        }
        for p in _products(app.site, category["slug"])
    ]
    return Response(body=json.dumps(products).encode(), content_type="application/json")


def _products(site: Site, slug: str) -> list:
    return [p for p in site.products if p.category == slug][:6]
