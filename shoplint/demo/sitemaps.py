"""What the shop tells crawlers: ``robots.txt`` and the sitemap index with its two urlsets
(pages and products)."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape as xml_escape

from .web import App, Request, Response

XML = "application/xml; charset=utf-8"
URLSETS = ("/sitemap-pages.xml", "/sitemap-products.xml")


def robots_txt(app: App, req: Request) -> Response:
    body = f"User-agent: *\nDisallow: /account/\n\nSitemap: {req.base_url}/sitemap.xml\n"
    return Response(200, body.encode(), "text/plain; charset=utf-8")


def index(app: App, req: Request) -> Response:
    lastmod = (app.site.today - dt.timedelta(days=1)).isoformat()
    items = "".join(
        f"  <sitemap>\n    <loc>{xml_escape(req.base_url + name)}</loc>\n"
        f"    <lastmod>{lastmod}</lastmod>\n  </sitemap>\n"
        for name in URLSETS
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}</sitemapindex>\n"
    )
    return Response(200, body.encode(), XML)


def _urlset(req: Request, entries: list[tuple[str, dt.date | None]]) -> Response:
    items = []
    for path, lastmod in entries:
        lm = f"\n    <lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        loc = xml_escape(req.base_url + path)
        items.append(f"  <url>\n    <loc>{loc}</loc>{lm}\n  </url>\n")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(items)
        + "</urlset>\n"
    )
    return Response(200, body.encode(), XML)


def pages(app: App, req: Request) -> Response:
    return _urlset(req, app.site.sitemap_pages)


def products(app: App, req: Request) -> Response:
    return _urlset(req, app.site.sitemap_products)
