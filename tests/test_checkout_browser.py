"""Checkout flows walked in Debian's chromium (`browser: true`) against a real local shop
whose checkout is a script's work: a button that adds to the cart by an API call, a cart
built in the browser, an address form revealed by a click and sent by a script, and a
payment step that hands over to a provider, which must never be asked."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from checkout_shop import GUEST_STEPS, TODAY, CheckoutShop, Flaws, guest_flow, walk
from conftest import shoplint_command, subprocess_env
from fixture_server import (
    FixtureServer,
    PerMethod,
    Reply,
    html_page,
    never_yielding,
    redirect,
    resource,
)
from services import require_chromium

from ground.errors import ConfigError
from ground.model import FlowEnd, StepStatus
from reports.writers.html import evidence_html
from shoplint.cli import DEMO_BROWSER_FLOW
from shoplint.config import parse_config
from shoplint.demo import DemoShop

PRODUCT = """<h1>Racing bike</h1>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
 "name": "Racing bike", "offers": {"@type": "Offer", "price": "1299.00", "priceCurrency": "EUR"}}
</script>
<p class="product-price">€ 1.299,00</p>
<button id="add">Add to cart</button>
<script src="/shop.js"></script>"""
SHOP_JS = b"""
document.getElementById("add").addEventListener("click", function () {
  fetch("/api/cart", {method: "POST", body: "bike"}).then(function () {
    sessionStorage.setItem("cart", "bike");
    location.href = "/cart/";
  });
});
"""
CART = """<h1>Your cart</h1><div id="lines"></div>
<nav><a href="/terms/">Terms and conditions</a> <a href="/privacy/">Privacy</a>
 <a href="/returns/">Returns</a></nav>
<button class="continue">Continue</button>
<section id="address" hidden>
 <form id="address-form">
  <input id="name" name="name">
  <select id="country" name="country"><option value="nl">Netherlands</option>
   <option value="be">Belgium</option></select>
  <button type="submit">To payment</button>
 </form>
