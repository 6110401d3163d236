"""What every page module works with: the parsed request, the response, the visitor's
session and ``App``, which renders templates against today's ``Site``."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.cookies
import itertools
import logging
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2

from .descriptions import DESCRIPTIONS
from .dutch import format_date_nl, format_euro
from .site import Site

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
SESSION_COOKIE = "spaak_sessie"
MAX_SESSIONS = 5000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

ERROR_TEXTS = {
    400: ("Ongeldig verzoek", "Er ging iets mis met je verzoek. Probeer het nog eens."),
    403: (
        "Geen toegang",
        "Je sessie is verlopen of het formulier is ongeldig. Ga terug en probeer het opnieuw.",
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


@dataclass
class Response:
    """What a page handler answers; the HTTP handler adds Content-Length (and a cookie)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def redirect(location: str, status: int = 303) -> Response:
    href = html_escape(location)
    body = (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>Doorsturen</title>'
        f'</head><body><p>Ga verder naar <a href="{href}">{href}</a>.</p></body></html>\n'
    )
    return Response(status, body.encode(), "text/html; charset=utf-8", [("Location", location)])


def name_and_email_errors(values: dict[str, str]) -> list[str]:
    """What is wrong with a posted form's name and e-mail fields (contact, checkout)."""
    errors = []
    if not values["name"]:
        errors.append("Vul je naam in.")
    if not EMAIL_RE.match(values["email"]):
        errors.append("Vul een geldig e-mailadres in.")
    return errors


class Request:
    """One request: path, query, posted form, the base URL to link to, the session cookie."""

    def __init__(self, handler: BaseHTTPRequestHandler, method: str, form: dict[str, str]):
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

    def has_token(self, session: dict | None) -> bool:
        """Whether the posted form carries `session`'s CSRF token."""
        return session is not None and self.form.get("csrf") == session["csrf"]


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


def _template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["euro"] = format_euro
    env.filters["nldate"] = format_date_nl
    env.filters["price_attr"] = lambda v: f"{Decimal(str(v)):.2f}"
    return env


class App:
    """The shop behind the HTTP server: today's site, the sessions, the templates and the
    order numbers, as every page handler ``handler(app, request, ...)`` sees them."""

    def __init__(self, today: dt.date | None = None):
        self._today = today.date() if isinstance(today, dt.datetime) else today
        self._site_cache: tuple[dt.date, Site] | None = None
        self.sessions = SessionStore()
        self._orders = itertools.count(1)
        self._orders_lock = threading.Lock()
        self.env = _template_env()

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

    def next_order_serial(self) -> int:
        with self._orders_lock:
            return next(self._orders)

    def session(self, req: Request, create: bool = False) -> dict | None:
        if req.new_session is not None:
            return req.new_session
        s = self.sessions.get(req.session_id)
        if s is None and create:
            s = self.sessions.create()
            req.new_session = s
        return s

    def render(self, req: Request, template: str, status: int = 200, **ctx: Any) -> Response:
        session = self.session(req)
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
            "description": DESCRIPTIONS.get(req.path),
            "query": "",
        }
        base.update(ctx)
        html = self.env.get_template(template).render(**base)
        return Response(status, html.encode("utf-8"))

    def error_page(self, req: Request, status: int) -> Response:
        title, text = ERROR_TEXTS.get(status, ("Fout", "Er ging iets mis."))
        try:
            return self.render(req, "error.html", status=status, title=title, text=text)
        except Exception:  # pragma: no cover
            log.exception("error page failed")
            return Response(status, f"{status} {title}".encode(), "text/plain; charset=utf-8")
