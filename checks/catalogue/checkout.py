"""The checkout family's rules (checks/checkout/): what a walked checkout flow can report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from checks import DATA
from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

STEP_FAILED = "CHK001"
SLOW_STEP = "CHK002"
ERROR_ON_STEP = "CHK003"
PLACEHOLDER_ON_STEP = "CHK004"
BROKEN_LINK_ON_STEP = "CHK005"
BROKEN_IMAGE_ON_STEP = "CHK006"
POLICY_LINK = "CHK007"
PRICE_MISMATCH = "CHK008"
INSECURE_STEP = "CHK009"
MIXED_CONTENT = "CHK010"
FAILED_CALL = "CHK011"


def _known_policies(options: Mapping[str, Any]) -> None:
    policies = yaml.safe_load((DATA / "policy_links.yml").read_text(encoding="utf-8"))
    unknown = [name for name in options["required"] if name not in policies]
    if unknown:
        raise ValueError(f"required: unknown policy {unknown[0]!r} (known: {', '.join(policies)})")


RULES = (
    Rule(
        code=STEP_FAILED,
        family="checkout",
        name="checkout-step-failed",
        severity=S.ERROR,
        team="it",
        summary="A checkout step failed: wrong answer, missing form or link, or unexpected page",
        explanation=(
            "shoplint walks the checkout like a customer: it adds a product to the cart and goes "
            "through the steps configured for the shop. This step did not work: the server "
            "answered with an error or not at all, the button or form the customer needs was not "
            "on the page, or the page did not show what it should (the message names the step "
            "and what was expected versus found). Customers get stuck here and cannot order. "
            "This is for the IT team: repeat the step in a browser, look in the server's error "
            "log, and fix it before anything else."
        ),
    ),
    Rule(
        code=SLOW_STEP,
        family="checkout",
        name="slow-checkout-step",
        severity=S.WARNING,
        team="it",
        summary="A checkout step took longer than its time budget",
        explanation=(
            "This step of the checkout took longer than its budget (3 seconds unless the flow "
            "sets another with expect.max_ms). Every second of waiting in the checkout costs "
            "orders: customers think the shop hangs, click twice or leave. The time is measured "
            "over the whole step, redirects included. This is for the IT team: find what the "
            "page waits for (a shipping-rate service, a stock check, a slow database query)."
        ),
        options={
            "max_ms": Option(
                default=3000,
                type=int,
                doc="milliseconds per step, unless the step's expect.max_ms says else",
            ),
        },
    ),
    Rule(
        code=ERROR_ON_STEP,
        family="checkout",
        name="error-message-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="An error message or stack trace shown on a checkout page",
        explanation=(
            "A page of the checkout tells the customer that something went wrong ('Er is iets "
            "misgegaan', 'Something went wrong') or shows a program's crash report, while the "
            "step itself answered normally. Customers who read an error while paying stop "
            "trusting the shop and abandon the order. This is for the IT team: find the part of "
            "the page that fails (payment methods, shipping options, a voucher box) and fix it."
        ),
    ),
    Rule(
        code=PLACEHOLDER_ON_STEP,
        family="checkout",
        name="placeholder-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="Template code, filler text or 'NaN' / 'undefined' shown on a checkout page",
        explanation=(
            "A page of the checkout shows text that was never meant for customers: template code "
            "such as '{{ order.total }}', filler text, or 'NaN', 'undefined' or 'null' where a "
            "price or name should be. In the checkout this usually means the customer cannot see "
            "what they pay. This is for the IT team: fix the template or the data it is filled "
            "from."
        ),
    ),
    Rule(
        code=BROKEN_LINK_ON_STEP,
        family="checkout",
        name="broken-link-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="A link on a checkout page leads to a page that does not work",
        explanation=(
            "A link on a page of the checkout leads to an address of the shop that answers 'not "
            "found', a server error or nothing at all. Checkout pages are often built from their "
            "own templates, so the crawl of the shop never sees these links. A customer who "
            "wants to check delivery times or go back to the cart hits an error in the middle of "
            "ordering. Correct the link in the checkout template, or bring the page back."
        ),
    ),
    Rule(
        code=BROKEN_IMAGE_ON_STEP,
        family="checkout",
        name="broken-image-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="An image on a checkout page does not load",
        explanation=(
            "An image on a page of the checkout (a product photo in the cart, a payment method's "
            "logo, the shop's logo) answers 'not found', a server error or nothing at all. The "
            "customer sees a broken image where they check what they buy or how they pay, and "
            "trusts the page less. Correct the image's address in the checkout template or the "
            "product data, or upload the image again."
        ),
    ),
    Rule(
        code=POLICY_LINK,
        family="checkout",
        name="missing-policy-link",
        severity=S.ERROR,
        team="it",
        summary="The cart lacks a working link to the terms, privacy or returns policy",
        explanation=(
            "Before they order, customers must be able to read the shop's terms and conditions, "
            "its privacy statement and its returns policy; consumer law requires the terms and "
            "returns information before the order is placed, and many customers look for the "
            "returns policy right there. The cart page (or, when no cart page was recognised, "
            "the last page the flow reached) has no link to one of them, or the link does not "
            "work. The content team keeps these pages; the IT team keeps the checkout template "
            "that must link to them. The words that identify each policy link are in "
            "checks/data/policy_links.yml."
        ),
        options={
            "required": Option(
                default=["terms", "privacy", "returns"],
                type=list[str],
                doc="the policies of checks/data/policy_links.yml the cart must link to",
            ),
        },
        check_options=_known_policies,
    ),
    Rule(
        code=PRICE_MISMATCH,
        family="checkout",
        name="cart-price-mismatch",
        severity=S.ERROR,
        team="content",
        summary="The cart charges another price than the product page shows",
        explanation=(
            "The price in the cart differs from the price on the product page the flow started "
            "from (read from the page's schema.org data, or from the configured price elements). "
            "Customers see one price, then pay another: they abandon the order or complain, and "
            "advertising a price that is not charged can break consumer law. Whoever keeps the "
            "prices should check both: often a promotion price that reached the product page but "
            "not the cart, or the other way round."
        ),
    ),
    Rule(
        code=INSECURE_STEP,
        family="checkout",
        name="insecure-checkout-step",
        severity=S.ERROR,
        team="it",
        summary="On an https shop, a checkout step or form goes over plain http",
        explanation=(
            "The shop runs on https, but a step of the checkout (a redirect, a page) or a form on "
            "a checkout page uses an http:// address. What the customer sends there (address, "
            "e-mail, login) travels unencrypted, and browsers warn about it ('Not secure') right "
            "where customers decide to pay. This is for the IT team: use https addresses "
            "everywhere in the checkout and redirect http to https."
        ),
    ),
    Rule(
        code=MIXED_CONTENT,
        family="checkout",
        name="mixed-content-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="An https checkout page loads an image, script or style over http",
        explanation=(
            "A checkout page served over https loads a resource (image, script, stylesheet, "
            "frame) from an http:// address. Browsers block such scripts and frames, so parts of "
            "the page can stop working, and show a warning instead of the padlock. This is for "
            "the IT team: load the resource over https."
        ),
    ),
    Rule(
        code=FAILED_CALL,
        family="checkout",
        name="failed-call-in-checkout",
        severity=S.ERROR,
        team="it",
        summary="A checkout page's call to its own site failed (an API answering 500)",
        explanation=(
            "In a flow walked in the browser (browser: true), a script of a checkout page asked "
            "the shop's own site for something (the cart's contents, shipping rates, a stock "
            "check, the payment methods) and got an error or no answer at all. The customer sees "
            "a cart that does not fill, a total that does not add up, or a button that does "
            "nothing. A plain crawl never sees these calls. This is for the IT team: the message "
            "names the address and its answer; look in the server's log for that call."
        ),
    ),
)
