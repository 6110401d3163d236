"""What the pages of a walked flow show: error messages and placeholders (the pages
check's own detector), broken links and images, the policy links on the cart page, the
cart price against the product page's, and http where the shop is https.

Judged are the pages of the steps after the start page (the product page is an ordinary
page of the shop, which the crawl's checks judge), and only those of steps that passed: a
failed step is reported as such, and an error page rightly says that something went wrong."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from urllib.parse import urlsplit

import yaml

from checks.catalogue.checkout import (
    BROKEN_IMAGE_ON_STEP,
    BROKEN_LINK_ON_STEP,
    ERROR_ON_STEP,
    INSECURE_STEP,
    MIXED_CONTENT,
    PLACEHOLDER_ON_STEP,
    POLICY_LINK,
    PRICE_MISMATCH,
)
from checks.checkout.browser import Browser, status_text
from checks.checkout.findings import FlowFindings
from checks.checkout.flow import Flow
from checks.checkout.prices import cart_price, product_price
from checks.checkout.walker import StepPage
from checks.visible_problems import ProblemKind, visible_problems
from ground.errors import ConfigError
from ground.model import RefKind
from ground.urls import resolve

_POLICIES = yaml.safe_load(
    files("checks").joinpath("data", "policy_links.yml").read_text(encoding="utf-8")
)
_PROBLEM_CODES = {
    ProblemKind.ERROR_MESSAGE: ERROR_ON_STEP,
    ProblemKind.STACK_TRACE: ERROR_ON_STEP,
    ProblemKind.TEMPLATE_CODE: PLACEHOLDER_ON_STEP,
    ProblemKind.FILLER_TEXT: PLACEHOLDER_ON_STEP,
    ProblemKind.MISSING_VALUE: PLACEHOLDER_ON_STEP,
}
_LINKS = frozenset({RefKind.A, RefKind.AREA})
_IMAGES = frozenset({RefKind.IMG, RefKind.IMG_SRCSET, RefKind.SOURCE_SRCSET})
_RESOURCES = {  # what an https page must not load over http, as the message names it
    RefKind.IMG: "an image",
    RefKind.IMG_SRCSET: "an image",
    RefKind.SOURCE_SRCSET: "an image",
    RefKind.LINK_STYLESHEET: "a stylesheet",
    RefKind.LINK_ICON: "an icon",
    RefKind.SCRIPT: "a script",
    RefKind.IFRAME: "a frame",
}


@dataclass(frozen=True, slots=True)
class _Ref:
    kind: RefKind
    raw: str  # as written
    url: str  # resolved, fragment dropped
    text: str | None


class LinkChecker:
    """Whether the site's own addresses work, each asked once, from a browser of its own:
    following a link must not change the flow's cart or session."""

    def __init__(self, browser: Browser):
        self._browser = browser
        self._problems: dict[str, str | None] = {}

    def problem(self, url: str) -> str | None:
        """Why `url` does not work ("404 Not Found", "could not connect ..."), or None."""
        if url not in self._problems:
            self._problems[url] = self._judge(url)
        return self._problems[url]

    def _judge(self, url: str) -> str | None:
        visit = self._browser.visit("GET", url, read=False)
        if visit.response is None:
            return visit.problem  # None when handed over or off the site: not ours to judge
        status = visit.response.status_code
        if status < 400 or status == 429:
            return None
        redirects = len(visit.hops) - 1
        via = f", after {redirects} redirect{'s' if redirects > 1 else ''}" if redirects else ""
        return status_text(status) + via


def check_step_pages(
    pages: list[StepPage], flow: Flow, links: LinkChecker, found: FlowFindings
) -> None:
    """`pages` are the passed steps' pages, the start page first."""
    if not pages:
        return
    start, later = pages[0], pages[1:]  # the start page is the shop's own: the crawl judges it
    cart = _cart_page(later, flow, start.url)
    policy_page = cart or (later[-1] if later else None)
    if policy_page is None or not found.ctx.enabled(POLICY_LINK):
        policy_page, policy_links = None, {}
    else:
        policy_links = _policy_links(policy_page, found)
    for page in later:
        _visible_problems(page, found)
        skip = {ref.url for ref in policy_links.values()} if page is policy_page else set()
        _broken_links_and_images(page, links, skip, found)
        if page.url.startswith("https:"):
            _plain_http(page, found)
    if policy_page is not None:
        where = "cart page" if policy_page is cart else "last checkout page reached"
        _policy_findings(policy_page, where, policy_links, links, found)
    if cart is not None:
        _price_mismatch(start, cart, flow, found)


def _cart_page(pages: list[StepPage], flow: Flow, product_url: str) -> StepPage | None:
    """The page of the cart_step, else the first of `pages` showing a price where the
    cart's are (prices.cart)."""
    if flow.cart_step is not None:
        return next((p for p in pages if p.step == flow.cart_step), None)
    return next(
        (p for p in pages if cart_price(p.soup, flow.prices.cart, p.url, product_url)), None
    )


def _refs(page: StepPage) -> Iterator[_Ref]:
    if page.facts is None:
        return
    for raw in page.facts.refs:
        url = resolve(page.base, raw.raw) if raw.raw.strip() else page.url
        if url is not None:
            yield _Ref(raw.kind, raw.raw, url.partition("#")[0], raw.text)


