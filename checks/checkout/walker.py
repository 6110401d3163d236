"""Walking one checkout flow like a customer: the start page, then each step in order, in
one browser (one cookie jar). A failed step stops the flow, and so do a payment provider
(never requested: the hand-over is the flow's last step) and the stop_before step."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from bs4 import BeautifulSoup

from checks.catalogue.checkout import INSECURE_STEP, SLOW_STEP, STEP_FAILED
from checks.checkout.browser import Browser, Visit, status_text
from checks.checkout.findings import FlowFindings
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


class _Unmet(Exception):
    """A step cannot be done on the page it starts from (no such link or form)."""


def walk_flow(
    flow: Flow,
    site_url: str,
    start_url: str,
    browser: Browser,
    found: FlowFindings,
    default_budget_ms: int,
) -> Walk:
    """Walk `flow` from `start_url`; its `get` paths resolve against `site_url`."""
    walker = _Walker(flow, site_url, start_url, browser, found, default_budget_ms)
    end = walker.run()
    total = sum(step.ms or 0 for step in walker.steps)
    outcome = FlowOutcome(flow.name, walker.start_url, end, total, tuple(walker.steps))
    return Walk(outcome, walker.pages)


class _Walker:
    def __init__(
        self,
        flow: Flow,
        site_url: str,
        start_url: str,
        browser: Browser,
        found: FlowFindings,
        default_budget_ms: int,
    ):
        self.flow = flow
        self.site_url = site_url
        self.start_url = start_url
        self.browser = browser
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
            method, url, entries = self._request(step, current)
        except _Unmet as unmet:
            assert current is not None  # the start step is a get: it always has a request
            return self._failed(step, current.url, str(unmet), current.sent_back)
        visit = self.browser.visit(method, url, entries)
        self._insecure_hops(step, visit, current)
        if visit.handover is not None:
            return self._handed_over(step, visit)
        if visit.response is None:
            where = visit.hops[-1].url if visit.hops else url
            problem = visit.problem or f"{visit.off_site} is off the site (internal-only run)"
            return self._failed(step, where, problem, visit=visit)
        page = self._page(step.name, visit)
        unmet = _unmet(step.expect, visit.response.status_code, page)
        if unmet is not None:
            return self._failed(step, page.url, unmet, page.sent_back, visit)
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.PASSED,
                page.url,
                visit.response.status_code,
                visit.ms,
                _hops(visit),
            )
        )
        budget = step.expect.max_ms or self.default_budget_ms
        if visit.ms > budget:
            message = f"Checkout step {step.name!r} took {visit.ms:,} ms (budget {budget:,} ms)"
            self.found.about_flow(SLOW_STEP, page.url, message, self._evidence(visit))
        self.pages.append(page)
        return StepStatus.PASSED

    def _request(
        self, step: Step, current: StepPage | None
    ) -> tuple[str, str, tuple[tuple[str, str], ...] | None]:
        """(method, URL, form entries) of the step, from the page it starts on."""
        if step.get is not None:
            return "GET", urldefrag(urljoin(self.site_url, step.get))[0], None
        assert current is not None  # only the first step (a get) starts without a page
        selector = step.follow or step.submit or ""
        target = current.soup.select_one(selector)
        if step.follow is not None:
            if target is None:
                raise _Unmet(f"no link matches {selector!r} on {current.url}")
            link = target if target.has_attr("href") else target.find("a", href=True)
            if link is None:
                raise _Unmet(f"{selector!r} on {current.url} is not a link")
            return "GET", urldefrag(urljoin(current.base, str(link["href"]).strip()))[0], None
        if target is None:
            raise _Unmet(f"no form matches {selector!r} on {current.url}")
        try:
            sent = submission(target, current.base, step.fields)
        except FormError as error:
            raise _Unmet(f"the form {selector!r} on {current.url} {error}") from None
        return sent.method, sent.url, sent.entries

    def _page(self, step: str, visit: Visit) -> StepPage:
        response = visit.response
        assert response is not None
        url = str(response.url)
        html = "html" in response.headers.get("content-type", "text/html")
        text = self.found.redact(visit.text) if html else ""  # a page may echo a secret
        soup = BeautifulSoup(text, "lxml")
        doc = parse_html(text.encode(), "utf-8") if html else None
        sent_back = len(visit.hops) > 1 and any(p.url == url for p in self.pages)
        return StepPage(step, url, soup, doc, sent_back)

    def _failed(
        self,
        step: Step,
        url: str,
        reason: str,
        sent_back: bool = False,
        visit: Visit | None = None,
    ) -> StepStatus:
        note = reason + (SENT_BACK if sent_back else "")
        status = visit.response.status_code if visit and visit.response else None
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.FAILED,
                url,
                status,
                visit.ms if visit else None,
                _hops(visit),
                note,
            )
        )
        message = f"Checkout step {step.name!r} failed: {note}"
        self.found.about_flow(STEP_FAILED, url, message, self._evidence(visit))
        return StepStatus.FAILED

    def _handed_over(self, step: Step, visit: Visit) -> StepStatus:
        address = urldefrag(visit.handover or "")[0].split("?")[0]  # its query: their session
        note = f"handed over to {urlsplit(address).hostname} (a payment provider): not requested"
        self.steps.append(
            StepOutcome(
                step.name,
                step.action,
                StepStatus.HANDED_OVER,
                address,
                None,
                visit.ms,
                _hops(visit),
                note,
            )
        )
        return StepStatus.HANDED_OVER

    def _insecure_hops(self, step: Step, visit: Visit, current: StepPage | None) -> None:
        """On an https shop, a request of the step that went over plain http."""
        if not self.https:
            return
        plain = next((hop.url for hop in visit.hops if hop.url.startswith("http:")), None)
        if plain is not None:
            where = current.url if current else self.start_url
            message = f"Checkout step {step.name!r} goes over plain http"
            self.found.add(INSECURE_STEP, where, plain, message, self._evidence(visit))

    def _evidence(self, visit: Visit | None) -> str | None:
        """The step's requests, the site's own addresses as paths: `POST /cart/ 303 → ...`."""
        if visit is None or not visit.hops:
            return None
        site = origin(self.site_url) + "/"
        return " → ".join(
            f"{hop.method} {'/' + hop.url[len(site) :] if hop.url.startswith(site) else hop.url}"
            f" {hop.status}"
            for hop in visit.hops
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


def _hops(visit: Visit | None) -> tuple[str, ...]:
    return tuple(str(hop) for hop in visit.hops) if visit else ()
