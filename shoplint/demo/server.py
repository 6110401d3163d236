"""The bundled demo shop: a small Dutch bicycle webshop with seeded defects.

``DemoShop`` serves the shop from the standard library's ``ThreadingHTTPServer``
with jinja2 templates. Catalogue and site data live in ``catalog.yml``; the
deliberate defects are listed in ``defects.yml``. Everything is in memory and
works without network access.

    with DemoShop() as shop:
        print(shop.url)          # http://127.0.0.1:43123/

All dates shown by the shop are relative to ``today`` (default: ``date.today()``),
so fresh content stays fresh and expired content stays expired.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.cookies
import itertools
import json
import logging
import re
import secrets
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
import yaml

from . import images

__all__ = ["DemoShop", "load_catalog", "format_euro", "format_date_nl"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CATALOG_FILE = HERE / "catalog.yml"

SESSION_COOKIE = "spaak_sessie"
MAX_SESSIONS = 5000
MAX_BODY = 64 * 1024
POSTCODE_RE = re.compile(r"^\d{4}\s?[A-Z]{2}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
DAYS_NL = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]

STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

# simple pages rendered from a template of the same name
SIMPLE_PAGES = {
    "/over-ons/": "over_ons.html",
    "/voorwaarden/": "voorwaarden.html",
    "/privacy/": "privacy.html",
    "/retourneren/": "retourneren.html",
    "/cadeaubon/": "cadeaubon.html",
    "/account/": "account.html",
    "/contact/bedankt/": "contact_bedankt.html",
}

_STEP_PATHS = {"address": "/afrekenen/adres/", "shipping": "/afrekenen/verzending/"}
PAYMENT_METHODS = [
    ("ideal", "iDEAL"),
    ("creditcard", "Creditcard"),
    ("achteraf", "Achteraf betalen"),
]
DELIVERY_METHODS = [
    ("thuis", "Thuisbezorgd (gratis)"),
    ("afhaalpunt", "Ophalen bij een afhaalpunt"),
]


# --------------------------------------------------------------------------- helpers


def format_euro(value: Any) -> str:
    """1299 -> '€ 1.299,00' (Dutch notation)."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def format_date_nl(value: dt.date) -> str:
    """date(2024, 12, 31) -> '31 december 2024'."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def resolve_date(value: Any, today: dt.date) -> dt.date | None:
    """Resolve 'today', 'today+N', 'today-N', ISO strings and dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"today\s*(?:([+-])\s*(\d+))?", text)
    if m:
        days = int(m.group(2) or 0)
        return today + dt.timedelta(days=-days if m.group(1) == "-" else days)
    return dt.date.fromisoformat(text)


@functools.lru_cache(maxsize=1)
def _raw_catalog() -> dict:
    with CATALOG_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_catalog() -> dict:
    """The raw catalogue data (dates unresolved). Callers must not mutate it."""
    return _raw_catalog()


@dataclass
class Product:
    id: int
    slug: str
    name: str
    brand: str
    category: str
    price: Decimal
    description: str
    specs: dict
    color: str | None = None
    was_price: Decimal | None = None
    promo_until: dt.date | None = None
    cart_price: Decimal | None = None
    stock: str = "in"
    links: list = field(default_factory=list)
    checkout_flaws: list = field(default_factory=list)
    main_src: str | None = None
    main_alt_missing: bool = False
    extra_srcset: str | None = None
    old_slugs: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/product/{self.slug}/"

    @property
    def in_stock(self) -> bool:
        return self.stock != "out"

    @property
    def brand_slug(self) -> str:
        return slugify(self.brand)

    def img(self, variant: str) -> str:
        return f"/static/img/producten/{self.slug}-{variant}.png"

    @property
    def charged_price(self) -> Decimal:
        return self.cart_price if self.cart_price is not None else self.price


