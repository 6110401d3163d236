"""Running the configured flows: each in a fresh browser, reported on its own."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urldefrag, urljoin

import httpx

from checks.catalogue.checkout import SLOW_STEP
from checks.checkout.browser import Browser, PaymentHosts
from checks.checkout.credentials import SiteSecrets, site_secrets
from checks.checkout.findings import FlowFindings
from checks.checkout.flow import Flow
from checks.checkout.page_rules import LinkChecker, check_step_pages
from checks.checkout.walker import walk_flow
from checks.context import CheckContext
from ground.model import Finding, FlowOutcome


@dataclass(frozen=True)
class PreparedFlow:
    """A flow with its credentials read from the environment."""

    flow: Flow
    secrets: SiteSecrets


@dataclass(frozen=True)
class FlowResult:
    outcome: FlowOutcome
    findings: tuple[Finding, ...]


def prepare_flows(flows: Sequence[Flow], environ: Mapping[str, str]) -> tuple[PreparedFlow, ...]:
    """Every flow with its secrets; a ConfigError (exit 2) when a variable is not set.
    Called before anything is fetched, so a run never fails on it halfway."""
    return tuple(
        PreparedFlow(
            flow,
            site_secrets(
                flow.credentials, environ, "checkout" if len(flows) == 1 else f"checkout.{i}"
            ),
        )
        for i, flow in enumerate(flows)
    )


def run_flows(
    flows: Sequence[PreparedFlow],
    site_url: str,
    ctx: CheckContext,
    normalize: Callable[[str], str | None],
    max_bytes: int,
) -> list[FlowResult]:
    """Walk each flow from `site_url` (its start and get paths resolve against it) and judge
    its pages; an answer over `max_bytes` (decompressed) fails its step. A finding two flows
    share is kept once, with the first flow."""
    results: list[FlowResult] = []
    seen: set[tuple[str, str, str | None]] = set()
    tls = httpx.create_ssl_context()  # once: loading the trusted certificates takes a while
    for prepared in flows:
        result = _run_flow(prepared, site_url, ctx, normalize, tls, max_bytes)
        findings = tuple(f for f in result.findings if (f.code, f.url, f.target) not in seen)
        seen.update((f.code, f.url, f.target) for f in findings)
        results.append(FlowResult(result.outcome, findings))
    return results


def _run_flow(
    prepared: PreparedFlow,
    site_url: str,
    ctx: CheckContext,
    normalize: Callable[[str], str | None],
    tls: ssl.SSLContext,
    max_bytes: int,
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
    with browser() as customer, browser() as link_browser:
        budget = int(ctx.option(SLOW_STEP, "max_ms"))
        walk = walk_flow(flow, site_url, start_url, customer, found, budget)
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
        )
        for step in outcome.steps
    )
    return replace(outcome, start_url=redact(outcome.start_url), steps=steps)
