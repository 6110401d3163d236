"""The checkout steps after the cart (address, shipping, payment, confirmation): each
step checks that the steps before it are done and stores its answer in the session."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import OrderedDict
from typing import Any

from .cart import cart_lines, checkout_flaws
from .dutch import DAYS_NL, MONTHS_NL, format_date_nl
from .web import App, Request, Response, name_and_email_errors, redirect

POSTCODE_RE = re.compile(r"^\d{4}\s?[A-Z]{2}$")
STEP_PATHS = {"address": "/afrekenen/adres/", "shipping": "/afrekenen/verzending/"}
ADDRESS_FIELDS = ("name", "email", "street", "postcode", "city")
PAYMENT_METHODS = [
    ("ideal", "iDEAL"),
    ("creditcard", "Creditcard"),
    ("achteraf", "Achteraf betalen"),
]
DELIVERY_METHODS = [
    ("thuis", "Thuisbezorgd (gratis)"),
    ("afhaalpunt", "Ophalen bij een afhaalpunt"),
]


def _step_session(
    app: App, req: Request, done: tuple[str, ...]
) -> tuple[dict, None] | tuple[None, Response]:
    """The session for a checkout step, or where the visitor goes instead: the cart
    without a cart, 403 for a form posted without the session's token, the first of
    the steps `done` that is not done yet."""
    session = app.session(req)
    if session is None or not session["cart"]:
        return None, redirect("/winkelwagen/")
    if req.method == "POST" and not req.has_token(session):
        return None, app.error_page(req, 403)
    for step in done:
        if step not in session:
            return None, redirect(STEP_PATHS[step])
    return session, None


def _render_step(app: App, req: Request, template: str, session: dict, **ctx: Any) -> Response:
    lines, total = cart_lines(app.site, session)
    return app.render(
        req, template, csrf=session["csrf"], lines=lines, total=total, noindex=True, **ctx
    )


def address(
    app: App, req: Request, errors: list[str] | None = None, values: dict | None = None
) -> Response:
    session, elsewhere = _step_session(app, req, ())
    if session is None:
        return elsewhere
    return _render_step(
        app,
        req,
        "checkout_address.html",
        session,
        step="address",
        errors=errors or [],
        values=values if values is not None else session.get("address", {}),
    )


def _address_errors(values: dict[str, str]) -> list[str]:
    errors = name_and_email_errors(values)
    if not values["street"]:
        errors.append("Vul je straat en huisnummer in.")
    if not POSTCODE_RE.match(values["postcode"]):
        errors.append("Vul een geldige postcode in, zoals 1234 AB.")
    if not values["city"]:
        errors.append("Vul je woonplaats in.")
    return errors


def address_post(app: App, req: Request) -> Response:
    session, elsewhere = _step_session(app, req, ())
    if session is None:
        return elsewhere
    values = {k: req.form.get(k, "").strip() for k in ADDRESS_FIELDS}
    values["postcode"] = values["postcode"].upper()
    if values["postcode"].replace(" ", "") == str(app.site.checkout["crash_postcode"]):
        # seeded defect: the postcode lookup "crashes" for this input
        return app.error_page(req, 500)
    errors = _address_errors(values)
    if errors:
        return address(app, req, errors, values)
    with app.sessions.lock:
        session["address"] = values
        session.pop("shipping", None)
    return redirect("/afrekenen/verzending/")


def _delivery_days(today: dt.date) -> list[tuple[str, str]]:
    """The next five delivery days (not on Sunday): (ISO date, Dutch label)."""
    days, d = [], today
    while len(days) < 5:
        d += dt.timedelta(days=1)
        if d.weekday() == 6:  # no delivery on Sunday
            continue
        days.append((d.isoformat(), f"{DAYS_NL[d.weekday()]} {d.day} {MONTHS_NL[d.month - 1]}"))
    return days


def shipping(app: App, req: Request, errors: list[str] | None = None) -> Response:
    session, elsewhere = _step_session(app, req, ("address",))
    if session is None:
        return elsewhere
    if "slow-shipping" in checkout_flaws(app.site, session):
        # seeded defect: this step is slow for the flawed product's flow
        time.sleep(float(app.site.checkout.get("slow_seconds", 3.5)))
    days = _delivery_days(app.site.today)
    current = session.get("shipping") or {"bezorging": "thuis", "bezorgdag": days[0][0]}
    return _render_step(
        app,
        req,
        "checkout_shipping.html",
        session,
        step="shipping",
        errors=errors or [],
        days=days,
        methods=DELIVERY_METHODS,
        current=current,
    )


def shipping_post(app: App, req: Request) -> Response:
    session, elsewhere = _step_session(app, req, ("address",))
    if session is None:
        return elsewhere
    method = req.form.get("bezorging", "")
    day = req.form.get("bezorgdag", "")
    errors = []
    if method not in dict(DELIVERY_METHODS):
        errors.append("Kies hoe je je bestelling wilt ontvangen.")
    if day not in dict(_delivery_days(app.site.today)):
        errors.append("Kies een bezorgdag uit de lijst.")
    if errors:
        return shipping(app, req, errors)
    with app.sessions.lock:
        session["shipping"] = {"bezorging": method, "bezorgdag": day}
    return redirect("/afrekenen/betaling/")


def payment(app: App, req: Request, errors: list[str] | None = None) -> Response:
    session, elsewhere = _step_session(app, req, ("address", "shipping"))
    if session is None:
        return elsewhere
    return _render_step(
        app,
        req,
        "checkout_payment.html",
        session,
        step="payment",
        errors=errors or [],
        methods=PAYMENT_METHODS,
        # seeded defect: a visible error message in the flawed product's flow
        payment_error="payment-error" in checkout_flaws(app.site, session),
    )


def payment_post(app: App, req: Request) -> Response:
    session, elsewhere = _step_session(app, req, ("address", "shipping"))
    if session is None:
        return elsewhere
    method = req.form.get("methode", "")
    if method not in dict(PAYMENT_METHODS):
        return payment(app, req, ["Kies een betaalmethode."])
    lines, total = cart_lines(app.site, session)
    number = f"DS-{app.site.today:%Y%m%d}-{app.next_order_serial():04d}"
    with app.sessions.lock:
        session["last_order"] = {
            "number": number,
            "lines": [(line["p"].slug, line["qty"], str(line["total"])) for line in lines],
            "total": total,
            "method": dict(PAYMENT_METHODS)[method],
            "address": session.pop("address"),
            "shipping": session.pop("shipping"),
        }
        session["cart"] = OrderedDict()
    return redirect("/afrekenen/bevestiging/")


def confirmation(app: App, req: Request) -> Response:
    session = app.session(req)
    if session is None or "last_order" not in session:
        return redirect("/winkelwagen/")
    order = session["last_order"]
    day = dt.date.fromisoformat(order["shipping"]["bezorgdag"])
    return app.render(
        req,
        "checkout_confirmation.html",
        order=order,
        step="done",
        noindex=True,
        delivery_day=f"{DAYS_NL[day.weekday()]} {format_date_nl(day)}",
        delivery=dict(DELIVERY_METHODS)[order["shipping"]["bezorging"]],
    )
