"""Walking a checkout flow against the purpose-built shop: a full passing flow, forms filled
in as a browser would (CSRF tokens, radio buttons, selects), fresh cookies per flow, the
payment hand-over, stop_before, and credentials for a staging site."""

from __future__ import annotations

import base64

import pytest
from bs4 import BeautifulSoup
from checkout_shop import GUEST_STEPS, CheckoutShop, Flaws, guest_flow, walk
from fixture_server import FixtureServer, html_page

from checks.checkout.forms import FormError, submission
from ground.errors import ConfigError
from ground.model import FlowEnd, StepStatus
from shoplint.config import parse_config


def test_a_full_flow_passes_every_step_and_places_the_order():
    with CheckoutShop() as shop:
        (result,) = walk(shop.url, guest_flow(name="guest"))
    outcome = result.outcome
    assert (outcome.name, outcome.end, result.findings) == ("guest", FlowEnd.COMPLETED, ())
    assert [(s.name, s.status, s.http_status) for s in outcome.steps] == [
        ("start", StepStatus.PASSED, 200),
        ("add to cart", StepStatus.PASSED, 200),
        ("to checkout", StepStatus.PASSED, 200),
        ("address", StepStatus.PASSED, 200),
        ("shipping", StepStatus.PASSED, 200),
        ("pay", StepStatus.PASSED, 200),
    ]
    pay = outcome.steps[-1]
    assert pay.action == "submit form#payment"
    assert pay.url == shop.url + "checkout/done/"
    assert pay.hops == (
        f"POST {shop.url}checkout/payment/ 303",
        f"GET {shop.url}checkout/done/ 200",
    )
    assert outcome.total_ms == sum(step.ms for step in outcome.steps)
    (order,) = shop.orders
    assert order.address == {"name": "Test", "email": "test@example.com", "postcode": "1234AB"}


def test_csrf_tokens_travel_without_configuration():
    """Every POST carried the session's token (the shop answers 403 otherwise); a token
    overridden by `fields` is refused, and the flow says so."""
    with CheckoutShop() as shop:
        (result,) = walk(shop.url, guest_flow())
        assert result.outcome.end is FlowEnd.COMPLETED
        forged = [{**GUEST_STEPS[0], "fields": {"csrf": "forged"}}]
        (refused,) = walk(shop.url, guest_flow(steps=forged))
    assert "expected status 2xx, found 403 Forbidden" in refused.findings[0].message


def test_radio_buttons_selects_and_check_boxes_send_their_defaults_or_the_fields():
    with CheckoutShop() as shop:
        walk(shop.url, guest_flow())
        chosen = {"delivery": "home", "day": "2026-05-06", "gift": "yes"}
        steps = [*GUEST_STEPS[:3], {**GUEST_STEPS[3], "fields": chosen}, GUEST_STEPS[4]]
        walk(shop.url, guest_flow(steps=steps))
    defaults, picked = shop.orders
    # the checked radio, the selected option; an unchecked box and a disabled field: nothing
    assert defaults.shipping == {"delivery": "pickup", "day": "2026-05-05", "gift": ""}
    assert picked.shipping == chosen
    assert (defaults.method, picked.method) == ("ideal", "ideal")


def test_a_choice_the_form_does_not_offer_fails_the_step():
    with CheckoutShop() as shop:
        steps = [*GUEST_STEPS[:3], {**GUEST_STEPS[3], "fields": {"delivery": "drone"}}]
        (result,) = walk(shop.url, guest_flow(steps=steps))
        unknown = [*GUEST_STEPS[:2], {**GUEST_STEPS[2], "fields": {"postal_code": "1234AB"}}]
        (typo,) = walk(shop.url, guest_flow(steps=unknown))
    assert "offers no 'drone' for 'delivery' (choices: home, pickup)" in result.findings[0].message
    assert "has no field named 'postal_code' (fields: csrf, email, name, next, postcode)" in (
        typo.findings[0].message
    )


def test_each_flow_starts_with_fresh_cookies():
    with CheckoutShop() as shop:
        first, second = walk(shop.url, [guest_flow(name="one"), guest_flow(name="two")])
        adds = [headers["cookie"] for m, t, headers in shop.requests if t == "/cart/add"]
    assert first.outcome.end is second.outcome.end is FlowEnd.COMPLETED
    assert len(shop.orders) == 2
    assert len(adds) == 2 and adds[0] != adds[1]  # two sessions, one per flow


