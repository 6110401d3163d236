"""Walking one checkout flow like a customer: the start page, then each step in order, in
one browser (one cookie jar). A failed step stops the flow, and so do a payment provider
(never requested: the hand-over is the flow's last step) and the stop_before step.

How a step is done is its driver's business: `HttpSteps` here (plain HTTP, browser.py), or
checks/checkout/rendered.py's in Chromium. Both tell the walker where the step arrived
(`Arrival`); the walker judges it the same way for both."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from bs4 import BeautifulSoup

from checks.catalogue.checkout import FAILED_CALL, INSECURE_STEP, SLOW_STEP, STEP_FAILED
from checks.checkout.browser import Browser, Hop, Visit, status_text
from checks.checkout.findings import FlowFindings, with_screenshot
from checks.checkout.flow import Expect, Flow, Step
from checks.checkout.forms import FormError, submission
from ground.html.extract import PageFacts, page_base, page_facts, parse_html
from ground.html.text import visible_text_of
from ground.model import FlowEnd, FlowOutcome, StepOutcome, StepStatus
from ground.urls import origin

START = "start"  # the name of the implicit first step: the start page
SENT_BACK = " (the flow was sent back to a page an earlier step showed: was the session lost?)"


@dataclass(eq=False)
class StepPage:
    """The page a passed step ended on: what the page rules look at."""

    step: str
    url: str  # as fetched, after redirects
    soup: BeautifulSoup  # for CSS selectors and forms
    doc: lxml.html.HtmlElement | None  # for the shared page helpers; None when not HTML
    sent_back: bool = False  # redirected to a page an earlier step showed

    @cached_property
    def facts(self) -> PageFacts | None:
        return page_facts(self.doc) if self.doc is not None else None

    @cached_property
    def base(self) -> str:
        """Where the page's relative addresses resolve: its <base href>, else itself."""
        return page_base(self.url, self.facts.base if self.facts else None)

    @cached_property
    def visible_text(self) -> str:
        return visible_text_of(self.doc) if self.doc is not None else ""


@dataclass
class Walk:
    outcome: FlowOutcome
    pages: list[StepPage] = field(default_factory=list)  # of the steps that passed, in order


@dataclass(frozen=True, slots=True)
class FailedCall:
    """A call of a page to its site (XHR, fetch) that failed, in a browser."""

    method: str
    url: str
    answer: str  # its status ("500 Internal Server Error"), or why there was none

    def __str__(self) -> str:
        return f"{self.method} {self.url} {self.answer}"


@dataclass(frozen=True)
class Arrival:
    """Where a step's action led: the page it ended on (its address, status and HTML), or
    why there is none."""

    asked: str  # the address the step asked for first (its page's, when it asked none)
    hops: tuple[Hop, ...]  # the requests of the page's address: redirects, form posts
    ms: int  # until the page was there
    url: str | None = None  # the page reached; None: no answer (see `problem`)
    status: int | None = None
    html: str | None = None  # the page as text, when it is HTML
    handover: str | None = None  # the payment provider's address the next request was for
    off_site: str | None = None  # an address off the site, not requested (internal-only run)
    problem: str | None = None  # why there is no answer: timeout, refused, too many redirects
    unmet: str | None = None  # what the step waited for in vain (wait_for)
    failed_calls: tuple[FailedCall, ...] = ()  # the page's own calls to its site that failed


class Unmet(Exception):
    """A step cannot be done on the page it starts from (no such link, form or element)."""


class StepDriver(Protocol):
    """Does a flow's steps: over plain HTTP (HttpSteps) or in Chromium (rendered.py)."""

    def go(self, step: Step, current: StepPage | None) -> Arrival:
        """Do `step` from `current` (None: the start step, a get); Unmet when it cannot."""
        ...

    def screenshot(self, step: str) -> str | None:
        """A picture of the page as it is now, in the report folder (its path there)."""
        ...


def walk_flow(
    flow: Flow,
    site_url: str,
    start_url: str,
    driver: StepDriver,
    found: FlowFindings,
    default_budget_ms: int,
) -> Walk:
    """Walk `flow` from `start_url`, each step done by `driver`."""
    walker = _Walker(flow, site_url, start_url, driver, found, default_budget_ms)
    end = walker.run()
    total = sum(step.ms or 0 for step in walker.steps)
    outcome = FlowOutcome(flow.name, walker.start_url, end, total, tuple(walker.steps))
    return Walk(outcome, walker.pages)


