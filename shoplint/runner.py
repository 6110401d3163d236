"""One run, end to end: crawl -> store -> checks -> reports -> gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checks.context import CheckContext
from checks.engine import site_findings
from checks.site import SiteView
from crawler.process import crawl
from crawler.settings import USER_AGENT
from reports.data import ReportData
from reports.findings_json import write_findings_json
from reports.gate import GateResult, evaluate
from reports.html import write_index_html
from shoplint.config import Config
from shoplint.errors import ConfigError, CrawlError
from shoplint.model import Finding, Outcome, RunInfo, RunStatus
from shoplint.store import Store, open_store
from shoplint.urls import Normalizer

EXIT_PASSED, EXIT_GATE_FAILED, EXIT_CRAWL_FAILED = 0, 1, 3


@dataclass(frozen=True)
class RunOutcome:
    run: RunInfo
    findings: list[Finding]
    gate: GateResult
    report_dir: Path
    problem: str | None  # why the crawl could not be done, if it could not

    @property
    def exit_code(self) -> int:
        if self.problem:
            return EXIT_CRAWL_FAILED
        return EXIT_PASSED if self.gate.passed else EXIT_GATE_FAILED


def start_url_key(url: str, config: Config) -> str:
    key = Normalizer(config.crawl.drop_params).normalize(url)
    if key is None:
        raise ConfigError(f"URL: expected an absolute http(s) address, got {url!r}")
    return key


def run(url: str, config: Config, today: date, resume: bool = False) -> RunOutcome:
    start = start_url_key(url, config)
    report_dir = Path(config.report.out)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlError(
            f"--out {report_dir}: cannot create the report folder ({exc.strerror})"
        ) from None
    store = open_store(config.store.path)
    try:
        run_id, before = _begin(store, start, config, today, resume)
        fetched = tuple((f.url, f.is_page) for f in store.fetches(run_id)) if resume else ()
        pending = tuple(store.unfetched_targets(run_id)) if resume else ()
        result = crawl(config, start, today, config.store.path, run_id, fetched, pending)
        if not result.finished:
            status = RunStatus.INTERRUPTED
            problem = f"crawl interrupted ({result.finish_reason}); --resume continues it"
        elif problem := _start_problem(store, run_id, start):
            status = RunStatus.FAILED
        else:
            status = RunStatus.COMPLETE
        counters = _add(before, result.counters())
        if status is not RunStatus.FAILED:
            context = CheckContext(
                config.checks,
                start,
                today,
                site_hosts=config.site.hosts,
                internal_only=config.crawl.internal_only,
                user_agent=config.crawl.user_agent or USER_AGENT,
            )
            store.add_findings(run_id, site_findings(SiteView(store, run_id, start), context))
        findings = store.findings(run_id)
        store.finish_run(run_id, status, counters)
        data = ReportData(store.run(run_id), findings, store.status_counts(run_id))
    finally:
        store.close()
    write_findings_json(data, report_dir)
    write_index_html(data, report_dir)
    return RunOutcome(data.run, findings, evaluate(findings), report_dir, problem)


def _begin(
    store: Store, start: str, config: Config, today: date, resume: bool
) -> tuple[int, dict[str, int]]:
    """The run to crawl into, and the counters it already has (a resumed run's)."""
    if not resume:
        return store.begin_run(start, config.digest(), today.isoformat()), {}
    previous = store.latest_unfinished_run(start)
    if previous is None:
        raise ConfigError(f"--resume: no interrupted run of {start} in {config.store.path}")
    store.reopen_run(previous.id)
    return previous.id, previous.counters


def _start_problem(store: Store, run_id: int, start: str) -> str | None:
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
