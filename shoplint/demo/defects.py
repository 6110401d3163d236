"""The seeded defects that are routes of their own (listed in catalog.yml): redirects,
chains and loops, 410 and 500 pages, a soft 404 and broken images. Defects inside a page
(a slow checkout step, a wrong price...) stay with that page, marked "seeded defect"."""

from __future__ import annotations

import re

from . import images
from .assets import cached
from .web import App, Request, Response, redirect

MOVED_IMAGE_PAGE = (
    '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
    "<title>Afbeelding verplaatst</title></head>"
    "<body><p>Deze afbeelding is verplaatst.</p></body></html>\n"
)


def moved(app: App, req: Request) -> Response:
    """A redirect from `routes.redirects`: a moved page, a hop of a chain or of a loop."""
    r = app.site.redirects[req.path]
    return redirect(r["to"], int(r.get("status", 301)))


def gone(app: App, req: Request) -> Response:
    return app.error_page(req, 410)


def server_error(app: App, req: Request) -> Response:
    return app.error_page(req, 500)


def soft_404(app: App, req: Request) -> Response:
    """A removed promotion answering 200 with a "not found" text."""
    return app.render(req, "soft404.html", title=app.site.soft_404[req.path])


def _truncated_image(app: App, path: str) -> bytes:
    m = re.fullmatch(r"/static/img/producten/([a-z0-9-]+)-\d+\.png", path)
    slug = m.group(1) if m else "kapot"
    p = app.site.product_by_slug.get(slug)
    return images.truncated_png(slug, p.category if p else "")


def broken_image(app: App, req: Request) -> Response:
    """An image from `broken_assets`: empty, truncated, an HTML page or far too heavy."""
    kind = app.site.broken_assets[req.path]
    if kind == "empty":
        return cached(b"")
    if kind == "truncated":
        return cached(_truncated_image(app, req.path))
    if kind == "html":
        return cached(MOVED_IMAGE_PAGE.encode(), "text/html; charset=utf-8")
    if kind == "heavy":
        return cached(images.heavy_image())
    return app.error_page(req, 404)