def _summary(text: str, limit: int = 155) -> str:
    """Whole leading sentences of `text`, at most `limit` characters (at least one)."""
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if out and len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Site:
    """The catalogue resolved against one `today`."""

    def __init__(self, today: dt.date):
        raw = load_catalog()
        self.today = today
        self.shop = raw["shop"]
        self.categories = raw["categories"]
        self.category_by_slug = {c["slug"]: c for c in self.categories}
        self.products: list[Product] = []
        for p in raw["products"]:
            self.products.append(
                Product(
                    id=int(p["id"]),
                    slug=p["slug"],
                    name=p["name"],
                    brand=p["brand"],
                    category=p["category"],
                    price=Decimal(str(p["price"])),
                    description=p["description"].strip(),
                    specs=p.get("specs") or {},
                    color=p.get("color"),
                    was_price=Decimal(str(p["was_price"])) if p.get("was_price") else None,
                    promo_until=resolve_date(p.get("promo_until"), today),
                    cart_price=Decimal(str(p["cart_price"])) if p.get("cart_price") else None,
                    stock=p.get("stock", "in"),
                    links=p.get("links") or [],
                    checkout_flaws=p.get("checkout_flaws") or [],
                    main_src=p.get("main_src"),
                    main_alt_missing=bool(p.get("main_alt_missing")),
                    extra_srcset=p.get("extra_srcset"),
                    old_slugs=p.get("old_slugs") or [],
                )
            )
        self.product_by_slug = {p.slug: p for p in self.products}
        self.product_by_id = {p.id: p for p in self.products}
        self.featured_home = [self.product_by_slug[s] for s in raw["featured_on_home"]]
        self.featured_promotions = [self.product_by_slug[s] for s in raw["featured_on_promotions"]]
        self.promotions = [
            dict(a, valid_until=resolve_date(a.get("valid_until"), today))
            for a in raw["promotions"]
        ]
        self.promotion_by_slug = {a["slug"]: a for a in self.promotions}
        self.soft_404 = raw.get("soft_404") or {}
        self.blog = [dict(b, date=resolve_date(b["date"], today)) for b in raw["blog"]]
        self.blog_by_slug = {b["slug"]: b for b in self.blog}
        faq = raw["faq"]
        self.faq = dict(faq, last_updated=resolve_date(faq.get("last_updated"), today))
        self.page_updated = {
            path: resolve_date(value, today)
            for path, value in (raw.get("page_updated") or {}).items()
        }
        routes = raw.get("routes") or {}
        self.redirects = dict(routes.get("redirects") or {})
        for p in self.products:
            for old in p.old_slugs:
                self.redirects[f"/product/{old}/"] = {"to": p.path, "status": 301}
        self.gone = set(routes.get("gone") or [])
        self.server_error = set(routes.get("server_error") or [])
        self.broken_assets = raw.get("broken_assets") or {}
        sm = raw["sitemap"]
        self.sitemap_pages = [(e["path"], resolve_date(e["lastmod"], today)) for e in sm["pages"]]
        self.sitemap_products = [(p.path, today - dt.timedelta(days=7)) for p in self.products]
        self.sitemap_products += [
            (e["path"], resolve_date(e["lastmod"], today)) for e in sm.get("products_extra") or []
        ]
        self.checkout = raw["checkout"]

        # every canonical HTML page (used for trailing-slash redirects)
        self.known_pages = {"/", "/acties/", "/blog/", "/faq/", "/contact/", "/winkelwagen/"}
        self.known_pages |= set(SIMPLE_PAGES)
        self.known_pages |= {f"/categorie/{c['slug']}/" for c in self.categories}
        self.known_pages |= {p.path for p in self.products}
        self.known_pages |= {f"/acties/{a['slug']}/" for a in self.promotions}
        self.known_pages |= {f"/blog/{b['slug']}/" for b in self.blog}
        self.known_pages |= {
            "/afrekenen/adres/",
            "/afrekenen/verzending/",
            "/afrekenen/betaling/",
            "/afrekenen/bevestiging/",
        }

    def products_in(self, category: str) -> list[Product]:
        return [p for p in self.products if p.category == category]


class SessionStore:
    """In-memory sessions, guarded by a lock, oldest evicted first."""

    def __init__(self, cap: int = MAX_SESSIONS):
        self._data: OrderedDict[str, dict] = OrderedDict()
        self.lock = threading.RLock()
        self.cap = cap

    def get(self, sid: str | None) -> dict | None:
        if not sid:
            return None
        with self.lock:
            s = self._data.get(sid)
            if s is not None:
                self._data.move_to_end(sid)
            return s

    def create(self) -> dict:
        with self.lock:
            sid = secrets.token_hex(16)
            s = {"id": sid, "csrf": secrets.token_urlsafe(24), "cart": OrderedDict()}
            self._data[sid] = s
            while len(self._data) > self.cap:
                self._data.popitem(last=False)
            return s

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- request handling


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

    def _dispatch(self, method: str) -> None:
        shop = self.server.shop
        form: dict[str, str] = {}
        if method == "POST":
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self.close_connection = True
                return self._send(Response(413, b"Request too large", "text/plain; charset=utf-8"))
            raw = self.rfile.read(length) if length else b""
            form = {
                k: v[0]
                for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()
            }
        req = Request(self, method, form)
        try:
            resp = shop._handle(req)
        except Exception:  # pragma: no cover - a bug in the demo itself
            log.exception("demo shop crashed on %s %s", method, self.path)
            resp = shop._error_page(req, 500)
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

    def __init__(self, addr: tuple[str, int], shop: DemoShop):
        self.shop = shop
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients hanging up mid-response are normal for a crawler target
        log.debug("connection error from %s", client_address, exc_info=True)


