"""The checkout rules' cases (CHK001-CHK011), one or more tests per rule, each against the
purpose-built shop of checkout_shop.py with one flaw switched on. `pytest -k CHK005` runs
one rule's cases. (A checkout flow needs sessions, forms and sometimes TLS, so these cases
are not in the crawl-based format of tests/rules/; see test_rules.py.)"""

from __future__ import annotations

import re
import sys
from decimal import Decimal

import pytest
from certificates import self_signed_certificate
from checkout_shop import (
    GUEST_STEPS,
    CheckoutShop,
    Flaws,
    guest_flow,
    walk,
)
from fixture_server import FixtureServer, PerMethod, Reply, html_page
from services import require_chromium

from checks.checkout.prices import parse_price
from checks.registry import REGISTRY
from ground.model import FlowEnd, Severity, StepStatus


def findings_of(results, code: str) -> list:
    return [f for result in results for f in result.findings if f.code == code]


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "127.0.0.1")


@pytest.fixture
def https_shop(certificate, monkeypatch):
    """An https shop whose certificate the checkout's client trusts (SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))

    def open_shop(flaws: Flaws) -> CheckoutShop:
        return CheckoutShop(flaws, tls=certificate)

    return open_shop


def test_every_checkout_rule_has_cases_here():
    tested = {
        name[5:11].upper() for name in dir(sys.modules[__name__]) if name.startswith("test_chk")
    }
    assert tested == {code for code, rule in REGISTRY.items() if rule.family == "checkout"}


# -- CHK001 checkout-step-failed ---------------------------------------------------------------


def test_chk001_server_error_for_one_input_not_another():
    """The address step answers 500 for one postcode and 200 for another: one flow fails
    there (and stops), the other completes."""
    crash = [*GUEST_STEPS[:2], {**GUEST_STEPS[2], "fields": {"postcode": "9999ZZ"}}]
    with CheckoutShop(Flaws(crash_postcode="9999ZZ")) as shop:
        fine, crashed = walk(
            shop.url, [guest_flow(name="fine"), guest_flow(name="crash", steps=crash)]
        )
    assert fine.outcome.end is FlowEnd.COMPLETED and not fine.findings
    assert crashed.outcome.end is FlowEnd.FAILED
    (failure,) = crashed.findings
    assert (failure.code, failure.severity, failure.owner) == ("CHK001", Severity.ERROR, "it")
    assert path(failure.url) == "/checkout/address/"
    assert path(failure.target) == "/product/bike/"  # the flow's product
    assert failure.message == (
        "Checkout step 'address' failed: expected status 2xx, found 500 Internal Server Error"
    )
    assert failure.evidence == "POST /checkout/address/ 500"
    address = crashed.outcome.steps[3]
    assert (address.name, address.status, address.http_status) == (
        "address",
        StepStatus.FAILED,
        500,
    )


def test_chk001_a_missing_form_or_link_names_the_selector():
    steps = [GUEST_STEPS[0], {"name": "to checkout", "follow": "a.go-to-checkout"}]
    with CheckoutShop() as shop:
        (result,) = walk(shop.url, guest_flow(steps=steps))
    (failure,) = findings_of([result], "CHK001")
    assert path(failure.url) == "/cart/"  # the page the link should be on
    assert "no link matches 'a.go-to-checkout' on http://127.0.0.1:" in failure.message


def test_chk001_each_expectation_says_expected_and_found():
    cases = {
        "status": ({"status": [201, 202]}, "expected status 201 or 202, found 200 OK"),
        "selector": ({"selector": "div.basket"}, "expected an element matching 'div.basket'"),
        "contains": ({"contains": "Free delivery"}, "expected the text 'Free delivery', not on"),
        "not_contains": ({"not_contains": "bike"}, "expected no 'bike', found it on the page"),
    }
    with CheckoutShop() as shop:
        for expect, wanted in cases.values():
            step = {"name": "cart", "get": "/cart/", "expect": expect}
            (result,) = walk(shop.url, guest_flow(steps=[GUEST_STEPS[0], step]))
            (failure,) = findings_of([result], "CHK001")
            assert wanted in failure.message, failure.message
            assert result.outcome.steps[-1].status is StepStatus.FAILED


def test_chk001_a_lost_session_stops_the_flow_and_says_so():
    with CheckoutShop(Flaws(forget_session_at_address=True)) as shop:
        (result,) = walk(shop.url, guest_flow())
    assert result.outcome.end is FlowEnd.FAILED
    (failure,) = result.findings
    assert path(failure.url) == "/cart/"  # where the customer lands instead of shipping
    assert "expected an element matching 'form#shipping', found none" in failure.message
    assert "sent back to a page an earlier step showed: was the session lost?" in failure.message
    assert (
        failure.evidence
        == "POST /checkout/address/ 303 → GET /checkout/shipping/ 303 → GET /cart/ 200"
    )
    statuses = [step.status for step in result.outcome.steps]
    assert statuses[-3:] == [StepStatus.FAILED, StepStatus.NOT_RUN, StepStatus.NOT_RUN]
    assert not shop.orders


def test_chk001_no_answer_at_all():
    with FixtureServer() as gone:
        url = gone.url
    (result,) = walk(url, guest_flow())
    (failure,) = result.findings
    assert failure.message.startswith("Checkout step 'start' failed: could not connect")
    assert result.outcome.steps[0].http_status is None


# -- CHK002 slow-checkout-step -----------------------------------------------------------------


def test_chk002_slow_step_against_the_default_budget_and_its_own():
    with CheckoutShop(Flaws(slow_shipping=0.4)) as shop:
        (by_option,) = walk(shop.url, guest_flow(), checks={"CHK002": {"options": {"max_ms": 300}}})
        steps = [*GUEST_STEPS[:2], {**GUEST_STEPS[2], "expect": {"max_ms": 5000}}, *GUEST_STEPS[3:]]
        (own_budget,) = walk(
            shop.url, guest_flow(steps=steps), checks={"CHK002": {"options": {"max_ms": 300}}}
        )
        (default,) = walk(shop.url, guest_flow())  # 3,000 ms: fast enough
    (slow,) = by_option.findings
    assert (slow.code, slow.severity) == ("CHK002", Severity.WARNING)
    assert path(slow.url) == "/checkout/shipping/"  # the page the slow step ends on
    assert re.fullmatch(r"Checkout step 'address' took [\d,]+ ms \(budget 300 ms\)", slow.message)
    assert by_option.outcome.end is FlowEnd.COMPLETED  # slow is a warning: the flow goes on
    assert not own_budget.findings and not default.findings


# -- CHK003 / CHK004: the pages check's detector on step pages ---------------------------------


def test_chk003_error_message_on_a_step_page():
    flaws = Flaws(payment_message="Something went wrong while loading the payment methods.")
    with CheckoutShop(flaws) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.url)) == ("CHK003", "/checkout/payment/")
    assert finding.message == "An error message on the checkout page of step 'shipping'"
    assert "Something went wrong while loading" in finding.evidence
    assert result.outcome.end is FlowEnd.COMPLETED


def test_chk004_unrendered_placeholder_on_a_step_page():
    with CheckoutShop(Flaws(cart_text="Total: {{ cart.total }}")) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.url)) == ("CHK004", "/cart/")
    assert "{{ cart.total }}" in finding.evidence


# -- CHK005 / CHK006: links and images on step pages ---------------------------------------------


def test_chk005_broken_link_on_a_step_page():
    with CheckoutShop(Flaws(cart_link="/gone/")) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.url), path(finding.target)) == ("CHK005", "/cart/", "/gone/")
    assert (
        finding.message
        == "Link on the checkout page of step 'add to cart' does not work (404 Not Found)"
    )
    assert finding.evidence == '<a href="/gone/">More</a>'


def test_chk006_broken_image_on_a_step_page():
    with CheckoutShop(Flaws(cart_image="/img/logo-old.png")) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.target)) == ("CHK006", "/img/logo-old.png")
    assert "does not load (404 Not Found)" in finding.message


def test_chk005_link_checks_never_touch_the_flows_session():
    """Links are followed from a browser of their own: the flow's cart stays as it was."""
    with CheckoutShop(Flaws(cart_link="/checkout/address/")) as shop:
        (result,) = walk(shop.url, guest_flow())
        cookies = {
            headers.get("cookie")
            for method, target, headers in shop.requests
            if target == "/checkout/address/" and method == "GET"
        }
    assert not result.findings and len(cookies) == 2  # the flow's, and the link checker's


