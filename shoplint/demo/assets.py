"""The shop's static assets: the favicon, the drawn images (logo, banner, products,
categories, blog posts) and the files in ``static/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import images
from .site import Product
from .web import App, Request, Response

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
PRODUCT_IMAGE_WIDTHS = {"320": 320, "640": 640, "detail-240": 240, "detail-480": 480}


def cached(body: bytes, content_type: str = "image/png") -> Response:
    """A 200 response that browsers may cache for an hour."""
    return Response(200, body, content_type, [("Cache-Control", "public, max-age=3600")])


def favicon(app: App, req: Request) -> Response:
    return cached(images.favicon_ico(), "image/x-icon")


def drawn(draw: Callable[[], bytes]) -> Callable[[App, Request], Response]:
    """A handler that serves the PNG image `draw` makes."""
    return lambda app, req: cached(draw())


def product_image(app: App, req: Request, p: Product, variant: str) -> Response:
    """A product photo; the detail variants show the product from another side."""
    w = PRODUCT_IMAGE_WIDTHS[variant]
    detail = variant.startswith("detail")
    seed = p.slug + ("-detail" if detail else "")
    color = p.color if not detail else None
    return cached(images.product_image(seed, p.category, color, w, w * 3 // 4))


def category_image(app: App, req: Request, cat: dict) -> Response:
    return cached(images.category_image(cat["slug"], cat["slug"]))


def blog_image(app: App, req: Request, post: dict) -> Response:
    return cached(images.blog_image(post["slug"]))


def static_file(app: App, req: Request) -> Response:
    """A file directly in ``static/``; anything else under /static/ is not found."""
    if req.path.count("/") == 2:
        target = (STATIC / req.path[len("/static/") :]).resolve()
        if target.parent == STATIC and target.is_file():
            ctype = STATIC_TYPES.get(target.suffix, "application/octet-stream")
            return cached(target.read_bytes(), ctype)
    return app.error_page(req, 404)