class Request:
    def __init__(self, handler: _Handler, method: str, form: dict[str, str]):
        self.method = method
        self.form = form
        parts = urlsplit(handler.path)
        self.path = unquote(parts.path) or "/"
        self.raw_query = parts.query
        self.query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = handler.headers
        host = handler.headers.get("Host") or ""
        if not HOST_RE.match(host):
            h, p = handler.server.server_address[:2]
            host = f"{h}:{p}"
        self.base_url = f"http://{host}"
        cookies = http.cookies.SimpleCookie()
        with contextlib.suppress(http.cookies.CookieError):
            cookies.load(handler.headers.get("Cookie") or "")
        morsel = cookies.get(SESSION_COOKIE)
        self.session_id = morsel.value if morsel else None
        self.new_session: dict | None = None


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
        self._today = today.date() if isinstance(today, dt.datetime) else today
        self._site_cache: tuple[dt.date, Site] | None = None
        self.sessions = SessionStore()
        self._orders = itertools.count(1)
        self._orders_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["euro"] = format_euro
        self.env.filters["nldate"] = format_date_nl
        self.env.filters["price_attr"] = lambda v: f"{Decimal(str(v)):.2f}"

    # ------------------------------------------------------------------ lifecycle

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def site(self) -> Site:
        today = self.today
        cached = self._site_cache
        if cached is None or cached[0] != today:
            cached = (today, Site(today))
            self._site_cache = cached
        return cached[1]

    def _bind(self) -> _Server:
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
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

    # ------------------------------------------------------------------ rendering

    def _render(self, req: Request, template: str, status: int = 200, **ctx: Any) -> Response:
        session = self._session(req)
        site = self.site
        base = {
            "shop": site.shop,
            "today": site.today,
            "categories": site.categories,
            "cart_count": sum(session["cart"].values()) if session else 0,
            "base_url": req.base_url,
            "lang": "nl",
            "canonical": None,
            "noindex": False,
            "description": None,
            "query": "",
        }
        base.update(ctx)
        html = self.env.get_template(template).render(**base)
        return Response(status, html.encode("utf-8"))

    def _error_page(self, req: Request, status: int) -> Response:
        titles = {
            400: ("Ongeldig verzoek", "Er ging iets mis met je verzoek. Probeer het nog eens."),
            403: (
                "Geen toegang",
                "Je sessie is verlopen of het formulier is ongeldig. "
                "Ga terug en probeer het opnieuw.",
            ),
            404: (
                "Pagina niet gevonden",
                "Deze pagina bestaat niet. Misschien is hij verplaatst. "
                "Gebruik het menu of zoek een product.",
            ),
            405: ("Niet toegestaan", "Deze actie kan hier niet."),
            410: ("Deze pagina is verwijderd", "Deze pagina is weg en komt niet meer terug."),
            500: ("Interne serverfout", "Onze server had een probleem. Probeer het later opnieuw."),
        }
        title, text = titles.get(status, ("Fout", "Er ging iets mis."))
        try:
            return self._render(req, "error.html", status=status, title=title, text=text)
        except Exception:  # pragma: no cover
            log.exception("error page failed")
            return Response(status, f"{status} {title}".encode(), "text/plain; charset=utf-8")

    @staticmethod
    def _redirect(location: str, status: int = 303) -> Response:
        href = html_escape(location)
        body = (
            '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>Doorsturen</title>'
            f'</head><body><p>Ga verder naar <a href="{href}">{href}</a>.</p></body></html>\n'
        )
        return Response(status, body.encode(), "text/html; charset=utf-8", [("Location", location)])

    # ------------------------------------------------------------------ sessions

    def _session(self, req: Request, create: bool = False) -> dict | None:
        if req.new_session is not None:
            return req.new_session
        s = self.sessions.get(req.session_id)
        if s is None and create:
            s = self.sessions.create()
            req.new_session = s
        return s

    def _cart_lines(self, session: dict | None) -> tuple[list[dict], Decimal]:
        lines, total = [], Decimal("0")
        if not session:
            return lines, total
        site = self.site
        for pid, qty in session["cart"].items():
            p = site.product_by_id.get(pid)
            if p is None:
                continue
            line_total = p.charged_price * qty
            lines.append({"p": p, "qty": qty, "unit": p.charged_price, "total": line_total})
            total += line_total
        return lines, total

    def _flaws(self, session: dict | None) -> set[str]:
        lines, _ = self._cart_lines(session)
        return {f for line in lines for f in line["p"].checkout_flaws}

    # ------------------------------------------------------------------ routing

    def _handle(self, req: Request) -> Response:
        site = self.site
        path = req.path
        method = req.method
        get = method in ("GET", "HEAD")

        # seeded special routes first
        if path in site.redirects:
            r = site.redirects[path]
            return self._redirect(r["to"], int(r.get("status", 301)))
        if path in site.gone:
            return self._error_page(req, 410)
        if path in site.server_error:
            return self._error_page(req, 500)

        if (
            path.startswith("/static/")
            or path in ("/favicon.ico", "/robots.txt")
            or path.endswith(".xml")
        ):
            if not get:
                return self._method_not_allowed(req, "GET, HEAD")
            return self._asset(req)

        posts = {
            "/winkelwagen/toevoegen": self._cart_add,
            "/winkelwagen/verwijderen": self._cart_remove,
            "/afrekenen/adres/": self._checkout_address_post,
            "/afrekenen/verzending/": self._checkout_shipping_post,
            "/afrekenen/betaling/": self._checkout_payment_post,
            "/contact/": self._contact_post,
            "/account/": self._account_post,
        }
        if method == "POST":
            if path in posts:
                return posts[path](req)
            if path in site.known_pages or path == "/zoeken":
                return self._method_not_allowed(req, "GET, HEAD")
            return self._error_page(req, 404)
        if path in ("/winkelwagen/toevoegen", "/winkelwagen/verwijderen"):
            return self._method_not_allowed(req, "POST")

        pages = {
            "/": self._home,
            "/acties/": self._promotions,
            "/blog/": self._blog_index,
            "/faq/": self._faq,
            "/contact/": self._contact,
            "/zoeken": self._search,
            "/winkelwagen/": self._cart,
            "/afrekenen/adres/": self._checkout_address,
            "/afrekenen/verzending/": self._checkout_shipping,
            "/afrekenen/betaling/": self._checkout_payment,
            "/afrekenen/bevestiging/": self._checkout_confirmation,
        }
        if path in pages:
            return pages[path](req)
        if path in SIMPLE_PAGES:
            return self._simple_page(req, SIMPLE_PAGES[path])
        if path in site.soft_404:
            # seeded defect: a removed promotion answering 200 with a "not found" text
            return self._render(req, "soft404.html", title=site.soft_404[path])

        m = re.fullmatch(r"/(categorie|product|acties|blog)/([a-z0-9-]+)/", path)
        if m:
            kind, slug = m.groups()
            if kind == "categorie" and slug in site.category_by_slug:
                return self._category(req, site.category_by_slug[slug])
            if kind == "product" and slug in site.product_by_slug:
                return self._product(req, site.product_by_slug[slug])
            if kind == "acties" and slug in site.promotion_by_slug:
                return self._promotion(req, site.promotion_by_slug[slug])
            if kind == "blog" and slug in site.blog_by_slug:
                return self._blog_post(req, site.blog_by_slug[slug])

        if not path.endswith("/") and path + "/" in site.known_pages:
            target = path + "/" + (f"?{req.raw_query}" if req.raw_query else "")
            return self._redirect(target, 301)
        return self._error_page(req, 404)

    def _method_not_allowed(self, req: Request, allow: str) -> Response:
        resp = self._error_page(req, 405)
        resp.headers.append(("Allow", allow))
        return resp

    # ------------------------------------------------------------------ static, images, xml

    def _asset(self, req: Request) -> Response:
        site = self.site
        path = req.path
        cache = [("Cache-Control", "public, max-age=3600")]
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /account/\n\nSitemap: {req.base_url}/sitemap.xml\n"
            return Response(200, body.encode(), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return self._sitemap_index(req)
        if path == "/sitemap-pages.xml":
            return self._urlset(req, site.sitemap_pages)
        if path == "/sitemap-products.xml":
            return self._urlset(req, site.sitemap_products)
        if path == "/favicon.ico":
            return Response(200, images.favicon_ico(), "image/x-icon", cache)

        kind = site.broken_assets.get(path)
        if kind == "empty":
            return Response(200, b"", "image/png", cache)
        if kind == "truncated":
            m = re.fullmatch(r"/static/img/producten/([a-z0-9-]+)-\d+\.png", path)
            slug = m.group(1) if m else "kapot"
            p = site.product_by_slug.get(slug)
            data = images.truncated_png(slug, p.category if p else "")
            return Response(200, data, "image/png", cache)
        if kind == "html":
            body = (
                '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
                "<title>Afbeelding verplaatst</title></head>"
                "<body><p>Deze afbeelding is verplaatst.</p></body></html>\n"
            )
            return Response(200, body.encode(), "text/html; charset=utf-8", cache)
        if kind == "heavy":
            return Response(200, images.heavy_image(), "image/png", cache)

        data = self._image(path)
        if data is not None:
            return Response(200, data, "image/png", cache)

        if path.startswith("/static/") and path.count("/") == 2:
            target = (STATIC / path[len("/static/") :]).resolve()
            if target.parent == STATIC and target.is_file():
                ctype = STATIC_TYPES.get(target.suffix, "application/octet-stream")
                return Response(200, target.read_bytes(), ctype, cache)
        return self._error_page(req, 404)

    def _image(self, path: str) -> bytes | None:
        site = self.site
        simple = {
            "/static/img/logo.png": images.logo_image,
            "/static/img/banner.png": images.banner_image,
            "/static/img/scheiding.png": images.divider_image,
            "/static/img/winkel.png": lambda: images.blog_image("winkel", 480, 320),
        }
        if path in simple:
            return simple[path]()
        m = re.fullmatch(
            r"/static/img/producten/([a-z0-9-]+?)-(320|640|detail-240|detail-480)\.png", path
        )
        if m and m.group(1) in site.product_by_slug:
            p = site.product_by_slug[m.group(1)]
            variant = m.group(2)
            w = {"320": 320, "640": 640, "detail-240": 240, "detail-480": 480}[variant]
            seed = p.slug + ("-detail" if variant.startswith("detail") else "")
            color = p.color if not variant.startswith("detail") else None
            return images.product_image(seed, p.category, color, w, w * 3 // 4)
        m = re.fullmatch(r"/static/img/categorie/([a-z0-9-]+)\.png", path)
        if m and m.group(1) in site.category_by_slug:
            return images.category_image(m.group(1), m.group(1))
        m = re.fullmatch(r"/static/img/blog/([a-z0-9-]+)\.png", path)
        if m and m.group(1) in site.blog_by_slug:
            return images.blog_image(m.group(1))
        return None

    def _sitemap_index(self, req: Request) -> Response:
        lastmod = (self.site.today - dt.timedelta(days=1)).isoformat()
        items = "".join(
            f"  <sitemap>\n    <loc>{xml_escape(req.base_url + name)}</loc>\n"
            f"    <lastmod>{lastmod}</lastmod>\n  </sitemap>\n"
            for name in ("/sitemap-pages.xml", "/sitemap-products.xml")
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{items}</sitemapindex>\n"
        )
        return Response(200, body.encode(), "application/xml; charset=utf-8")

    def _urlset(self, req: Request, entries: list[tuple[str, dt.date | None]]) -> Response:
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
        return Response(200, body.encode(), "application/xml; charset=utf-8")

    # ------------------------------------------------------------------ catalogue pages

    def _home(self, req: Request) -> Response:
        site = self.site
        promo = site.promotion_by_slug["gratis-onderhoudsbeurt"]
        posts = sorted(site.blog, key=lambda b: b["date"], reverse=True)[:2]
        return self._render(
            req,
            "home.html",
            featured=site.featured_home,
            promo=promo,
            posts=posts,
            canonical="/",
            description="Fietsenwinkel De Spaak in Utrecht: racefietsen, stadsfietsen, "
            "e-bikes en meer.",
        )

    def _category(self, req: Request, cat: dict) -> Response:
        site = self.site
        all_products = site.products_in(cat["slug"])
        brands = sorted({(p.brand_slug, p.brand) for p in all_products}, key=lambda b: b[1].lower())
        sort = req.query.get("sort", "")
        merk = req.query.get("merk", "")
        products = list(all_products)
        if merk and merk in {b[0] for b in brands}:
            products = [p for p in products if p.brand_slug == merk]
        else:
            merk = ""
        if sort == "prijs-op":
            products.sort(key=lambda p: p.price)
        elif sort == "prijs-af":
            products.sort(key=lambda p: p.price, reverse=True)
        elif sort == "naam":
            products.sort(key=lambda p: p.name.lower())
        else:
            sort = ""

        def link(**changes: str) -> str:
            params = {"sort": sort, "merk": merk}
            params.update(changes)
            qs = urlencode([(k, v) for k, v in params.items() if v])
            return f"/categorie/{cat['slug']}/" + (f"?{qs}" if qs else "")

        sort_links = [
            (link(sort=key), label, key == sort)
            for key, label in (
                ("prijs-op", "Prijs oplopend"),
                ("prijs-af", "Prijs aflopend"),
                ("naam", "Naam"),
            )
        ]
        brand_links = [(link(merk=slug), name, slug == merk) for slug, name in brands]
        return self._render(
            req,
            "category.html",
            cat=cat,
            products=products,
            sort_links=sort_links,
            brand_links=brand_links,
            all_link=link(merk=""),
            merk=merk,
            canonical=f"/categorie/{cat['slug']}/",
            description=cat["intro"],
        )

    def _product(self, req: Request, p: Product) -> Response:
        site = self.site
        session = self._session(req, create=True)
        cat = site.category_by_slug[p.category]
        main_src = p.main_src or p.img("640")
        srcset = f"{p.img('320')} 320w, {main_src} 640w"
        if p.extra_srcset:
            srcset += f", /static/img/producten/{p.slug}{p.extra_srcset}"
        related = [o for o in site.products_in(p.category) if o.slug != p.slug][:3]
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
            "category": cat["name"],
            "image": [req.base_url + main_src],
            "description": p.description,
            "offers": offer,
        }
        jsonld_text = json.dumps(jsonld, ensure_ascii=False, indent=1).replace("</", "<\\/")
        return self._render(
            req,
            "product.html",
            p=p,
            cat=cat,
            main_src=main_src,
            srcset=srcset,
            related=related,
            csrf=session["csrf"],
            jsonld=jsonld_text,
            show_promo=bool(p.promo_until and p.promo_until >= site.today),
            canonical=p.path,
            description=_summary(p.description),
        )

    def _promotions(self, req: Request) -> Response:
        site = self.site
        return self._render(
            req,
            "promotions.html",
            promotions=site.promotions,
            soft_404=site.soft_404,
            featured=site.featured_promotions,
            canonical="/acties/",
        )

    def _promotion(self, req: Request, promo: dict) -> Response:
        canonical = f"/acties/{promo['slug']}/"
        return self._render(req, "promotion.html", promo=promo, canonical=canonical)

    def _blog_index(self, req: Request) -> Response:
        posts = sorted(self.site.blog, key=lambda b: b["date"], reverse=True)
        return self._render(req, "blog_index.html", posts=posts, canonical="/blog/")

    def _blog_post(self, req: Request, post: dict) -> Response:
        return self._render(
            req,
            "blog_post.html",
            post=post,
            lang=post.get("lang", "nl"),
            canonical=f"/blog/{post['slug']}/",
        )

    def _faq(self, req: Request) -> Response:
        return self._render(req, "faq.html", faq=self.site.faq, canonical="/faq/")

    def _simple_page(self, req: Request, template: str) -> Response:
        updated = self.site.page_updated.get(req.path)
        return self._render(req, template, canonical=req.path, updated=updated)

    def _search(self, req: Request) -> Response:
        q = req.query.get("q", "").strip()[:100]
        results: list[Product] = []
        if q:
            words = q.lower().split()
            for p in self.site.products:
                hay = f"{p.name} {p.brand} {p.category} {p.description}".lower()
                if all(w in hay for w in words):
                    results.append(p)
        return self._render(req, "search.html", q=q, query=q, results=results, noindex=True)

    # ------------------------------------------------------------------ contact form

    def _contact(
        self,
        req: Request,
        errors: list[str] | None = None,
        values: dict | None = None,
        status: int = 200,
    ) -> Response:
        session = self._session(req, create=True)
        return self._render(
            req,
            "contact.html",
            status=status,
            csrf=session["csrf"],
            errors=errors or [],
            values=values or {},
            canonical="/contact/",
        )

    def _contact_post(self, req: Request) -> Response:
        session = self._session(req)
        if session is None or req.form.get("csrf") != session["csrf"]:
            return self._error_page(req, 403)
        values = {k: req.form.get(k, "").strip() for k in ("name", "email", "message")}
        errors = []
        if not values["name"]:
            errors.append("Vul je naam in.")
        if not EMAIL_RE.match(values["email"]):
            errors.append("Vul een geldig e-mailadres in.")
        if len(values["message"]) < 5:
            errors.append("Schrijf een bericht van minstens vijf tekens.")
        if errors:
            return self._contact(req, errors, values)
        return self._redirect("/contact/bedankt/")

    def _account_post(self, req: Request) -> Response:
        # accounts are not part of the demo (and /account/ is disallowed in robots.txt)
        return self._render(
            req,
            "account.html",
            login_error="Dit e-mailadres of wachtwoord klopt niet.",
            canonical="/account/",
            noindex=True,
        )

    # ------------------------------------------------------------------ cart

    def _cart(self, req: Request) -> Response:
        session = self._session(req, create=True)
        lines, total = self._cart_lines(session)
        flaws = self._flaws(session)
        policies = [
            ("/voorwaarden/", "Algemene voorwaarden"),
            ("/privacy/", "Privacy"),
            ("/retourneren/", "Retourneren"),
        ]
        if "no-return-link" in flaws:
            # seeded defect: this flow's cart page lacks the returns-policy link
            policies = [pl for pl in policies if pl[0] != "/retourneren/"]
        message = session.pop("flash", None)
        return self._render(
            req,
            "cart.html",
            lines=lines,
            total=total,
            policies=policies,
            message=message,
            csrf=session["csrf"],
            step="cart",
            noindex=True,
        )

    def _cart_add(self, req: Request) -> Response:
        session = self._session(req)
        if session is None or not req.form.get("csrf") or req.form.get("csrf") != session["csrf"]:
            return self._error_page(req, 403)
        try:
            pid = int(req.form.get("product", ""))
            qty = int(req.form.get("qty", "1") or "1")
        except ValueError:
            return self._error_page(req, 400)
        p = self.site.product_by_id.get(pid)
        if p is None or not 1 <= qty <= 10:
            return self._error_page(req, 400)
        with self.sessions.lock:
            if not p.in_stock:
                session["flash"] = f"{p.name} is uitverkocht. We hebben het niet toegevoegd."
            else:
                cart = session["cart"]
                cart[pid] = min(10, cart.get(pid, 0) + qty)
                session.pop("address", None)
                session.pop("shipping", None)
        return self._redirect("/winkelwagen/")

    def _cart_remove(self, req: Request) -> Response:
        session = self._session(req)
        if session is None or req.form.get("csrf") != session["csrf"]:
            return self._error_page(req, 403)
        try:
            pid = int(req.form.get("product", ""))
        except ValueError:
            return self._error_page(req, 400)
        with self.sessions.lock:
            session["cart"].pop(pid, None)
        return self._redirect("/winkelwagen/")

    # ------------------------------------------------------------------ checkout

    def _checkout_session(self, req: Request) -> dict | None:
        """The session if it has a non-empty cart, else None (caller redirects)."""
        session = self._session(req)
        if session is None or not session["cart"]:
            return None
        return session

    def _checkout_step(
        self, req: Request, done: tuple[str, ...]
    ) -> tuple[dict, None] | tuple[None, Response]:
        """The session for a checkout step, or where the visitor goes instead: the cart
        without a cart, 403 for a form posted without the session's token, the first of
        the steps `done` that is not done yet."""
        session = self._checkout_session(req)
        if session is None:
            return None, self._redirect("/winkelwagen/")
        if req.method == "POST" and req.form.get("csrf") != session["csrf"]:
            return None, self._error_page(req, 403)
        for step in done:
            if step not in session:
                return None, self._redirect(_STEP_PATHS[step])
        return session, None

    def _checkout_render(self, req: Request, template: str, session: dict, **ctx: Any) -> Response:
        lines, total = self._cart_lines(session)
        return self._render(
            req, template, csrf=session["csrf"], lines=lines, total=total, noindex=True, **ctx
        )

    def _checkout_address(
        self, req: Request, errors: list[str] | None = None, values: dict | None = None
    ) -> Response:
        session, elsewhere = self._checkout_step(req, ())
        if session is None:
            return elsewhere
        return self._checkout_render(
            req,
            "checkout_address.html",
            session,
            step="address",
            errors=errors or [],
            values=values if values is not None else session.get("address", {}),
        )

    def _checkout_address_post(self, req: Request) -> Response:
        session, elsewhere = self._checkout_step(req, ())
        if session is None:
            return elsewhere
        fields = ("name", "email", "street", "postcode", "city")
        values = {k: req.form.get(k, "").strip() for k in fields}
        values["postcode"] = values["postcode"].upper()
        if values["postcode"].replace(" ", "") == str(self.site.checkout["crash_postcode"]):
            # seeded defect: the postcode lookup "crashes" for this input
            return self._error_page(req, 500)
        errors = []
        if not values["name"]:
            errors.append("Vul je naam in.")
        if not EMAIL_RE.match(values["email"]):
            errors.append("Vul een geldig e-mailadres in.")
        if not values["street"]:
            errors.append("Vul je straat en huisnummer in.")
        if not POSTCODE_RE.match(values["postcode"]):
            errors.append("Vul een geldige postcode in, zoals 1234 AB.")
        if not values["city"]:
            errors.append("Vul je woonplaats in.")
        if errors:
            return self._checkout_address(req, errors, values)
        with self.sessions.lock:
            session["address"] = values
            session.pop("shipping", None)
        return self._redirect("/afrekenen/verzending/")

    def _delivery_days(self) -> list[tuple[str, str]]:
        days, d = [], self.site.today
        while len(days) < 5:
            d += dt.timedelta(days=1)
            if d.weekday() == 6:  # no delivery on Sunday
                continue
            days.append((d.isoformat(), f"{DAYS_NL[d.weekday()]} {d.day} {MONTHS_NL[d.month - 1]}"))
        return days

    def _checkout_shipping(self, req: Request, errors: list[str] | None = None) -> Response:
        session, elsewhere = self._checkout_step(req, ("address",))
        if session is None:
            return elsewhere
        if "slow-shipping" in self._flaws(session):
            # seeded defect: this step is slow for the flawed product's flow
            time.sleep(float(self.site.checkout.get("slow_seconds", 3.5)))
        days = self._delivery_days()
        current = session.get("shipping") or {"bezorging": "thuis", "bezorgdag": days[0][0]}
        return self._checkout_render(
            req,
            "checkout_shipping.html",
            session,
            step="shipping",
            errors=errors or [],
            days=days,
            methods=DELIVERY_METHODS,
            current=current,
        )

    def _checkout_shipping_post(self, req: Request) -> Response:
        session, elsewhere = self._checkout_step(req, ("address",))
        if session is None:
            return elsewhere
        method = req.form.get("bezorging", "")
        day = req.form.get("bezorgdag", "")
        errors = []
        if method not in dict(DELIVERY_METHODS):
            errors.append("Kies hoe je je bestelling wilt ontvangen.")
        if day not in dict(self._delivery_days()):
            errors.append("Kies een bezorgdag uit de lijst.")
        if errors:
            return self._checkout_shipping(req, errors)
        with self.sessions.lock:
            session["shipping"] = {"bezorging": method, "bezorgdag": day}
        return self._redirect("/afrekenen/betaling/")

    def _checkout_payment(self, req: Request, errors: list[str] | None = None) -> Response:
        session, elsewhere = self._checkout_step(req, ("address", "shipping"))
        if session is None:
            return elsewhere
        return self._checkout_render(
            req,
            "checkout_payment.html",
            session,
            step="payment",
            errors=errors or [],
            methods=PAYMENT_METHODS,
            # seeded defect: a visible error message in the flawed product's flow
            payment_error="payment-error" in self._flaws(session),
        )

    def _checkout_payment_post(self, req: Request) -> Response:
        session, elsewhere = self._checkout_step(req, ("address", "shipping"))
        if session is None:
            return elsewhere
        method = req.form.get("methode", "")
        if method not in dict(PAYMENT_METHODS):
            return self._checkout_payment(req, ["Kies een betaalmethode."])
        lines, total = self._cart_lines(session)
        with self._orders_lock:
            n = next(self._orders)
        number = f"DS-{self.site.today:%Y%m%d}-{n:04d}"
        with self.sessions.lock:
            session["last_order"] = {
                "number": number,
                "lines": [(line["p"].slug, line["qty"], str(line["total"])) for line in lines],
                "total": total,
                "method": dict(PAYMENT_METHODS)[method],
                "address": session.pop("address"),
                "shipping": session.pop("shipping"),
            }
            session["cart"] = OrderedDict()
        return self._redirect("/afrekenen/bevestiging/")

    def _checkout_confirmation(self, req: Request) -> Response:
        session = self._session(req)
        if session is None or "last_order" not in session:
            return self._redirect("/winkelwagen/")
        order = session["last_order"]
        day = dt.date.fromisoformat(order["shipping"]["bezorgdag"])
        return self._render(
            req,
            "checkout_confirmation.html",
            order=order,
            step="done",
            noindex=True,
            delivery_day=f"{DAYS_NL[day.weekday()]} {format_date_nl(day)}",
            delivery=dict(DELIVERY_METHODS)[order["shipping"]["bezorging"]],
        )
