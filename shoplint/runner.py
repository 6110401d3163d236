"""One run, end to end: crawl -> store -> checks -> owners -> gate -> reports."""

from __future__ import annotations

import os
from datetime import date

from checks.checkout import FlowResult, PreparedFlow, prepare_flows, run_flows
from checks.context import CheckContext
from checks.engine import site_findings
from checks.page_checks import PageChecks, default_workers
from checks.site import SiteView
from crawler.process import crawl
from crawler.settings import USER_AGENT
from ground.errors import ConfigError
from ground.model import Outcome, RunStatus
from ground.urls import Normalizer
from reports.assemble import assemble
from reports.writers import write_reports
from shoplint.config import Config
from shoplint.gating import RunOutcome, prepared_report_dir, start_url_key
from store import RunBook, open_store


def run(url: str, config: Config, today: date, resume: bool = False) -> RunOutcome:
    start = start_url_key(url, config)
    flows = prepare_flows(config.checkout or (), os.environ)  # before any request
    report_dir = prepared_report_dir(config)
    context = check_context(config, start, today)
    workers = config.crawl.check_workers
    page_checks = PageChecks(context, default_workers() if workers is None else workers)
    store = open_store(config.store.path)
    try:
        run_id, before = _begin(store, start, config, today, resume)
        fetched = tuple(store.fetched_urls(run_id)) if resume else ()
        pending = tuple(store.unfetched_targets(run_id)) if resume else ()
        result = crawl(
            config.crawl,
            config.site,
            start,
            config.store.path,
            run_id,
            page_checks,
            fetched,
            pending,
        )
        if not result.finished:
            status = RunStatus.INTERRUPTED
            problem = f"crawl interrupted ({result.finish_reason}); --resume continues it"
        elif problem := _start_problem(store, run_id, start):
            status = RunStatus.FAILED
        else:
            status = RunStatus.COMPLETE
        counters = _add(before, result.counters())
        if status is not RunStatus.FAILED:
            site = SiteView(store, run_id, start, link_cache=store)
            store.add_findings(run_id, site_findings(site, context))
            _walk_checkout(store, run_id, flows, start, context, config)
        store.finish_run(run_id, status, counters)
        store.record_first_seen(run_id)
        report = assemble(store, run_id, config, today)
        if config.store.keep_runs:
            store.prune_runs(start, config.store.keep_runs)
    finally:
        store.close()
    write_reports(report, report_dir, config.report.formats)
    return RunOutcome(report, report_dir, problem)


def check_context(config: Config, start: str, today: date) -> CheckContext:
    """The one check context of a run: page rules, site rules and the checkout walk share it."""
    return CheckContext(
        config.checks,
        start,
        today,
        site_hosts=config.site.hosts,
        internal_only=config.crawl.internal_only,
        user_agent=config.crawl.user_agent or USER_AGENT,
    )


def checkout(url: str, config: Config, today: date) -> list[FlowResult]:
    """`shoplint checkout`: the config's flows against the site at `url`, nothing stored."""
    if not config.checkout:
        raise ConfigError(
            "checkout: the config has no checkout section (README: shoplint checkout)"
        )
    site = start_url_key(url, config)
    flows = prepare_flows(config.checkout, os.environ)
    normalize = Normalizer(config.crawl.drop_params).normalize
    return run_flows(flows, site, check_context(config, site, today), normalize)


def _walk_checkout(
    store: RunBook,
    run_id: int,
    flows: tuple[PreparedFlow, ...],
    start: str,
    context: CheckContext,
    config: Config,
) -> None:
    """The checkout flows, after the crawl: their findings and outcomes go with the run."""
    normalize = Normalizer(config.crawl.drop_params).normalize
    for result in run_flows(flows, start, context, normalize):
        store.add_findings(run_id, result.findings)
        store.add_checkout_flow(run_id, result.outcome)


def _begin(
    store: RunBook, start: str, config: Config, today: date, resume: bool
) -> tuple[int, dict[str, int]]:
    """The run to crawl into, and the counters it already has (a resumed run's)."""
    if not resume:
        return store.begin_run(start, config.digest(), today.isoformat()), {}
    previous = store.latest_unfinished_run(start)
    if previous is None:
        raise ConfigError(f"--resume: no interrupted run of {start} in {config.store.path}")
    store.reopen_run(previous.id)
    return previous.id, previous.counters


def _start_problem(store: RunBook, run_id: int, start: str) -> str | None:
    """Why the start URL gave the crawl nothing to work with, or None if it did."""
    chain = store.redirect_chain(run_id, start)
    if not chain:
        return f"start URL {start} was not fetched"
    last = chain[-1]
    if last.outcome is Outcome.FAILED:
        return f"start URL {last.url} is unreachable ({last.error})"
    if last.outcome is Outcome.DISALLOWED:
        return f"robots.txt disallows the start URL {last.url}"
    if last.redirect_to is not None:
        return (
            f"start URL {start} redirects to {last.redirect_to}, which is not crawled"
            " (another origin: start there, or add its host to site.hosts)"
        )
    return None


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in a.keys() | b.keys()}