# -- CHK007 missing-policy-link ------------------------------------------------------------------


def test_chk007_missing_and_broken_policy_links_on_the_cart():
    with CheckoutShop(Flaws(missing_policies=("returns",), broken_policies=("privacy",))) as shop:
        (result,) = walk(shop.url, guest_flow())
    by_target = {path(f.target): f for f in findings_of([result], "CHK007")}
    assert set(by_target) == {"/product/bike/", "/privacy/"}
    missing = by_target["/product/bike/"]
    assert path(missing.url) == "/cart/"
    assert missing.message == "The cart page (step 'add to cart') has no link to the returns policy"
    broken = by_target["/privacy/"]
    assert (
        broken.message
        == "The link to the privacy statement on the cart page does not work (404 Not Found)"
    )
    assert not findings_of([result], "CHK005")  # the broken policy link is reported once


def test_chk007_required_policies_are_an_option():
    with CheckoutShop(Flaws(missing_policies=("returns",))) as shop:
        (result,) = walk(
            shop.url, guest_flow(), checks={"CHK007": {"options": {"required": ["terms"]}}}
        )
    assert not result.findings


# -- CHK008 cart-price-mismatch ------------------------------------------------------------------


def test_chk008_cart_price_differs_from_the_product_page():
    with CheckoutShop(Flaws(cart_price="€ 1.349,00")) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.owner) == ("CHK008", Severity.ERROR, "content")
    assert (path(finding.url), path(finding.target)) == ("/cart/", "/product/bike/")
    assert finding.message == (
        "The cart shows € 1.349,00 for the product;"
        " its product page /product/bike/ shows € 1.299,00"
    )


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("€ 1.299,00", "1299.00", "EUR"),
        ("EUR 899", "899", "EUR"),
        ("$1,299.00", "1299.00", "USD"),
        ("649,-", "649", None),
        ("CHF 1'299.50", "1299.50", "CHF"),
        ("1.299", "1299", None),
        ("Nu € 12,5 (was € 15)", "12.5", "EUR"),
    ],
)
def test_chk008_prices_in_european_and_english_notation(text, amount, currency):
    price = parse_price(text)
    assert (price.amount, price.currency) == (Decimal(amount), currency)