</section>
<script src="/cart.js"></script>"""
CART_JS = b"""
if (sessionStorage.getItem("cart")) {
  fetch("/api/cart.json").then(function (r) { return r.json(); }).then(function (cart) {
    document.getElementById("lines").innerHTML = '<table><tr class="cart-line"><td>' +
      '<a href="/product/bike/">Racing bike</a></td><td class="unit-price">' + cart.price +
      "</td></tr></table>";
  });
}
fetch("/api/recommendations").catch(function () {});
document.querySelector(".continue").addEventListener("click", function () {
  document.getElementById("address").hidden = false;
});
document.getElementById("address-form").addEventListener("submit", function (event) {
  event.preventDefault();
  if (!document.getElementById("name").value) { return; }
  sessionStorage.setItem("country", document.getElementById("country").value);
  fetch("/api/address", {method: "POST"}).then(function () {
    location.href = "/checkout/payment/";
  });
});
"""
PAYMENT = """<h1>Payment</h1><p id="summary"></p>
<form id="payment" method="post" action="/checkout/pay"><button>Pay now</button></form>
<script>document.getElementById("summary").textContent =
  "Country: " + sessionStorage.getItem("country");</script>"""
STEPS: list[dict[str, Any]] = [
    {"name": "add to cart", "click": "#add", "wait_for": "tr.cart-line"},
    {"name": "continue", "click": "button.continue", "wait_for": "#address-form"},
    {
        "name": "address",
        "fill": {"#name": "Test Customer"},
        "select": {"#country": "Belgium"},
        "submit": "#address-form",
        "wait_for": "form#payment",
        "expect": {"contains": "Country: be"},
    },
    {"name": "pay", "submit": "form#payment"},
]


def _shop(provider: FixtureServer, cart_price: str = "€ 1.299,00") -> FixtureServer:
    return FixtureServer(
        {
            "/product/bike/": html_page(PRODUCT),
            "/shop.js": resource(SHOP_JS, "text/javascript"),
            "/api/cart": PerMethod({"POST": resource(b"{}", "application/json")}),
            "/cart/": html_page(CART),
            "/cart.js": resource(CART_JS, "text/javascript"),
            "/api/cart.json": resource(f'{{"price": "{cart_price}"}}'.encode(), "application/json"),
            "/api/recommendations": Reply(500, b"{}", {"Content-Type": "application/json"}),
            "/api/address": PerMethod({"POST": resource(b"{}", "application/json")}),
            "/checkout/payment/": html_page(PAYMENT),
            "/checkout/pay": redirect(f"http://pay.localhost:{provider.port}/start", 303),
            "/terms/": html_page("Terms"),
            "/privacy/": html_page("Privacy"),
            "/returns/": html_page("Returns"),
        }
    )


def _flow(**keys: Any) -> dict[str, Any]:
    return {
        "name": "js checkout",
        "browser": True,
        "start": "/product/bike/",
        "payment_hosts": ["pay.localhost"],
        "timeout": 10,
        "steps": STEPS,
        **keys,
    }


def _walk(tmp_path: Path, shop: FixtureServer, flow: dict[str, Any], **sections: Any) -> Any:
    (result,) = walk(shop.url, flow, report={"out": str(tmp_path)}, **sections)
    return result


def test_a_js_checkout_is_walked_with_clicks_fields_and_choices(tmp_path):
    require_chromium()
    with FixtureServer({"/start": html_page("Pay")}) as provider, _shop(provider) as shop:
        result = _walk(tmp_path, shop, _flow())
        assert not provider.requests  # the payment provider is never asked, even by redirect
        posts = [target for method, target in shop.requests if method == "POST"]
    outcome = result.outcome
    assert outcome.end is FlowEnd.HANDED_OVER
    assert [(s.name, s.status, s.action) for s in outcome.steps] == [
        ("start", StepStatus.PASSED, f"get {shop.url}product/bike/"),
        ("add to cart", StepStatus.PASSED, "click #add"),
        ("continue", StepStatus.PASSED, "click button.continue"),
        ("address", StepStatus.PASSED, "submit #address-form"),
        ("pay", StepStatus.HANDED_OVER, "submit form#payment"),
    ]
    add, proceed, address, pay = outcome.steps[1:]
    assert (add.url, add.http_status) == (shop.url + "cart/", 200)
    assert add.hops == (f"GET {shop.url}cart/ 200",)
    assert proceed.hops == ()  # a click that only showed the form: no page was requested
    assert address.url == shop.url + "checkout/payment/"
    assert pay.note == "handed over to pay.localhost (a payment provider): not requested"
    assert pay.hops == (f"POST {shop.url}checkout/pay 303",)
    assert posts == ["/api/cart", "/api/address", "/checkout/pay"]
    assert all(step.ms is not None and step.ms >= 0 for step in outcome.steps[:-1])


def test_a_failed_call_of_a_rendered_step_is_recorded_and_reported(tmp_path):
    require_chromium()
    with FixtureServer() as provider, _shop(provider) as shop:
        result = _walk(tmp_path, shop, _flow())
    add = result.outcome.steps[1]
    assert add.failed_calls == (f"GET {shop.url}api/recommendations 500 Internal Server Error",)
    (call,) = [f for f in result.findings if f.code == "CHK011"]
    assert (call.url, call.target) == (shop.url + "cart/", shop.url + "api/recommendations")
    assert call.message == (
        "A call of the checkout page of step 'add to cart' to its site failed"
        " (500 Internal Server Error)"
    )


def test_the_price_rule_reads_the_rendered_cart(tmp_path):
    require_chromium()
    with FixtureServer() as provider, _shop(provider, cart_price="€ 1.349,00") as shop:
        result = _walk(tmp_path, shop, _flow())
    (mismatch,) = [f for f in result.findings if f.code == "CHK008"]
    assert mismatch.url == shop.url + "cart/"
    assert mismatch.message == (
        "The cart shows € 1.349,00 for the product; its product page /product/bike/"
        " shows € 1.299,00"
    )


def test_a_failing_step_leaves_a_screenshot_the_report_links(tmp_path):
    require_chromium()
    steps = [STEPS[0], {"name": "continue", "click": "button.continue", "wait_for": "#nowhere"}]
    with FixtureServer() as provider, _shop(provider) as shop:
        result = _walk(tmp_path, shop, _flow(steps=steps, timeout=3))
    failed = result.outcome.steps[2]
    assert failed.status is StepStatus.FAILED
    assert failed.note == "expected an element matching '#nowhere' to show, none did within 3 s"
    assert failed.screenshot == "screenshots/js-checkout-continue.png"
    picture = tmp_path / failed.screenshot
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (finding,) = [f for f in result.findings if f.code == "CHK001"]
    assert finding.evidence == "screenshot: screenshots/js-checkout-continue.png"
    assert str(evidence_html(finding.evidence)) == (
        'screenshot: <a href="screenshots/js-checkout-continue.png">'
        "screenshots/js-checkout-continue.png</a>"
    )


def test_evidence_links_only_a_screenshot_and_escapes_the_rest():
    evidence = '<b>"x"</b> | screenshot: screenshots/a-b.png | screenshot: ../../etc/passwd.png'
    assert str(evidence_html(evidence)) == (
        "&lt;b&gt;&#34;x&#34;&lt;/b&gt; | screenshot: "
        '<a href="screenshots/a-b.png">screenshots/a-b.png</a>'
        " | screenshot: ../../etc/passwd.png"
    )


def test_stop_before_sends_nothing_of_the_step(tmp_path):
    require_chromium()
    with FixtureServer() as provider, _shop(provider) as shop:
        result = _walk(tmp_path, shop, _flow(stop_before="pay"))
        posts = [target for method, target in shop.requests if method == "POST"]
    assert result.outcome.end is FlowEnd.STOPPED
    assert result.outcome.steps[-1].status is StepStatus.NOT_RUN
    assert posts == ["/api/cart", "/api/address"]


def test_a_step_the_page_does_not_offer_fails_naming_it(tmp_path):
    require_chromium()
    steps = [STEPS[0], STEPS[1], {**STEPS[2], "select": {"#country": "Mars"}}]
    with FixtureServer() as provider, _shop(provider) as shop:
        result = _walk(tmp_path, shop, _flow(steps=steps))
    (finding,) = [f for f in result.findings if f.code == "CHK001"]
    assert finding.message == (
        f"Checkout step 'address' failed: '#country' on {shop.url}cart/ offers no 'Mars'"
        " (choices: Netherlands, Belgium)"
    )


@pytest.mark.timeout(60)
def test_a_step_whose_script_never_yields_fails_within_the_flow_timeout(tmp_path):
    """A page whose script loops for ever once loaded cannot be read: the step fails within
    the flow's timeout, naming it, instead of holding the walk (and the nightly run)."""
    require_chromium()
    with FixtureServer() as provider, _shop(provider) as shop:
        shop.routes["/product/bike/"] = never_yielding(html_page(PRODUCT))
        result = _walk(tmp_path, shop, _flow(timeout=3, steps=STEPS[:1]))
    (start, *_) = result.outcome.steps
    assert start.status is StepStatus.FAILED
    assert "no complete answer within 3 s" in start.note


