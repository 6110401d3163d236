"""The shopping cart: its lines and total, the cart page and the add/remove forms, which
keep the cart in the visitor's session."""

from __future__ import annotations

from decimal import Decimal

from .site import Site
from .web import App, Request, Response, redirect

MAX_QUANTITY = 10
POLICY_LINKS = [
    ("/voorwaarden/", "Algemene voorwaarden"),
    ("/privacy/", "Privacy"),
    ("/retourneren/", "Retourneren"),
]


def cart_lines(site: Site, session: dict | None) -> tuple[list[dict], Decimal]:
    """The cart's lines (product, quantity, unit price, line total) and its total."""
    lines, total = [], Decimal("0")
    if not session:
        return lines, total
    for pid, qty in session["cart"].items():
        p = site.product_by_id.get(pid)
        if p is None:
            continue
        line_total = p.charged_price * qty
        lines.append({"p": p, "qty": qty, "unit": p.charged_price, "total": line_total})
        total += line_total
    return lines, total


def checkout_flaws(site: Site, session: dict | None) -> set[str]:
    """The seeded checkout defects of the products in the cart (``checkout_flaws``)."""
    lines, _ = cart_lines(site, session)
    return {f for line in lines for f in line["p"].checkout_flaws}


def cart_page(app: App, req: Request) -> Response:
    session = app.session(req, create=True)
    lines, total = cart_lines(app.site, session)
    policies = POLICY_LINKS
    if "no-return-link" in checkout_flaws(app.site, session):
        # seeded defect: this flow's cart page lacks the returns-policy link
        policies = [pl for pl in policies if pl[0] != "/retourneren/"]
    message = session.pop("flash", None)
    return app.render(
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


def add(app: App, req: Request) -> Response:
    session = app.session(req)
    if not req.has_token(session):
        return app.error_page(req, 403)
    try:
        pid = int(req.form.get("product", ""))
        qty = int(req.form.get("qty", "1") or "1")
    except ValueError:
        return app.error_page(req, 400)
    p = app.site.product_by_id.get(pid)
    if p is None or not 1 <= qty <= MAX_QUANTITY:
        return app.error_page(req, 400)
    with app.sessions.lock:
        if not p.in_stock:
            session["flash"] = f"{p.name} is uitverkocht. We hebben het niet toegevoegd."
        else:
            cart = session["cart"]
            cart[pid] = min(MAX_QUANTITY, cart.get(pid, 0) + qty)
            session.pop("address", None)
            session.pop("shipping", None)
    return redirect("/winkelwagen/")


def remove(app: App, req: Request) -> Response:
    session = app.session(req)
    if not req.has_token(session):
        return app.error_page(req, 403)
    try:
        pid = int(req.form.get("product", ""))
    except ValueError:
        return app.error_page(req, 400)
    with app.sessions.lock:
        session["cart"].pop(pid, None)
    return redirect("/winkelwagen/")