def test_a_payment_provider_is_never_requested():
    url = "https://checkout.stripe.com/c/pay/cs_test_a1?token=xyz"
    with CheckoutShop(Flaws(payment_redirect=url)) as shop:
        (result,) = walk(shop.url, guest_flow())
    assert result.outcome.end is FlowEnd.HANDED_OVER and result.outcome.end.reached_end
    pay = result.outcome.steps[-1]
    assert (pay.status, pay.url) == (
        StepStatus.HANDED_OVER,
        "https://checkout.stripe.com/c/pay/cs_test_a1",
    )
    assert pay.note == "handed over to checkout.stripe.com (a payment provider): not requested"
    assert pay.hops == (f"POST {shop.url}checkout/payment/ 303",)
    assert not result.findings


def test_a_flow_names_its_own_payment_hosts():
    with FixtureServer({"/pay/": html_page("Pay here")}) as provider:
        provider_url = f"http://localhost:{provider.port}/pay/"
        with CheckoutShop(Flaws(payment_redirect=provider_url)) as shop:
            (result,) = walk(shop.url, guest_flow(payment_hosts=["localhost"]))
        assert not provider.requests
    assert result.outcome.end is FlowEnd.HANDED_OVER


def test_stop_before_never_sends_the_order():
    with CheckoutShop() as shop:
        (result,) = walk(shop.url, guest_flow(stop_before="pay"))
    assert result.outcome.end is FlowEnd.STOPPED
    assert [s.status for s in result.outcome.steps][-2:] == [StepStatus.PASSED, StepStatus.NOT_RUN]
    assert not shop.orders
    assert not [t for m, t, _ in shop.requests if m == "POST" and t == "/checkout/payment/"]


STAGING = {
    "basic_auth": {"username_env": "STAGING_USER", "password_env": "STAGING_PASSWORD"},
    "header": {"name": "X-Staging-Token", "value_env": "STAGING_TOKEN"},
    "cookie": {"name": "preview", "value_env": "STAGING_COOKIE"},
}
SECRETS = {
    "STAGING_USER": "tester",
    "STAGING_PASSWORD": "pw-4f8a1c",
    "STAGING_TOKEN": "tok-93be27",
    "STAGING_COOKIE": "ck-0d5e61",
}