def test_without_a_browser_a_browser_flow_stops_before_the_run(tmp_path):
    config = tmp_path / "shoplint.yml"
    config.write_text(
        "crawl: {browser_path: /nonexistent/chromium}\n"
        "checkout: {browser: true, start: /, steps: [{name: go, click: button}]}\n"
    )
    proc = subprocess.run(
        shoplint_command("checkout", "http://127.0.0.1:9/", "--config", str(config)),
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "shoplint: checkout.browser needs Chromium: /nonexistent/chromium was not found"
        " (apt-get install chromium, or set crawl.browser_path or SHOPLINT_CHROMIUM)"
    )


@pytest.mark.parametrize(
    ("flow", "error"),
    [
        (
            {"start": "/", "steps": [{"name": "go", "click": "button"}]},
            "checkout: step 'go': click needs a browser (give the flow browser: true)",
        ),
        (
            {
                "browser": True,
                "start": "/",
                "steps": [{"name": "go", "get": "/", "fill": {"#q": "x"}}],
            },
            "checkout.steps.0: step 'go': fill and select work on the page the step starts on,"
            " which get leaves: put them in a step of their own",
        ),
    ],
)
def test_browser_keys_are_checked_with_the_config(flow, error):

    with pytest.raises(ConfigError) as raised:
        parse_config({"checkout": flow}, "shoplint.yml")
    assert str(raised.value) == f"shoplint.yml: {error}"