@pytest.mark.parametrize("shown", ["EUR 1299", "€1.299,-", "1 299,00 €", "€ 1,299.00"])
def test_chk008_the_same_price_in_another_notation_is_no_mismatch(shown):
    with CheckoutShop(Flaws(cart_price=shown)) as shop:
        (result,) = walk(shop.url, guest_flow(steps=GUEST_STEPS[:1]))
    assert not result.findings


# -- CHK009 / CHK010: http on an https shop --------------------------------------------------------


def test_chk009_form_posting_to_http_on_an_https_shop(https_shop):
    with https_shop(Flaws()) as shop:
        shop.flaws.address_action = f"http://127.0.0.1:{shop.port}/checkout/address/"
        (result,) = walk(shop.url, guest_flow(stop_before="address"))
    assert result.outcome.end is FlowEnd.STOPPED
    (finding,) = result.findings
    assert (finding.code, path(finding.url)) == ("CHK009", "/checkout/address/")
    assert finding.target == shop.flaws.address_action
    assert (
        finding.message
        == "Form on the checkout page of step 'to checkout' sends to an http address"
    )


def test_chk009_step_redirected_over_http(https_shop):
    thanks = html_page("Thank you for your order")
    with FixtureServer({"/thanks/": thanks}) as plain, https_shop(Flaws()) as shop:
        shop.flaws.payment_redirect = plain.url + "thanks/"
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.url), finding.target) == (
        "CHK009",
        "/checkout/payment/",  # the page the customer sent the form from
        plain.url + "thanks/",
    )
    assert finding.message == "Checkout step 'pay' goes over plain http"


def test_chk010_mixed_content_on_an_https_step_page(https_shop):
    with https_shop(Flaws(cart_resource="http://127.0.0.1:9/tracker.js")) as shop:
        (result,) = walk(shop.url, guest_flow())
    (finding,) = result.findings
    assert (finding.code, path(finding.url)) == ("CHK010", "/cart/")
    assert finding.target == "http://127.0.0.1:9/tracker.js"
    assert finding.message == "Checkout page of step 'add to cart' loads a script over http"


def test_chk010_an_https_shop_without_http_has_no_security_findings(https_shop):
    with https_shop(Flaws()) as shop:
        (result,) = walk(shop.url, guest_flow())
    assert result.outcome.end is FlowEnd.COMPLETED and not result.findings


# -- CHK011 failed-call-in-checkout --------------------------------------------------------


def test_chk011_a_call_of_a_step_page_that_fails_in_the_browser(tmp_path):
    """Only a flow walked in the browser runs the page's scripts; the start page's own
    failed call is the crawl's to report (BRW002), not the checkout's."""
    require_chromium()
    calls = "<script>fetch('/api/stock'); fetch('/api/cart', {method: 'POST'});</script>"
    routes = {
        "/product/": html_page("<h1>Bike</h1><script>fetch('/api/price')</script>"),
        "/cart/": html_page(f"<h1>Cart</h1>{calls}"),
        "/api/stock": Reply(503, b"{}", {"Content-Type": "application/json"}),
        "/api/cart": PerMethod({"POST": Reply(500, b"{}")}),
    }
    flow = {"start": "/product/", "steps": [{"name": "cart", "get": "/cart/"}]}
    with FixtureServer(routes) as shop:
        (rendered,) = walk(shop.url, {**flow, "browser": True}, report={"out": str(tmp_path)})
        (plain,) = walk(shop.url, flow)
    assert sorted((f.url, f.target, f.message) for f in findings_of([rendered], "CHK011")) == [
        (
            shop.url + "cart/",
            shop.url + "api/cart",
            "A call of the checkout page of step 'cart' to its site failed"
            " (500 Internal Server Error)",
        ),
        (
            shop.url + "cart/",
            shop.url + "api/stock",
            "A call of the checkout page of step 'cart' to its site failed"
            " (503 Service Unavailable)",
        ),
    ]
    assert rendered.outcome.steps[0].failed_calls == (f"GET {shop.url}api/price 404 Not Found",)
    assert not findings_of([plain], "CHK011")