def test_credentials_come_from_the_environment_and_go_to_the_site_only(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    basic = "Basic " + base64.b64encode(b"tester:pw-4f8a1c").decode()
    require = {"Authorization": basic, "X-Staging-Token": "tok-93be27"}
    steps = [*GUEST_STEPS[:4], {"name": "pay", "submit": "form#payment"}]
    with CheckoutShop() as elsewhere:  # another host (localhost is not 127.0.0.1): not the site
        redirect = f"http://localhost:{elsewhere.port}/terms/"
        with CheckoutShop(Flaws(require=require, payment_redirect=redirect)) as shop:
            (result,) = walk(shop.url, guest_flow(credentials=STAGING, steps=steps))
            (locked_out,) = walk(shop.url, guest_flow())
    assert result.outcome.end is FlowEnd.COMPLETED, result.outcome
    cookies = {headers.get("cookie", "") for _, _, headers in shop.requests}
    assert any("preview=ck-0d5e61" in c and "sid=" in c for c in cookies)  # with the session's
    ((_, target, headers),) = elsewhere.requests
    assert target == "/terms/"
    assert not {"authorization", "x-staging-token", "cookie"} & set(headers)
    assert "expected status 2xx, found 401 Unauthorized" in locked_out.findings[0].message


def test_a_credential_variable_that_is_not_set_is_a_config_error(monkeypatch):
    monkeypatch.delenv("STAGING_TOKEN", raising=False)
    flow = guest_flow(credentials={"header": {"name": "X-Token", "value_env": "STAGING_TOKEN"}})
    with pytest.raises(ConfigError) as error:
        walk("http://127.0.0.1:9/", flow)
    assert str(error.value) == (
        "checkout.credentials.header.value_env: environment variable STAGING_TOKEN is not set"
    )


# -- the form filler, on its own ---------------------------------------------------------------


def form_of(html: str, selector: str = "form"):
    return BeautifulSoup(html, "lxml").select_one(selector)


def test_a_form_is_submitted_as_a_browser_submits_it():
    html = """
    <form id="f" action="next/?old=1#top">
      <input type="hidden" name="token" value="t1">
      <input name="q"><input name="n" value="2">
      <textarea name="note">
hello</textarea>
      <select name="multi" multiple><option selected>a</option><option>b</option>
        <option selected value="c">C</option></select>
      <select name="first"><option value="x">X</option><option value="y">Y</option></select>
      <fieldset disabled><input name="off" value="1"></fieldset>
      <input type="checkbox" name="box" checked>
      <input type="submit" name="go" value="Search"><input type="submit" name="other">
    </form>
    <input name="outside" value="o" form="f">"""
    sent = submission(form_of(html), "https://shop.example/a/b", {"q": "bikes"})
    assert sent.method == "GET"
    assert sent.url == (
        "https://shop.example/a/next/?token=t1&q=bikes&n=2&note=hello&multi=a&multi=c"
        "&first=x&box=on&go=Search&outside=o"
    )


def test_a_submit_button_chooses_its_form_action_and_method():
    html = """<form method="get" action="/search"><input name="a" value="1">
      <button name="save" value="later" formmethod="post" formaction="/save">Later</button>
      </form>"""
    sent = submission(form_of(html, "button[name=save]"), "https://shop.example/x", {})
    assert (sent.method, sent.url) == ("POST", "https://shop.example/save")
    assert sent.entries == (("a", "1"), ("save", "later"))


def test_something_else_than_a_form_cannot_be_submitted():
    with pytest.raises(FormError):
        submission(form_of("<div><a href='/'>x</a></div>", "a"), "https://shop.example/", {})


def test_an_internal_only_run_never_leaves_the_site():
    with CheckoutShop() as elsewhere:
        redirect = f"http://localhost:{elsewhere.port}/terms/"
        with CheckoutShop(Flaws(payment_redirect=redirect)) as shop:
            (result,) = walk(shop.url, guest_flow(), crawl={"internal_only": True})
    assert not elsewhere.requests
    assert result.outcome.end is FlowEnd.FAILED
    assert result.findings[0].message == (
        f"Checkout step 'pay' failed: {redirect} is off the site (internal-only run)"
    )


def checkout_config(checkout) -> str:
    """The one line a wrong `checkout:` section stops shoplint with (exit 2)."""
    with pytest.raises(ConfigError) as error:
        parse_config({"checkout": checkout}, "shoplint.yml")
    return str(error.value)


def test_a_wrong_checkout_section_is_named_in_one_line():
    both = [{"name": "cart", "get": "/cart/", "follow": "a.cart"}]
    assert checkout_config(guest_flow(steps=both)) == (
        "shoplint.yml: checkout.steps.0: step 'cart': do exactly one of get, follow, submit"
        " (it has get, follow)"
    )
    broken = [{"name": "cart", "follow": "a[href"}]
    assert checkout_config([guest_flow(steps=broken)]).startswith(
        "shoplint.yml: checkout.0.steps.0.follow: not a CSS selector: 'a[href'"
    )
    assert checkout_config(guest_flow(stop_before="payment")) == (
        "shoplint.yml: checkout.stop_before: no step is named 'payment'"
        " (steps: add to cart, to checkout, address, shipping, pay)"
    )
    assert checkout_config([guest_flow(), guest_flow()]) == (
        "shoplint.yml: checkout: two flows are named 'checkout' (give each flow its own name)"
    )
    status = [{"name": "cart", "get": "/cart/", "expect": {"status": 2000}}]
    assert "checkout.steps.0.expect.status: expected an HTTP status" in checkout_config(
        guest_flow(steps=status)
    )


def test_a_secret_written_where_its_variable_belongs_is_not_echoed():
    flow = guest_flow(credentials={"header": {"name": "X-Token", "value_env": "s3cr3t value!"}})
    line = checkout_config(flow)
    assert line.startswith("shoplint.yml: checkout.credentials.header.value_env: expected")
    assert "s3cr3t" not in line
