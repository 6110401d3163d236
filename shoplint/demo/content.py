"""The content pages around the catalogue: promotions, the blog, the FAQ, the contact form,
the account page and the simple text pages (privacy, terms, returns...)."""

from __future__ import annotations

from .site import SIMPLE_PAGES
from .web import App, Request, Response, name_and_email_errors, redirect


def promotions(app: App, req: Request) -> Response:
    site = app.site
    return app.render(
        req,
        "promotions.html",
        promotions=site.promotions,
        soft_404=site.soft_404,
        featured=site.featured_promotions,
        canonical="/acties/",
    )


def promotion(app: App, req: Request, promo: dict) -> Response:
    canonical = f"/acties/{promo['slug']}/"
    return app.render(req, "promotion.html", promo=promo, canonical=canonical)


def blog_index(app: App, req: Request) -> Response:
    posts = sorted(app.site.blog, key=lambda b: b["date"], reverse=True)
    return app.render(req, "blog_index.html", posts=posts, canonical="/blog/")


def blog_post(app: App, req: Request, post: dict) -> Response:
    return app.render(
        req,
        "blog_post.html",
        post=post,
        lang=post.get("lang", "nl"),
        canonical=f"/blog/{post['slug']}/",
    )


def faq(app: App, req: Request) -> Response:
    return app.render(req, "faq.html", faq=app.site.faq, canonical="/faq/")


def simple_page(app: App, req: Request) -> Response:
    """One of the SIMPLE_PAGES, rendered from its template."""
    updated = app.site.page_updated.get(req.path)
    return app.render(req, SIMPLE_PAGES[req.path], canonical=req.path, updated=updated)


def contact(
    app: App,
    req: Request,
    errors: list[str] | None = None,
    values: dict | None = None,
) -> Response:
    session = app.session(req, create=True)
    return app.render(
        req,
        "contact.html",
        csrf=session["csrf"],
        errors=errors or [],
        values=values or {},
        canonical="/contact/",
    )


def contact_post(app: App, req: Request) -> Response:
    if not req.has_token(app.session(req)):
        return app.error_page(req, 403)
    values = {k: req.form.get(k, "").strip() for k in ("name", "email", "message")}
    errors = name_and_email_errors(values)
    if len(values["message"]) < 5:
        errors.append("Schrijf een bericht van minstens vijf tekens.")
    if errors:
        return contact(app, req, errors, values)
    return redirect("/contact/bedankt/")


def account_post(app: App, req: Request) -> Response:
    # accounts are not part of the demo (and /account/ is disallowed in robots.txt)
    return app.render(
        req,
        "account.html",
        login_error="Dit e-mailadres of wachtwoord klopt niet.",
        canonical="/account/",
        noindex=True,
    )