def test_the_demo_shops_browser_flow_passes_its_button_and_finds_the_failed_call(tmp_path):
    require_chromium()
    flow = yaml.safe_load(DEMO_BROWSER_FLOW.read_text(encoding="utf-8"))
    with DemoShop(today=TODAY) as shop:
        url = shop.url
        (result,) = walk(url, flow, report={"out": str(tmp_path)})
        plain = {**flow, "browser": False, "steps": _plain_steps(flow)}
        (walked_plainly,) = walk(url, plain, report={"out": str(tmp_path)})
    assert result.outcome.end is FlowEnd.COMPLETED
    assert [(f.code, f.url, f.target) for f in result.findings] == [
        ("CHK011", url + "snel-bestellen/", url + "api/bezorgopties.json"),
    ]
    # a plain walker finds no way past the quick order page's button
    assert walked_plainly.outcome.end is FlowEnd.FAILED
    assert walked_plainly.findings[0].message == (
        f"Checkout step 'order' failed: 'button.bestellen' on {url}snel-bestellen/ is not a link"
    )


def _plain_steps(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """The demo flow's first steps as a plain walker does them: its click becomes the
    nearest plain step, following a link."""
    add, quick, order = flow["steps"][:3]
    return [
        add,
        {"name": quick["name"], "get": quick["get"]},
        {"name": order["name"], "follow": order["click"]},
    ]


def test_a_plain_shops_checkout_walks_in_the_browser_with_its_credentials(tmp_path, monkeypatch):
    """The purpose-built shop's guest checkout (forms with CSRF tokens, radio buttons and a
    select, fields by name), behind basic auth and a preview cookie: the browser sends
    both to the site, and nothing of them to another host it is redirected to."""
    require_chromium()
    monkeypatch.setenv("STAGE_USER", "tester")
    monkeypatch.setenv("STAGE_PASSWORD", "pw-4f8a1c")
    monkeypatch.setenv("STAGE_COOKIE", "ck-0d5e61")
    credentials = {
        "basic_auth": {"username_env": "STAGE_USER", "password_env": "STAGE_PASSWORD"},
        "cookie": {"name": "preview", "value_env": "STAGE_COOKIE"},
    }
    basic = "Basic " + base64.b64encode(b"tester:pw-4f8a1c").decode()
    chosen = {"delivery": "home", "day": "2026-05-06"}
    steps = [*GUEST_STEPS[:3], {**GUEST_STEPS[3], "fields": chosen}]
    steps += [{"name": "pay", "submit": "form#payment"}]
    flow = guest_flow(browser=True, credentials=credentials, steps=steps)
    with CheckoutShop(Flaws(require={"Authorization": basic})) as shop:
        (result,) = walk(shop.url, flow, report={"out": str(tmp_path)})
    assert result.outcome.end is FlowEnd.COMPLETED, result.outcome
    (order,) = shop.orders
    assert order.shipping == {**chosen, "gift": ""}
    cookies = {headers.get("cookie", "") for _, _, headers in shop.requests}
    assert any("preview=ck-0d5e61" in c and "sid=" in c for c in cookies)
    with CheckoutShop() as elsewhere:  # another host (localhost is not 127.0.0.1): not the site
        redirect = f"http://localhost:{elsewhere.port}/terms/"
        flaws = Flaws(require={"Authorization": basic}, payment_redirect=redirect)
        with CheckoutShop(flaws) as shop:
            (redirected,) = walk(shop.url, flow, report={"out": str(tmp_path)})
    assert redirected.outcome.steps[-1].url == redirect
    ((_, target, headers),) = [r for r in elsewhere.requests if r[1] != "/favicon.ico"]
    assert target == "/terms/"
    assert not {"authorization", "cookie"} & set(headers)


def test_a_run_leaves_the_screenshot_in_its_report_folder_and_links_it(tmp_path):
    require_chromium()
    steps = [STEPS[0], {"name": "continue", "click": "button.continue", "wait_for": "#nowhere"}]
    flow = _flow(steps=steps, timeout=3)
    config = tmp_path / "shoplint.yml"
    config.write_text(yaml.safe_dump({"checkout": [flow]}))
    out = tmp_path / "report"
    with FixtureServer() as provider, _shop(provider) as shop:
        proc = subprocess.run(
            shoplint_command(
                "run", shop.url + "product/bike/", "--config", str(config),
                "--db", str(tmp_path / "s.db"), "--out", str(out), "--internal-only",
            ),
            cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the failed step fails the gate
    picture = out / "screenshots" / "js-checkout-continue.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "owner-it.html").read_text(encoding="utf-8")
    link = '<a href="screenshots/js-checkout-continue.png">screenshots/js-checkout-continue.png</a>'
    assert link in page
