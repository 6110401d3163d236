"""A small purpose-built shop for the checkout tests: real sockets on 127.0.0.1 (https on
request), sessions in a cookie, CSRF tokens in hidden inputs, and a checkout of four steps
(cart, address, shipping with radio buttons and a select, payment). Each flaw the checkout
check must find is one field of `Flaws`; the default shop has none.

    with CheckoutShop() as shop:              # shop.url, shop.orders, shop.requests
        ...

Pages: /product/bike/ (JSON-LD and itemprop price, form.add-to-cart), /cart/ (tr.cart-line,
.unit-price, a.checkout-button, policy links), /checkout/address/ (form#address),
/checkout/shipping/ (form#shipping), /checkout/payment/ (form#payment), /checkout/done/.
"""

from __future__ import annotations

import datetime as dt
import http.cookies
import secrets
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from checks.checkout import FlowResult
from shoplint.config import parse_config
from shoplint.runner import checkout as checkout_flows

PRODUCT_PRICE = "1299.00"  # in the JSON-LD; shown as € 1.299,00
POLICIES = {"terms": "/terms/", "privacy": "/privacy/", "returns": "/returns/"}
TODAY = dt.date(2026, 5, 1)
_SESSION_PAGES = frozenset(
    {
        "/cart/",
        "/cart/add",
        "/checkout/address/",
        "/checkout/shipping/",
        "/checkout/payment/",
        "/checkout/done/",
    }
)
GUEST_STEPS: list[dict[str, Any]] = [  # a guest checkout of this shop, as shoplint.yml says it
    {"name": "add to cart", "submit": "form.add-to-cart", "expect": {"selector": "tr.cart-line"}},
    {"name": "to checkout", "follow": "a.checkout-button", "expect": {"selector": "form#address"}},
    {
        "name": "address",
        "submit": "form#address",
        "fields": {"name": "Test", "email": "test@example.com", "postcode": "1234AB"},
        "expect": {"selector": "form#shipping"},
    },
    {"name": "shipping", "submit": "form#shipping", "expect": {"selector": "form#payment"}},
    {"name": "pay", "submit": "form#payment", "expect": {"contains": "Thank you for your order"}},
]


def guest_flow(**keys: Any) -> dict[str, Any]:
    """The guest checkout flow, with `keys` (name, stop_before, steps, ...) laid over it."""
    return {"start": "/product/bike/", "steps": GUEST_STEPS, **keys}


def walk(url: str, checkout: Any, **sections: Any) -> list[FlowResult]:
    """`shoplint checkout URL` in-process: the flows of `checkout` (one or a list), with
    other config sections (checks, crawl, site) as given."""
    config = parse_config({"checkout": checkout, **sections}, "test config")
    return checkout_flows(url, config, TODAY)


@dataclass
class Flaws:
    cart_price: str = "€ 1.299,00"  # what the cart line shows
    slow_shipping: float = 0.0  # seconds the shipping page takes
    payment_message: str = ""  # shown in a div.alert on the payment page
    cart_text: str = ""  # extra text on the cart page (a placeholder, say)
    cart_link: str = "/terms/"  # an extra link on the cart page
    cart_image: str = "/logo.png"  # the cart's logo image
    missing_policies: tuple[str, ...] = ()  # policy links left out of the cart page
    broken_policies: tuple[str, ...] = ()  # policy pages that answer 404
    crash_postcode: str = ""  # the address step answers 500 for this postcode
    forget_session_at_address: bool = False  # the address step loses the session
    payment_redirect: str = ""  # the payment POST redirects here (a payment provider)
    address_action: str = "/checkout/address/"  # where form#address posts to
    cart_resource: str = ""  # an extra <script src> on the cart page
    require: Mapping[str, str] = field(default_factory=dict)  # header -> value, else 401


@dataclass
class Order:
    address: dict[str, str]
    shipping: dict[str, str]
    method: str


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body><main>{body}</main></body></html>"
    ).encode()


