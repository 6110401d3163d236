"""The quick order page (/snel-bestellen/): the cart shown by a small script of its own
(static/snel.js) from a JSON API, with a "Bestellen" button whose click handler leads to
the checkout. It has no link and no form to go on with, so only a browser can pass it: the
demo's checkout flow in the browser (browser_flow.yml) does, a plain walker cannot.

Seeded defect, seen only in a browser: the page's call for the delivery options answers
500 (the customer sees no delivery options; CHK011 on /snel-bestellen/).
"""

from __future__ import annotations

import json

from .cart import cart_lines
from .dutch import format_euro
from .web import App, Request, Response

PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Snel bestellen | {shop}</title>
<meta name="robots" content="noindex, follow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/stijl.css"></head>
<body class="checkout"><main id="inhoud"><h1>Snel bestellen</h1>
<div id="overzicht"></div>
<p id="bezorging"></p>
<button type="button" class="bestellen" hidden>Bestellen</button>
<noscript>Zet JavaScript aan om snel te bestellen.</noscript>
</main><script src="/static/snel.js"></script></body></html>
"""


def page(app: App, req: Request) -> Response:
    return Response(body=PAGE.format(shop=app.site.shop["name"]).encode())


def cart_api(app: App, req: Request) -> Response:
    """The cart of the visitor's session, as the script shows it."""
    lines, total = cart_lines(app.site, app.session(req))
    cart = {
        "lines": [
            {"name": line["p"].name, "url": line["p"].path, "qty": line["qty"],
             "price": format_euro(line["unit"])}
            for line in lines
        ],
        "total": format_euro(total),
    }  # fmt: skip
    return Response(body=json.dumps(cart).encode(), content_type="application/json")


def delivery_api(app: App, req: Request) -> Response:
    # seeded defect: the delivery options service is down
    return Response(500, b'{"error": "bezorgdienst niet bereikbaar"}', "application/json")