def _visible_problems(page: StepPage, found: FlowFindings) -> None:
    if page.doc is None:
        return
    by_code: dict[str, list[str]] = {}
    for problem in visible_problems(page.doc, page.visible_text):
        by_code.setdefault(_PROBLEM_CODES[problem.kind], []).append(
            f"{problem.kind}: {problem.snippet}"
        )
    for code, snippets in by_code.items():
        what = "An error message" if code == ERROR_ON_STEP else "Text never meant for customers"
        message = f"{what} on the checkout page of step {page.step!r}"
        found.about_flow(code, page.url, message, " | ".join(snippets))


def _broken_links_and_images(
    page: StepPage, links: LinkChecker, skip: set[str], found: FlowFindings
) -> None:
    ctx = found.ctx
    wanted = {
        kind
        for kind in (*_LINKS, *_IMAGES)
        if ctx.enabled(BROKEN_LINK_ON_STEP if kind in _LINKS else BROKEN_IMAGE_ON_STEP)
    }
    for ref in _refs(page):
        if ref.kind not in wanted or ref.url in skip or not ctx.site.contains(ref.url):
            continue
        problem = links.problem(ref.url)
        if problem is None:
            continue
        if ref.kind in _LINKS:
            message = f"Link on the checkout page of step {page.step!r} does not work ({problem})"
            found.add(BROKEN_LINK_ON_STEP, page.url, ref.url, message, _tag(ref))
        else:
            message = f"Image on the checkout page of step {page.step!r} does not load ({problem})"
            found.add(BROKEN_IMAGE_ON_STEP, page.url, ref.url, message, _tag(ref))


def _plain_http(page: StepPage, found: FlowFindings) -> None:
    """Forms that send to http and resources loaded over http, on an https page."""
    for ref in _refs(page):
        if not ref.url.startswith("http:"):
            continue
        if ref.kind is RefKind.FORM_ACTION:
            message = f"Form on the checkout page of step {page.step!r} sends to an http address"
            found.add(INSECURE_STEP, page.url, ref.url, message, _tag(ref))
        elif ref.kind in _RESOURCES:
            what = _RESOURCES[ref.kind]
            message = f"Checkout page of step {page.step!r} loads {what} over http"
            found.add(MIXED_CONTENT, page.url, ref.url, message, _tag(ref))


def _policy_links(page: StepPage, found: FlowFindings) -> dict[str, _Ref]:
    """Each required policy's first link on the page: its text or path names the policy."""
    required = found.ctx.option(POLICY_LINK, "required")
    unknown = [name for name in required if name not in _POLICIES]
    if unknown:
        raise ConfigError(
            f"checks.{POLICY_LINK}.options.required: unknown policy {unknown[0]!r}"
            f" (known: {', '.join(_POLICIES)})"
        )
    anchors = [ref for ref in _refs(page) if ref.kind in _LINKS]
    links: dict[str, _Ref] = {}
    for name in required:
        words = [word.casefold() for word in _POLICIES[name]["words"]]
        for ref in anchors:
            said = f"{ref.text or ''} {urlsplit(ref.url).path}".casefold()
            if any(word in said for word in words):
                links[name] = ref
                break
    return links


def _policy_findings(
    page: StepPage,
    where: str,
    found_links: dict[str, _Ref],
    links: LinkChecker,
    found: FlowFindings,
) -> None:
    for name in found.ctx.option(POLICY_LINK, "required"):
        label = _POLICIES[name]["label"]
        ref = found_links.get(name)
        if ref is None:
            message = f"The {where} (step {page.step!r}) has no link to the {label}"
            found.about_flow(POLICY_LINK, page.url, message, _found_policies(found_links))
        elif found.ctx.site.contains(ref.url) and (problem := links.problem(ref.url)):
            message = f"The link to the {label} on the {where} does not work ({problem})"
            found.add(POLICY_LINK, page.url, ref.url, message, _tag(ref))


def _found_policies(found_links: dict[str, _Ref]) -> str:
    shown = [f"{_POLICIES[name]['label']}: {ref.raw}" for name, ref in found_links.items()]
    return "links found: " + ("; ".join(shown) if shown else "none of the policies")


def _price_mismatch(start: StepPage, cart: StepPage, flow: Flow, found: FlowFindings) -> None:
    if not found.ctx.enabled(PRICE_MISMATCH):
        return
    product = product_price(start, flow.prices.product)
    charged = cart_price(cart.soup, flow.prices.cart, cart.url, start.url)
    if product is None or charged is None or not charged.differs_from(product):
        return
    path = urlsplit(start.url).path
    message = (
        f"The cart shows {charged.shown} for the product; its product page {path}"
        f" shows {product.shown}"
    )
    evidence = f"product page: {product.shown} | cart (step {cart.step!r}): {charged.shown}"
    found.about_flow(PRICE_MISMATCH, cart.url, message, evidence)


def _tag(ref: _Ref) -> str:
    """The reference as evidence, in the shape it has in the page."""
    raw = escape(ref.raw)
    if ref.kind in _LINKS:
        return f'<a href="{raw}">{escape(ref.text or "")}</a>'
    return _TAGS[ref.kind].format(raw=raw)


_TAGS = {
    RefKind.FORM_ACTION: '<form action="{raw}">',
    RefKind.IMG: '<img src="{raw}">',
    RefKind.IMG_SRCSET: "<img srcset> candidate {raw}",
    RefKind.SOURCE_SRCSET: "<source srcset> candidate {raw}",
    RefKind.LINK_STYLESHEET: '<link rel="stylesheet" href="{raw}">',
    RefKind.LINK_ICON: '<link rel="icon" href="{raw}">',
    RefKind.SCRIPT: '<script src="{raw}">',
    RefKind.IFRAME: '<iframe src="{raw}">',
}
