"""Running the configured flows: each in a fresh browser, reported on its own. The flows
that say `browser: true` share one Chromium (rendered.py), each in a fresh context."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

import httpx

from checks.catalogue.checkout import SLOW_STEP
from checks.checkout.browser import Browser, PaymentHosts
from checks.checkout.credentials import SiteSecrets, site_secrets
from checks.checkout.findings import SCREENSHOTS, FlowFindings
from checks.checkout.flow import Flow
from checks.checkout.page_rules import LinkChecker, check_step_pages
from checks.checkout.walker import HttpSteps, StepDriver, walk_flow
from checks.context import CheckContext
from ground.chromium import TRACKERS, chromium_executable
from ground.errors import ConfigError
from ground.model import Finding, FlowOutcome

if TYPE_CHECKING:
    from checks.checkout.rendered import Chromium


@dataclass(frozen=True)
class PreparedFlow:
    """A flow with its credentials read from the environment."""

    flow: Flow
    secrets: SiteSecrets
    chromium: str | None = None  # the browser's executable, for a flow with browser: true


@dataclass(frozen=True)
class FlowResult:
    outcome: FlowOutcome
    findings: tuple[Finding, ...]


def prepare_flows(
    flows: Sequence[Flow], environ: Mapping[str, str], browser_path: str | None = None
) -> tuple[PreparedFlow, ...]:
    """Every flow with its secrets, and a browser flow with its Chromium (`browser_path`,
    else SHOPLINT_CHROMIUM, else chromium on PATH); a ConfigError (exit 2) when a variable
    is not set or there is no browser. Called before anything is fetched, so a run never
    fails on it halfway."""
    prepared = []
    for i, flow in enumerate(flows):
        where = "checkout" if len(flows) == 1 else f"checkout.{i}"
        secrets = site_secrets(flow.credentials, environ, where)
        chromium = _browser_for(f"{where}.browser", browser_path, environ) if flow.browser else None
        prepared.append(PreparedFlow(flow, secrets, chromium))
    return tuple(prepared)


def _browser_for(where: str, browser_path: str | None, environ: Mapping[str, str]) -> str:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise ConfigError(f"{where} needs playwright: pip install 'shoplint[render]'") from None
    return chromium_executable(browser_path, environ, where)


def run_flows(
    flows: Sequence[PreparedFlow],
    site_url: str,
    ctx: CheckContext,
    normalize: Callable[[str], str | None],
    max_bytes: int,
    report_dir: Path | None = None,
) -> list[FlowResult]:
    """Walk each flow from `site_url` (its start and get paths resolve against it) and judge
    its pages; an answer over `max_bytes` (decompressed) fails its step. A failed browser
    step leaves a screenshot in `report_dir`. A finding two flows share is kept once, with
    the first flow."""
    results: list[FlowResult] = []
    seen: set[tuple[str, str, str | None]] = set()
    tls = httpx.create_ssl_context()  # once: loading the trusted certificates takes a while
    shots = report_dir / SCREENSHOTS if report_dir is not None else None
    with _one_chromium(flows) as chromium:
        for prepared in flows:
            result = _run_flow(prepared, site_url, ctx, normalize, tls, max_bytes, chromium, shots)
            findings = tuple(f for f in result.findings if (f.code, f.url, f.target) not in seen)
            seen.update((f.code, f.url, f.target) for f in findings)
            results.append(FlowResult(result.outcome, findings))
    return results


@contextlib.contextmanager
def _one_chromium(flows: Sequence[PreparedFlow]) -> Iterator[Chromium | None]:
    """The run's Chromium, when a flow needs one: it refuses the payment providers of
    every browser flow, and the trackers."""
    executable = next((p.chromium for p in flows if p.chromium), None)
    if executable is None:
        yield None
        return
    from checks.checkout.rendered import Chromium

    payment = {
        host for p in flows if p.chromium for host in PaymentHosts(p.flow.payment_hosts).hosts
    }
    chromium = Chromium(executable, sorted({*TRACKERS, *payment}))
    try:
        yield chromium
    finally:
        chromium.close()


def _run_flow(
    prepared: PreparedFlow,
    site_url: str,
    ctx: CheckContext,
    normalize: Callable[[str], str | None],
    tls: ssl.SSLContext,
    max_bytes: int,
    chromium: Chromium | None,
    screenshots: Path | None,
) -> FlowResult:
    flow, secrets = prepared.flow, prepared.secrets
    payment_hosts = PaymentHosts(flow.payment_hosts)

    def browser() -> Browser:
        return Browser(
            ctx.site,
            secrets,
            payment_hosts,
            user_agent=ctx.user_agent,
            timeout=flow.timeout,
            max_bytes=max_bytes,
            internal_only=ctx.internal_only,
            tls=tls,
        )

    start_url = urldefrag(urljoin(site_url, flow.start))[0]
    found = FlowFindings(ctx, normalize, start_url, secrets.redact)
    with contextlib.ExitStack() as stack:
        steps: StepDriver
        if flow.browser and chromium is not None:
            from checks.checkout.rendered import BrowserSteps

            steps = stack.enter_context(
                BrowserSteps(
                    chromium,
                    site_url,
                    ctx.site,
                    secrets,
                    payment_hosts,
                    user_agent=ctx.user_agent,
                    timeout=flow.timeout,
                    internal_only=ctx.internal_only,
                    screenshots=screenshots,
                    flow_name=flow.name,
                )
            )
        else:
            steps = HttpSteps(stack.enter_context(browser()), site_url)
        link_browser = stack.enter_context(browser())
        budget = int(ctx.option(SLOW_STEP, "max_ms"))
        walk = walk_flow(flow, site_url, start_url, steps, found, budget)
        check_step_pages(walk.pages, flow, LinkChecker(link_browser), found)
    return FlowResult(_redacted(walk.outcome, secrets), tuple(found.found))


def _redacted(outcome: FlowOutcome, secrets: SiteSecrets) -> FlowOutcome:
    """The outcome with any secret blanked out (a redirect may carry one in its address)."""
    redact = secrets.redact
    steps = tuple(
        replace(
            step,
            url=step.url and redact(step.url),
            hops=tuple(redact(hop) for hop in step.hops),
            note=step.note and redact(step.note),
            failed_calls=tuple(redact(call) for call in step.failed_calls),
        )
        for step in outcome.steps
    )
    return replace(outcome, start_url=redact(outcome.start_url), steps=steps)
