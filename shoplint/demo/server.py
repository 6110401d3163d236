"""The bundled demo shop: a small Dutch bicycle webshop with seeded defects.

``DemoShop`` serves the shop from the standard library's ``ThreadingHTTPServer``
with jinja2 templates. Catalogue and site data live in ``catalog.yml``; the
deliberate defects are listed in ``defects.yml``. Everything is in memory and
works without network access.

    with DemoShop() as shop:
        print(shop.url)          # http://127.0.0.1:43123/

All dates shown by the shop are relative to ``today`` (default: ``date.today()``),
so fresh content stays fresh and expired content stays expired.

This module holds the HTTP side and the route table; the pages live in one module per
area (catalogue, content, cart, checkout, sitemaps, assets, defects).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from . import (
    assets,
    assortiment,
    brand,
    cart,
    catalogue,
    checkout,
    content,
    defects,
    images,
    quick_order,
    sitemaps,
)
from .site import SIMPLE_PAGES, Site
from .web import SESSION_COOKIE, App, Request, Response, redirect

__all__ = ["DemoShop"]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024

# --------------------------------------------------------------------------- routing

Handler = Callable[..., Response]  # handler(app, request, *what the route's matcher captured)
Matcher = Callable[[Site, str], tuple | None]  # what a path captures; None: another route's


@dataclass(frozen=True)
class Route:
    """Paths that `match` accepts go to `get` (GET and HEAD) or `post`; a method without
    a handler answers 405."""

    match: Matcher
    get: Handler | None = None
    post: Handler | None = None

    @property
    def allow(self) -> str:
        return ", ".join(name for name, h in (("GET, HEAD", self.get), ("POST", self.post)) if h)


def path(*paths: str) -> Matcher:
    """Exactly these paths."""
    return lambda site, p: () if p in paths else None


def pattern(regex: str) -> Matcher:
    """Paths that match `regex` entirely."""
    compiled = re.compile(regex, re.DOTALL)
    return lambda site, p: () if compiled.fullmatch(p) else None


def seeded(table: str) -> Matcher:
    """Paths listed in the site's `table` (seeded defects from catalog.yml)."""
    return lambda site, p: () if p in getattr(site, table) else None


def item(regex: str, index: str) -> Matcher:
    """Paths that match `regex` whose first group is a key of the site's `index`; captures
    the item, then the other groups."""
    compiled = re.compile(regex)

    def match(site: Site, p: str) -> tuple | None:
        m = compiled.fullmatch(p)
        found = getattr(site, index).get(m.group(1)) if m else None
        return None if found is None else (found, *m.groups()[1:])

    return match


def slashless(site: Site, p: str) -> tuple | None:
    """A canonical page asked for without its trailing slash."""
    return () if not p.endswith("/") and p + "/" in site.known_pages else None


def not_found(app: App, req: Request) -> Response:
    return app.error_page(req, 404)


def add_slash(app: App, req: Request) -> Response:
    query = f"?{req.raw_query}" if req.raw_query else ""
    return redirect(req.path + "/" + query, 301)


SLUG = "([a-z0-9-]+)"
PRODUCT_IMAGE = r"/static/img/producten/([a-z0-9-]+?)-(320|640|detail-240|detail-480)\.png"