def get_address(step: Step, site_url: str) -> str:
    """The address a `get` step asks for: its path resolves against the site."""
    return urldefrag(urljoin(site_url, step.get or ""))[0]


class HttpSteps:
    """Steps over plain HTTP: a link is followed and a form sent as a browser would, by
    reading the page's HTML (forms.py)."""

    def __init__(self, browser: Browser, site_url: str):
        self.browser = browser
        self.site_url = site_url

    def go(self, step: Step, current: StepPage | None) -> Arrival:
        method, url, entries = self._request(step, current)
        return _arrival(url, self.browser.visit(method, url, entries))

    def screenshot(self, step: str) -> str | None:
        return None  # no picture without a browser

    def _request(
        self, step: Step, current: StepPage | None
    ) -> tuple[str, str, tuple[tuple[str, str], ...] | None]:
        """(method, URL, form entries) of the step, from the page it starts on."""
        if step.get is not None:
            return "GET", get_address(step, self.site_url), None
        assert current is not None  # only the first step (a get) starts without a page
        selector = step.follow or step.submit or ""
        target = current.soup.select_one(selector)
        if step.follow is not None:
            if target is None:
                raise Unmet(f"no link matches {selector!r} on {current.url}")
            link = target if target.has_attr("href") else target.find("a", href=True)
            if link is None:
                raise Unmet(f"{selector!r} on {current.url} is not a link")
            return "GET", urldefrag(urljoin(current.base, str(link["href"]).strip()))[0], None
        if target is None:
            raise Unmet(f"no form matches {selector!r} on {current.url}")
        try:
            sent = submission(target, current.base, step.fields)
        except FormError as error:
            raise Unmet(f"the form {selector!r} on {current.url} {error}") from None
        return sent.method, sent.url, sent.entries


def _arrival(url: str, visit: Visit) -> Arrival:
    response = visit.response
    if response is None:
        return Arrival(
            url,
            visit.hops,
            visit.ms,
            handover=visit.handover,
            off_site=visit.off_site,
            problem=visit.problem,
        )
    html = "html" in response.headers.get("content-type", "text/html")
    text = visit.text if html else None
    return Arrival(url, visit.hops, visit.ms, str(response.url), response.status_code, text)


