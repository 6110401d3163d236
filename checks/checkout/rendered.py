"""Checkout flows walked in Chromium (`browser: true`): a checkout whose buttons, fields and
next steps are a script's work cannot be walked over plain HTTP.

One Chromium serves every browser flow of a run; each flow gets a fresh context (its own
cookies, storage and cache). A step fills in and selects (`fill`, `select`), then does its
action (`get`, `follow`, `submit`, `click`) as a customer would, by clicking, then waits
for its page to load and for `wait_for`. The walker (walker.py) judges where it arrived like
a plain step's page: the rendered DOM is what the page rules read.

What the browser never does: a payment provider's host (the known ones, the flow's own) and
the trackers are never requested. A route refuses the requests the pages make to them, and
Chromium's host resolver knows none of them, which stops a redirect too (a route does not
see redirects). An internal-only run refuses off-site requests the same way.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Request, Response, Route, async_playwright
from playwright.async_api import Error as PlaywrightError

from checks.checkout.browser import Hop, PaymentHosts, status_text
from checks.checkout.credentials import SiteSecrets
from checks.checkout.findings import SCREENSHOTS
from checks.checkout.flow import Step
from checks.checkout.walker import Arrival, FailedCall, StepPage, Unmet, get_address
from ground.chromium import LAUNCH_ARGS, TRACKERS, RequestsInFlight, blocking_rules, on_hosts
from ground.errors import CrawlError
from ground.urls import Site

T = TypeVar("T")
_CALLS = frozenset({"xhr", "fetch", "eventsource"})  # a page's calls to its site
_NOT_FAILED = ("net::ERR_ABORTED", "net::ERR_BLOCKED_BY_CLIENT")  # left, or refused by us
_SETTLE_S = 5.0  # waited at most for a step's page to go quiet before it is read
_QUIET_S = 0.25  # without an open request: the page is quiet
_SLUG = re.compile(r"[^a-z0-9]+")
# A form's fields set by name, as the plain walker sends them (forms.py): radio buttons and
# options must be ones the form offers; each control hears its input and change events.
_FILL_FORM = """(el, fields) => {
  const form = el.tagName === "FORM" ? el : el.form;
  if (!form) return "is not a form, nor a button in one";
  const controls = Array.from(form.elements).filter(c => c.name && !c.disabled);
  const names = Array.from(new Set(controls.map(c => c.name))).sort();
  for (const [name, value] of Object.entries(fields)) {
    const named = controls.filter(c => c.name === name);
    if (!named.length)
      return `has no field named '${name}' (fields: ${names.join(", ") || "none"})`;
    const choices = named.flatMap(c => c.type === "radio" ? [c.value]
      : c.tagName === "SELECT" ? Array.from(c.options).map(o => o.value) : []);
    if (choices.length && !choices.includes(value))
      return `offers no '${value}' for '${name}' (choices: ${choices.join(", ")})`;
    for (const c of named) {
      if (c.type === "radio") c.checked = c.value === value;
      else if (c.type === "checkbox") c.checked = value !== "";
      else c.value = value;
      c.dispatchEvent(new Event("input", {bubbles: true}));
      c.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }
  return null;
}"""
_SUBMIT_BUTTONS = "button:not([type]), button[type=submit], input[type=submit], input[type=image]"


class Chromium:
    """One headless Chromium for the browser flows of a run, driven by playwright's async
    API on an event loop of its own: the walker is synchronous, each step one run of it."""

    def __init__(self, executable: str, blocked_hosts: Iterable[str]):
        self._loop = asyncio.Runner()
        try:
            self._playwright = self.run(async_playwright().start())
            self._browser = self.run(
                self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=True,
                    args=[*LAUNCH_ARGS, blocking_rules(blocked_hosts)],
                )
            )
        except PlaywrightError as exc:
            self._loop.close()
            raise CrawlError(
                f"checkout: Chromium {executable} did not start ({_first_line(exc)})"
            ) from None

    def run(self, work: Awaitable[T]) -> T:
        return self._loop.run(_awaited(work))

    def close(self) -> None:
        try:
            self.run(self._browser.close())
            self.run(self._playwright.stop())
        finally:
            self._loop.close()

    def new_context(self, **options: Any) -> Awaitable[BrowserContext]:
        return self._browser.new_context(**options)


async def _awaited(work: Awaitable[T]) -> T:
    return await work


class BrowserSteps:
    """One flow's steps in a fresh browser context: the walker's StepDriver in Chromium."""

    def __init__(
        self,
        chromium: Chromium,
        site_url: str,
        site: Site,
        secrets: SiteSecrets,
        payment_hosts: PaymentHosts,
        *,
        user_agent: str,
        timeout: float,
        internal_only: bool,
        screenshots: Path | None,
        flow_name: str,
    ):
        self._chromium = chromium
        self._site_url = site_url
        self._site = site
        self._payment_hosts = payment_hosts
        self._internal_only = internal_only
        self._timeout = timeout
        self._screenshots = screenshots
        self._flow = _SLUG.sub("-", flow_name.lower()).strip("-") or "flow"
        self._status: int | None = None  # of the page shown, as long as no step navigates
        self._requests = RequestsInFlight()
        self._reset()
        self._context = chromium.run(
            chromium.new_context(
                user_agent=user_agent, http_credentials=_basic_auth(secrets, site.origin)
            )
        )
        self._page: Page = chromium.run(self._open(secrets))

    async def _open(self, secrets: SiteSecrets) -> Page:
        if secrets.cookie is not None:  # to the site's own origin only
            name, value = secrets.cookie
            await self._context.add_cookies(
                [{"name": name, "value": value, "url": self._site.origin}]
            )
        await self._context.route("**/*", self._route)
        page = await self._context.new_page()
        page.set_default_timeout(self._timeout * 1000)
        self._requests.watch(page)
        page.on("response", self._answered)
        page.on("requestfailed", self._request_failed)
        return page

    def __enter__(self) -> BrowserSteps:
        return self

    def __exit__(self, *exc: object) -> None:
        self._chromium.run(self._context.close())

    def go(self, step: Step, current: StepPage | None) -> Arrival:
        return self._chromium.run(self._go(step, current))

    def screenshot(self, step: str) -> str | None:
        if self._screenshots is None:
            return None
        self._screenshots.mkdir(parents=True, exist_ok=True)
        name = f"{self._flow}-{_SLUG.sub('-', step.lower()).strip('-') or 'step'}.png"
        try:
            self._chromium.run(self._page.screenshot(path=self._screenshots / name, full_page=True))
        except PlaywrightError:
            return None  # a page that cannot be pictured (a crashed tab) has no screenshot
        return f"{SCREENSHOTS}/{name}"

    # -- one step ---------------------------------------------------------------------

    def _reset(self) -> None:
        self._requests.touch()
        self._hops: list[Hop] = []
        self._calls: list[FailedCall] = []
        self._handover: str | None = None
        self._off_site: str | None = None
        self._problem: str | None = None

    async def _go(self, step: Step, current: StepPage | None) -> Arrival:
        """The step's fields and action, then its page: loaded, the network quiet (a
        script's calls done, and a page it moved to loaded) and `wait_for` shown. Its time
        runs until the last of these; the quiet moment that proves it is not counted."""
        self._reset()
        address = get_address(step, self._site_url)
        where = current.url if current else address
        asked = address if step.get is not None else where
        started = time.perf_counter()
        unmet = None
        try:
            async with asyncio.timeout(self._timeout):
                await self._fill(step, where)
                await self._act(step, where)
            self._requests.touch()
            if step.wait_for is not None:
                unmet = await self._wait_for(step.wait_for)
                self._requests.touch()
            async with asyncio.timeout(self._timeout):
                await self._requests.quiet(_QUIET_S, _SETTLE_S)
                await self._page.wait_for_load_state("load")
        except TimeoutError:
            self._problem = self._problem or f"no complete answer within {self._timeout:g} s"
        except PlaywrightError as exc:
            self._problem = self._problem or f"no usable answer ({_first_line(exc)[:160]})"
        ms = _ms(started, self._requests.last_activity)
        html = None
        if not (self._handover or self._off_site or self._problem):
            try:  # a script that never lets go of the page leaves it unreadable
                async with asyncio.timeout(self._timeout):
                    html = await self._page.content() if await self._html() else None
            except TimeoutError:
                self._problem = f"no complete answer within {self._timeout:g} s"
        if self._handover or self._off_site or self._problem:
            return Arrival(
                asked,
                tuple(self._hops),
                ms,
                handover=self._handover,
                off_site=self._off_site,
                problem=None if self._handover or self._off_site else self._problem,
            )
        return Arrival(
            asked,
            tuple(self._hops),
            ms,
            self._page.url,
            self._status,
            html,
            unmet=unmet,
            failed_calls=tuple(self._calls),
        )

    async def _fill(self, step: Step, where: str) -> None:
        for selector, text in step.fill.items():
            field = await self._element(selector, where, "no field matches")
            await self._actionable(field.fill(text, timeout=self._action_ms), selector, where)
        for selector, choice in step.select.items():
            field = await self._element(selector, where, "no list of choices matches")
            choices = await field.evaluate(
                "s => Array.from(s.options || []).map(o => [o.value, o.text.trim()])"
            )
            value = next((v for v, label in choices if choice in (v, label)), None)
            if value is None:
                offered = ", ".join(label for _, label in choices) or "none"
                raise Unmet(f"{selector!r} on {where} offers no {choice!r} (choices: {offered})")
            await self._actionable(
                field.select_option(value, timeout=self._action_ms), selector, where
            )

    async def _act(self, step: Step, where: str) -> None:
        if step.get is not None:
            await self._page.goto(get_address(step, self._site_url), wait_until="load")
        elif step.follow is not None:
            target = await self._element(step.follow, where, "no link matches")
            link = (
                await target.evaluate_handle(
                    "e => e.matches('a[href], area[href]') ? e : e.querySelector('a[href]')"
                )
            ).as_element()
            if link is None:
                raise Unmet(f"{step.follow!r} on {where} is not a link")
            await self._actionable(link.click(timeout=self._action_ms), step.follow, where)
        elif step.submit is not None:
            await self._submit(step, where)
        elif step.click is not None:
            element = await self._element(step.click, where, "no element matches")
            await self._actionable(element.click(timeout=self._action_ms), step.click, where)

    async def _submit(self, step: Step, where: str) -> None:
        """Fill the form's fields by name (as the plain walker does), then press the
        button (the one `submit` names, else the form's first), or submit the form as
        Enter does when it has none."""
        selector = step.submit or ""
        target = await self._element(selector, where, "no form matches")
        error = await target.evaluate(_FILL_FORM, step.fields)
        if error:
            raise Unmet(f"the form {selector!r} on {where} {error}")
        is_form = await target.evaluate("e => e.tagName === 'FORM'")
        button = await target.query_selector(_SUBMIT_BUTTONS) if is_form else target
        if button is not None:
            await self._actionable(button.click(timeout=self._action_ms), selector, where)
            return
        async with self._page.expect_navigation(wait_until="load"):
            await target.evaluate("e => e.requestSubmit()")

    async def _wait_for(self, selector: str) -> str | None:
        try:
            await self._page.wait_for_selector(selector, state="visible")
        except PlaywrightError:
            within = f"within {self._timeout:g} s"
            return f"expected an element matching {selector!r} to show, none did {within}"
        return None

    async def _html(self) -> bool:
        return "html" in str(await self._page.evaluate("document.contentType"))

    async def _element(self, selector: str, where: str, missing: str) -> Any:
        element = await self._page.query_selector(selector)
        if element is None:
            raise Unmet(f"{missing} {selector!r} on {where}")
        return element

    async def _actionable(self, action: Awaitable[None], selector: str, where: str) -> None:
        """An action on an element the customer cannot use fails the step, saying so."""
        try:
            await action
        except PlaywrightError as exc:
            if "Timeout" not in type(exc).__name__:
                raise
            raise Unmet(
                f"{selector!r} on {where} cannot be used (hidden, covered or disabled)"
            ) from None

    @property
    def _action_ms(self) -> float:
        return self._timeout * 1000 / 2  # the other half: the page the action leads to

    # -- what the page does -----------------------------------------------------------

    async def _route(self, route: Route) -> None:
        request = route.request
        url = request.url
        host = urlsplit(url).hostname or ""
        if url in self._payment_hosts or on_hosts(host, TRACKERS):
            if url in self._payment_hosts and self._navigates(request):
                self._handover = url
            await route.abort("blockedbyclient")
        elif self._internal_only and not self._site.contains(url) and url.startswith("http"):
            if self._navigates(request):
                self._off_site = url
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    def _answered(self, response: Response) -> None:
        request = response.request
        if self._navigates(request):
            self._hops.append(Hop(request.method, response.url, response.status))
            self._status = response.status
        elif (
            response.status >= 400
            and request.resource_type in _CALLS
            and self._site.contains(response.url)
        ):
            answer = status_text(response.status)
            self._calls.append(FailedCall(request.method, response.url, answer))

    def _request_failed(self, request: Request) -> None:
        failure = request.failure or "failed"
        if self._navigates(request):
            if request.url in self._payment_hosts:  # a redirect there, which no host resolves
                self._handover = request.url
            elif not failure.startswith(_NOT_FAILED):
                self._problem = f"could not load {request.url} ({failure})"
        elif (
            request.resource_type in _CALLS
            and self._site.contains(request.url)
            and not failure.startswith(_NOT_FAILED)
        ):
            self._calls.append(FailedCall(request.method, request.url, f"no answer ({failure})"))

    def _navigates(self, request: Request) -> bool:
        """A request for the page itself (not a frame's, not a call's)."""
        try:
            return request.is_navigation_request() and request.frame == self._page.main_frame
        except PlaywrightError:
            return False  # a service worker's request has no frame


def _basic_auth(secrets: SiteSecrets, site_origin: str) -> dict[str, str] | None:
    """Basic auth for the site's own origin, sent with every request there."""
    if secrets.basic_auth is None:
        return None
    user, password = secrets.basic_auth
    return {"username": user, "password": password, "origin": site_origin, "send": "always"}


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _ms(started: float, ended: float) -> int:
    return max(0, round((ended - started) * 1000))