# First match wins. The seeded routes answer any method, before everything else.
ROUTES: tuple[Route, ...] = (
    Route(seeded("redirects"), get=defects.moved, post=defects.moved),
    Route(seeded("gone"), get=defects.gone, post=defects.gone),
    Route(seeded("server_error"), get=defects.server_error, post=defects.server_error),
    # for crawlers
    Route(path("/robots.txt"), get=sitemaps.robots_txt),
    Route(path("/sitemap.xml"), get=sitemaps.index),
    Route(path("/sitemap-pages.xml"), get=sitemaps.pages),
    Route(path("/sitemap-products.xml"), get=sitemaps.products),
    # assets (every other path under /static/ or ending in .xml is a missing asset)
    Route(path("/favicon.ico"), get=assets.favicon),
    Route(seeded("broken_assets"), get=defects.broken_image),
    Route(path("/static/img/logo.png"), get=assets.drawn(images.logo_image)),
    Route(path("/static/img/banner.png"), get=assets.drawn(images.banner_image)),
    Route(path("/static/img/scheiding.png"), get=assets.drawn(images.divider_image)),
    Route(
        path("/static/img/winkel.png"),
        get=assets.drawn(functools.partial(images.blog_image, "winkel", 480, 320)),
    ),
    Route(item(PRODUCT_IMAGE, "product_by_slug"), get=assets.product_image),
    Route(
        item(rf"/static/img/categorie/{SLUG}\.png", "category_by_slug"), get=assets.category_image
    ),
    Route(item(rf"/static/img/blog/{SLUG}\.png", "blog_by_slug"), get=assets.blog_image),
    Route(pattern(r"/static/.*"), get=assets.static_file),
    Route(pattern(r".*\.xml"), get=not_found),
    # catalogue
    Route(path("/"), get=catalogue.home),
    Route(path("/zoeken"), get=catalogue.search),
    Route(item(rf"/categorie/{SLUG}/", "category_by_slug"), get=catalogue.category),
    Route(item(rf"/product/{SLUG}/", "product_by_slug"), get=catalogue.product),
    Route(path(*brand.LOOSE_PATHS), get=brand.loose_product),
    Route(path(brand.BRAND_PAGE), get=brand.brand_page),
    Route(path(brand.ENGLISH_PAGE), get=brand.english_page),
    # the assortment app, rendered in the browser from its JSON API (assortiment.py)
    Route(path("/assortiment/"), get=assortiment.overview),
    Route(item(rf"/assortiment/{SLUG}/", "category_by_slug"), get=assortiment.category_list),
    Route(item(rf"/api/assortiment/{SLUG}\.json", "category_by_slug"), get=assortiment.api),
    # content (a soft 404 is no page: POST answers 404, not 405)
    Route(path("/acties/"), get=content.promotions),
    Route(seeded("soft_404"), get=defects.soft_404, post=not_found),
    Route(item(rf"/acties/{SLUG}/", "promotion_by_slug"), get=content.promotion),
    Route(path("/blog/"), get=content.blog_index),
    Route(item(rf"/blog/{SLUG}/", "blog_by_slug"), get=content.blog_post),
    Route(path("/faq/"), get=content.faq),
    Route(path("/contact/"), get=content.contact, post=content.contact_post),
    Route(path("/account/"), get=content.simple_page, post=content.account_post),
    Route(path(*SIMPLE_PAGES), get=content.simple_page),
    # cart and checkout
    Route(path("/winkelwagen/"), get=cart.cart_page),
    Route(path("/winkelwagen/toevoegen"), post=cart.add),
    Route(path("/winkelwagen/verwijderen"), post=cart.remove),
    Route(path("/afrekenen/adres/"), get=checkout.address, post=checkout.address_post),
    Route(path("/afrekenen/verzending/"), get=checkout.shipping, post=checkout.shipping_post),
    Route(path("/afrekenen/betaling/"), get=checkout.payment, post=checkout.payment_post),
    Route(path("/afrekenen/bevestiging/"), get=checkout.confirmation),
    # the quick order page: only a browser gets past its button (quick_order.py)
    Route(path("/snel-bestellen/"), get=quick_order.page),
    Route(path("/api/winkelwagen.json"), get=quick_order.cart_api),
    Route(path("/api/bezorgopties.json"), get=quick_order.delivery_api),
    # a canonical page without its trailing slash redirects (for GET) to the page
    Route(slashless, get=add_slash, post=not_found),
)


def respond(app: App, req: Request) -> Response:
    """The answer of the first route that accepts the request's path; else 404."""
    site = app.site
    for route in ROUTES:
        captured = route.match(site, req.path)
        if captured is None:
            continue
        handler = route.post if req.method == "POST" else route.get
        if handler is None:
            resp = app.error_page(req, 405)
            resp.headers.append(("Allow", route.allow))
            return resp
        return handler(app, req, *captured)
    return not_found(app, req)


# --------------------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response sets Content-Length
    server_version = "DeSpaak/1.0"
    timeout = 30  # idle keep-alive connections are closed after this
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on keep-alive connections

    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # request logging silenced

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _read_form(self) -> dict[str, str] | None:
        """The posted form fields; None when the body is too large to read."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return None
        raw = self.rfile.read(length) if length else b""
        return {
            k: v[0]
            for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()
        }

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        form: dict[str, str] | None = {}
        if method == "POST":
            form = self._read_form()
            if form is None:
                self.close_connection = True
                return self._send(Response(413, b"Request too large", "text/plain; charset=utf-8"))
        req = Request(self, method, form)
        try:
            resp = respond(app, req)
        except Exception:  # pragma: no cover - a bug in the demo itself
            log.exception("demo shop crashed on %s %s", method, self.path)
            resp = app.error_page(req, 500)
        if req.new_session is not None:
            resp.headers.append(
                (
                    "Set-Cookie",
                    f"{SESSION_COOKIE}={req.new_session['id']}; Path=/; HttpOnly; SameSite=Lax",
                )
            )
        self._send(resp, head=method == "HEAD")

    def _send(self, resp: Response, head: bool = False) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        try:
            self.end_headers()
            if not head and resp.body:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], app: App):
        self.app = app
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients hanging up mid-response are normal for a crawler target
        log.debug("connection error from %s", client_address, exc_info=True)


# --------------------------------------------------------------------------- the shop


class DemoShop:
    """A small Dutch bicycle webshop with seeded defects, served on loopback.

    ``DemoShop(host="127.0.0.1", port=0, today=None)``; ``start()`` binds (a free
    port when ``port=0``) and serves in a daemon thread; ``url`` is the base URL;
    ``stop()`` shuts down. Also a context manager, and ``serve_forever()`` for
    foreground use.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, today: dt.date | None = None):
        self.host = host
        self.port = port
        self.app = App(today)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> _Server:
        if self._server is None:
            self._server = _Server((self.host, self.port), self.app)
            self.port = self._server.server_address[1]
        return self._server

    def start(self) -> DemoShop:
        if self._thread is not None:
            return self
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"demo-shop-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until interrupted (Ctrl+C)."""
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.25)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            if thread is not None:
                server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoShop:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("DemoShop is not running; call start() first")
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"