class _Walker:
    def __init__(
        self,
        flow: Flow,
        site_url: str,
        start_url: str,
        driver: StepDriver,
        found: FlowFindings,
        default_budget_ms: int,
    ):
        self.flow = flow
        self.site_url = site_url
        self.start_url = start_url
        self.driver = driver
        self.found = found
        self.default_budget_ms = default_budget_ms
        self.https = self.start_url.startswith("https:")
        self.steps: list[StepOutcome] = []
        self.pages: list[StepPage] = []

    def run(self) -> FlowEnd:
        plan = [Step(name=START, get=self.start_url), *self.flow.steps]
        for index, step in enumerate(plan):
            if index and step.name == self.flow.stop_before:
                self._not_run(plan[index:])
                return FlowEnd.STOPPED
            status = self._do(step)
            if status is not StepStatus.PASSED:
                self._not_run(plan[index + 1 :])
                return FlowEnd.FAILED if status is StepStatus.FAILED else FlowEnd.HANDED_OVER
        return FlowEnd.COMPLETED

    def _do(self, step: Step) -> StepStatus:
        current = self.pages[-1] if self.pages else None
        try:
            arrival = self.driver.go(step, current)
        except Unmet as unmet:
            assert current is not None  # the start step is a get: it always has a request
            return self._failed(step, current.url, str(unmet), current.sent_back)
        self._insecure_hops(step, arrival, current)
        if arrival.handover is not None:
            return self._handed_over(step, arrival)
        if arrival.url is None or arrival.status is None:
            where = arrival.hops[-1].url if arrival.hops else arrival.asked
            problem = arrival.problem or f"{arrival.off_site} is off the site (internal-only run)"
            return self._failed(step, where, problem, arrival=arrival)
        page = self._page(step.name, arrival)
        if current is not None:  # the start page is the shop's own: the crawl judges it
            self._failed_calls(step, page.url, arrival)
        unmet = arrival.unmet or _unmet(step.expect, arrival.status, page)
        if unmet is not None:
            return self._failed(step, page.url, unmet, page.sent_back, arrival)
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.PASSED,
                page.url,
                arrival.status,
                arrival.ms,
                _hops(arrival),
                failed_calls=_calls(arrival),
            )
        )
        budget = step.expect.max_ms or self.default_budget_ms
        if arrival.ms > budget:
            message = f"Checkout step {step.name!r} took {arrival.ms:,} ms (budget {budget:,} ms)"
            self.found.about_flow(SLOW_STEP, page.url, message, self._evidence(arrival))
        self.pages.append(page)
        return StepStatus.PASSED

    def _page(self, step: str, arrival: Arrival) -> StepPage:
        assert arrival.url is not None
        html = arrival.html is not None
        text = self.found.redact(arrival.html or "")  # a page may echo a secret
        soup = BeautifulSoup(text, "lxml")
        doc = parse_html(text.encode(), "utf-8") if html else None
        sent_back = len(arrival.hops) > 1 and any(p.url == arrival.url for p in self.pages)
        return StepPage(step, arrival.url, soup, doc, sent_back)

    def _failed(
        self,
        step: Step,
        url: str,
        reason: str,
        sent_back: bool = False,
        arrival: Arrival | None = None,
    ) -> StepStatus:
        note = reason + (SENT_BACK if sent_back else "")
        status = arrival.status if arrival else None
        shot = self.driver.screenshot(step.name)
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.FAILED,
                url,
                status,
                arrival.ms if arrival else None,
                _hops(arrival),
                note,
                shot,
                _calls(arrival),
            )
        )
        message = f"Checkout step {step.name!r} failed: {note}"
        evidence = with_screenshot(self._evidence(arrival), shot)
        self.found.about_flow(STEP_FAILED, url, message, evidence)
        return StepStatus.FAILED

    def _handed_over(self, step: Step, arrival: Arrival) -> StepStatus:
        address = urldefrag(arrival.handover or "")[0].split("?")[0]  # its query: their session
        note = f"handed over to {urlsplit(address).hostname} (a payment provider): not requested"
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.HANDED_OVER,
                address,
                None,
                arrival.ms,
                _hops(arrival),
                note,
            )
        )
        return StepStatus.HANDED_OVER

    def _insecure_hops(self, step: Step, arrival: Arrival, current: StepPage | None) -> None:
        """On an https shop, a request of the step that went over plain http."""
        if not self.https:
            return
        plain = next((hop.url for hop in arrival.hops if hop.url.startswith("http:")), None)
        if plain is not None:
            message = f"Checkout step {step.name!r} goes over plain http"
            where = current.url if current else self.start_url
            self.found.add(INSECURE_STEP, where, plain, message, self._evidence(arrival))

    def _failed_calls(self, step: Step, page: str, arrival: Arrival) -> None:
        """The page's calls to its own site that failed (an API answering 500): in a
        browser, what the customer's page could not load."""
        for call in arrival.failed_calls:
            message = f"A call of the checkout page of step {step.name!r} to its site failed"
            self.found.add(FAILED_CALL, page, call.url, f"{message} ({call.answer})", str(call))

    def _evidence(self, arrival: Arrival | None) -> str | None:
        """The step's requests, the site's own addresses as paths: `POST /cart/ 303 → ...`."""
        if arrival is None or not arrival.hops:
            return None
        site = origin(self.site_url) + "/"
        return " → ".join(
            f"{hop.method} {'/' + hop.url[len(site) :] if hop.url.startswith(site) else hop.url}"
            f" {hop.status}"
            for hop in arrival.hops
        )

    def _not_run(self, steps: list[Step]) -> None:
        self.steps.extend(StepOutcome(s.name, s.action, StepStatus.NOT_RUN) for s in steps)


def _unmet(expect: Expect, status: int, page: StepPage) -> str | None:
    """The first expectation the answer does not meet, as 'expected ..., found ...'."""
    allowed = expect.statuses()
    if (status not in allowed) if allowed else not 200 <= status < 300:
        wanted = " or ".join(map(str, allowed)) if allowed else "2xx"
        return f"expected status {wanted}, found {status_text(status)}"
    if expect.selector and page.soup.select_one(expect.selector) is None:
        return f"expected an element matching {expect.selector!r}, found none"
    text = page.visible_text.casefold()
    if expect.contains and _folded(expect.contains) not in text:
        return f"expected the text {expect.contains!r}, not on the page"
    if expect.not_contains and _folded(expect.not_contains) in text:
        return f"expected no {expect.not_contains!r}, found it on the page"
    return None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _hops(arrival: Arrival | None) -> tuple[str, ...]:
    return tuple(str(hop) for hop in arrival.hops) if arrival else ()


def _calls(arrival: Arrival | None) -> tuple[str, ...]:
    return tuple(str(call) for call in arrival.failed_calls) if arrival else ()