class CheckoutShop:
    def __init__(self, flaws: Flaws | None = None, *, tls: tuple[Path, Path] | None = None):
        self.flaws = flaws or Flaws()
        self.orders: list[Order] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self._sessions: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            daemon=True,  # quick shutdown
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/"

    def __enter__(self) -> CheckoutShop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- pages ---------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, form: dict[str, str], session: dict | None
    ) -> tuple[int, dict[str, str], bytes, dict | None]:
        """(status, headers, body, the session to set a cookie for)."""
        flaws = self.flaws
        if path == "/product/bike/":
            session = session or self._new_session()
            return 200, {}, self._product(session), session
        if path in ("/terms/", "/privacy/", "/returns/", "/"):
            name = next((k for k, v in POLICIES.items() if v == path), "home")
            status = 404 if name in flaws.broken_policies else 200
            return status, {}, _page(name, f"<h1>{name}</h1>"), None
        if path == "/logo.png":
            return 200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n", None
        if path not in _SESSION_PAGES:
            return 404, {}, _page("Not found", "<h1>Not found</h1>"), None
        if session is None:
            return 303, {"Location": "/cart/"}, b"", self._new_session()
        if method == "POST" and form.get("csrf") != session["csrf"]:
            return 403, {}, _page("Forbidden", "<h1>Session expired</h1>"), None
        if path == "/cart/add" and method == "POST":
            session["cart"] = {"bike": int(form.get("qty", "1"))}
            return 303, {"Location": "/cart/"}, b"", None
        if path == "/cart/":
            return 200, {}, self._cart(session), None
        if path == "/checkout/done/" and session.get("ordered"):
            return 200, {}, _page("Thanks", "<h1>Thank you for your order</h1>"), None
        if not session.get("cart"):
            return 303, {"Location": "/cart/"}, b"", None
        return self._checkout(method, path, form, session)

    def _checkout(
        self, method: str, path: str, form: dict[str, str], session: dict
    ) -> tuple[int, dict[str, str], bytes, dict | None]:
        flaws, csrf = self.flaws, session["csrf"]
        if path == "/checkout/address/" and method == "POST":
            if flaws.crash_postcode and form.get("postcode") == flaws.crash_postcode:
                return 500, {}, _page("Error", "<h1>Internal Server Error</h1>"), None
            session["address"] = {k: form.get(k, "") for k in ("name", "email", "postcode")}
            if flaws.forget_session_at_address:
                with self._lock:
                    self._sessions.pop(session["id"], None)
            return 303, {"Location": "/checkout/shipping/"}, b"", None
        if path == "/checkout/address/":
            body = (
                f'<h1>Address</h1><form id="address" method="post" action="{flaws.address_action}">'
                f'<input type="hidden" name="csrf" value="{csrf}">'
                '<input name="name"><input name="email" type="email"><input name="postcode">'
                '<button type="submit" name="next" value="shipping">Next</button></form>'
            )
            return 200, {}, _page("Address", body), None
        if path == "/checkout/shipping/" and method == "POST":
            session["shipping"] = {k: form.get(k, "") for k in ("delivery", "day", "gift")}
            return 303, {"Location": "/checkout/payment/"}, b"", None
        if path == "/checkout/shipping/":
            time.sleep(flaws.slow_shipping)
            days = [(dt.date(2026, 5, d).isoformat(), f"May {d}") for d in (4, 5, 6)]
            options = "".join(
                f'<option value="{v}"{" selected" if i == 1 else ""}>{label}</option>'
                for i, (v, label) in enumerate(days)
            )
            body = (
                '<h1>Shipping</h1><form id="shipping" method="post" action="/checkout/shipping/">'
                f'<input type="hidden" name="csrf" value="{csrf}">'
                '<label><input type="radio" name="delivery" value="home"> Home</label>'
                '<label><input type="radio" name="delivery" value="pickup" checked> Pick-up'
                "</label>"
                f'<select name="day">{options}</select>'
                '<input type="checkbox" name="gift" value="yes">'
                '<input name="voucher" disabled value="FREE">'
                '<button type="submit">Next</button></form>'
            )
            return 200, {}, _page("Shipping", body), None
        if path == "/checkout/payment/" and method == "POST":
            if flaws.payment_redirect:
                return 303, {"Location": flaws.payment_redirect}, b"", None
            order = Order(session["address"], session["shipping"], form.get("method", ""))
            self.orders.append(order)
            session.update(cart={}, ordered=True)
            return 303, {"Location": "/checkout/done/"}, b"", None
        if path == "/checkout/payment/":
            message = flaws.payment_message
            alert = f'<div class="alert" role="alert">{message}</div>' if message else ""
            body = (
                f"<h1>Payment</h1>{alert}"
                '<form id="payment" method="post" action="/checkout/payment/">'
                f'<input type="hidden" name="csrf" value="{csrf}">'
                '<label><input type="radio" name="method" value="ideal" checked> iDEAL</label>'
                '<label><input type="radio" name="method" value="card"> Card</label>'
                '<button type="submit">Pay</button></form>'
            )
            return 200, {}, _page("Payment", body), None
        return 404, {}, _page("Not found", "<h1>Not found</h1>"), None

    def _product(self, session: dict) -> bytes:
        jsonld = (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@type":'
            f' "Product", "name": "Bike", "offers": {{"@type": "Offer", "price": "{PRODUCT_PRICE}",'
            ' "priceCurrency": "EUR"}}</script>'
        )
        body = (
            '<h1>Bike</h1><p><span itemprop="price" content="1299.00">€ 1.299,00</span></p>'
            '<form class="add-to-cart" method="post" action="/cart/add">'
            f'<input type="hidden" name="csrf" value="{session["csrf"]}">'
            '<input type="number" name="qty" value="1"><button>Add to cart</button></form>'
        )
        return _page("Bike", body, jsonld)

    def _cart(self, session: dict) -> bytes:
        flaws = self.flaws
        policies = "".join(
            f'<a href="{href}">{name}</a> '
            for name, href in POLICIES.items()
            if name not in flaws.missing_policies
        )
        script = f'<script src="{flaws.cart_resource}"></script>' if flaws.cart_resource else ""
        lines = (
            '<tr class="cart-line"><td><a href="/product/bike/">Bike</a></td>'
            f'<td class="unit-price">{flaws.cart_price}</td></tr>'
            if session.get("cart")
            else ""
        )
        body = (
            f'<img src="{flaws.cart_image}" alt="Shop"><h1>Cart</h1>{script}'
            f"<table>{lines}</table><p>{flaws.cart_text}</p>"
            f'<a class="checkout-button" href="/checkout/address/">Checkout</a>'
            f' <a href="{flaws.cart_link}">More</a><nav>{policies}</nav>'
        )
        return _page("Cart", body)

    def _new_session(self) -> dict:
        session = {"id": secrets.token_hex(8), "csrf": secrets.token_urlsafe(12), "cart": {}}
        with self._lock:
            self._sessions[session["id"]] = session
        return session

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no ACK waits

            def _serve(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                shop.requests.append((self.command, self.path, headers))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if any(headers.get(k.lower()) != v for k, v in shop.flaws.require.items()):
                    return self._send(401, {"WWW-Authenticate": 'Basic realm="staging"'}, b"")
                cookies = http.cookies.SimpleCookie(self.headers.get("Cookie") or "")
                sid = cookies["sid"].value if "sid" in cookies else None
                with shop._lock:
                    session = shop._sessions.get(sid or "")
                path = urlsplit(self.path).path
                status, extra, body, new = shop.answer(
                    self.command, path, dict(parse_qsl(raw, keep_blank_values=True)), session
                )
                if new is not None and new is not session:
                    extra = {**extra, "Set-Cookie": f"sid={new['id']}; Path=/; HttpOnly"}
                self._send(status, extra, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve  # noqa: N815 - the http.server API

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
