"""One run, end to end: crawl -> store -> checks -> owners -> gate -> reports.

Whatever happens after the run has begun, it ends stored and reported: complete; or
interrupted (a signal, a time limit: shoplint/bounds.py); or failed, by an error the code
did not expect, whose traceback is left in the report folder.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checks.context import CheckContext
from checks.engine import site_findings
from checks.page_checks import PageChecks, default_workers
from checks.site import SiteView
from crawler.process import crawl
from crawler.render_decision import ready_to_render
from crawler.settings import USER_AGENT
from ground.errors import ConfigError
from ground.model import Finding, Outcome, RunStatus
from ground.urls import Normalizer
from reports.assemble import assemble
from reports.writers import write_reports
from shoplint.bounds import Bounds, RunStopped
from shoplint.config import Config
from shoplint.gating import RunOutcome, prepared_report_dir, start_url_key
from store import RunBook, open_store, shown
from store.config import StoreConfig

if TYPE_CHECKING:  # the checkout walk (httpx, its page rules) is imported when a flow runs
    from checks.checkout import FlowResult, PreparedFlow

TRACEBACK_FILE = "traceback.txt"  # in the report folder, when a run failed unexpectedly


@dataclass
class _Run:
    """What a run has come to so far: how it ends is decided as it goes."""

    id: int
    counters: dict[str, int]
    status: RunStatus = RunStatus.COMPLETE
    problem: str | None = None  # why the run did not complete, for the exit line
    error: BaseException | None = None  # what failed it, unexpectedly


@dataclass(frozen=True)
class Shared:
    """A crawl shared over Redis (`--frontier`): this run is its coordinator."""

    frontier: str  # redis://...
    crawl_here: bool = True  # False: only workers fetch (`--no-crawl`)


def run(
    url: str, config: Config, today: date, resume: bool = False, shared: Shared | None = None
) -> RunOutcome:
    bounds = Bounds(config.run)
    start = start_url_key(url, config)
    flows = _prepared_flows(config)  # first: a flow's missing secret fails the run at once
    ready_to_render(config.crawl)
    report_dir = prepared_report_dir(config)
    context = check_context(config, start, today)
    workers = config.crawl.check_workers
    page_checks = PageChecks(context, default_workers() if workers is None else workers)
    store = open_store(config.store.path, config.store.password_env)
    with bounds.signals():
        try:
            run_id, before = _begin(store, start, config, today, resume)
            this = _Run(run_id, before)
            phases = _Phases(config, store, bounds, start, context, today, shared)
            phases.all(this, flows, page_checks, resume)
            store.finish_run(this.id, this.status, this.counters)
            store.record_first_seen(this.id)
            report = assemble(store, this.id, config, today)
            if config.store.keep_runs:
                store.prune_runs(start, config.store.keep_runs)
        finally:
            page_checks.close()
            store.close()
        write_reports(report, report_dir, config.report.formats)
    if this.error is not None:
        this.problem = f"{this.problem} ({_leave_traceback(this.error, report_dir)})"
    return RunOutcome(report, report_dir, this.problem, bounds.abandoned)


@dataclass(frozen=True)
class _Phases:
    """The crawl, the site rules and the checkout walk of one run."""

    config: Config
    store: RunBook
    bounds: Bounds
    start: str
    context: CheckContext
    today: date
    shared: Shared | None

    def all(
        self,
        this: _Run,
        flows: tuple[PreparedFlow, ...],
        page_checks: PageChecks,
        resume: bool,
    ) -> None:
        """Each phase in turn, as far as they get: a stop or an unexpected error ends the
        run where it is, with what it has."""
        phase = "the crawl"
        try:
            if not self.crawl(this, page_checks, resume):
                return
            phase = "the site rules"
            self.site_rules(this, phase)
            if flows:
                phase = "the checkout walk"
                self.checkout(this, phase, flows)
        except RunStopped as stop:
            this.status, this.problem = RunStatus.INTERRUPTED, f"{stop}; --resume continues it"
        except Exception as error:  # MemoryError too: the run is stored as failed, and reported
            this.status, this.error = RunStatus.FAILED, error
            this.problem = f"unexpected error during {phase}: {_one_line(error)}"

    def crawl(self, this: _Run, page_checks: PageChecks, resume: bool) -> bool:
        """The crawl; False when the run can go no further (the start URL failed it)."""
        coordination, sharing, kept = None, None, False
        if self.shared is not None:
            from shoplint.distributed import Coordination

            coordination = Coordination(
                self.shared.frontier, this.id, self.start, self.config, self.today
            )
            sharing, kept = coordination.open(resume, self.shared.crawl_here)
        from_store = resume and not kept  # a shared crawl's own state is the better account
        fetched = tuple(self.store.fetched_urls(this.id)) if from_store else ()
        pending = tuple(self.store.unfetched_targets(this.id)) if from_store else ()
        self.bounds.check("the start")  # the crawl has the signals from here on
        result = crawl(
            self.config.crawl,
            self.config.site,
            self.start,
            self.config.store.path,
            this.id,
            page_checks,
            fetched,
            pending,
            stop_at=self.bounds.deadline,
            grace=self.config.run.stop_grace_seconds,
            sharing=sharing,
            store_password_env=self.config.store.password_env,
        )
        if coordination is not None:
            coordination.close(result.finished)
        this.counters = _add(this.counters, result.counters())
        self.bounds.after_crawl(result)
        if result.store_failure is not None:  # nothing more can be stored: the run ends here
            this.status = RunStatus.INTERRUPTED
            this.problem = f"{result.store_failure}; --resume continues it"
            return False
        if not result.finished:
            this.status = RunStatus.INTERRUPTED
            this.problem = f"crawl interrupted ({result.finish_reason}); --resume continues it"
        elif problem := _start_problem(self.store, this.id, self.start):
            this.status, this.problem = RunStatus.FAILED, problem
            return False
        return True

    def site_rules(self, this: _Run, phase: str) -> None:
        store, context = self.config.store, self.context
        findings = self.bounds.phase(
            phase,
            "site_rules_minutes",
            lambda: _site_findings(store, this.id, self.start, context),
        )
        self.store.add_findings(this.id, findings)

    def checkout(self, this: _Run, phase: str, flows: tuple[PreparedFlow, ...]) -> None:
        from checks.checkout import run_flows

        normalize = Normalizer(self.config.crawl.drop_params).normalize
        max_bytes = self.config.crawl.max_response_bytes
        report_dir = Path(self.config.report.out)  # a failed browser step's screenshot
        walked = self.bounds.phase(
            phase,
            "checkout_minutes",
            lambda: run_flows(flows, self.start, self.context, normalize, max_bytes, report_dir),
        )
        for flow in walked:
            self.store.add_findings(this.id, flow.findings)
            self.store.add_checkout_flow(this.id, flow.outcome)


def check_context(config: Config, start: str, today: date) -> CheckContext:
    """The one check context of a run: page rules, site rules and the checkout walk share it."""
    return CheckContext(
        config.checks,
        start,
        today,
        site_hosts=config.site.hosts,
        internal_only=config.crawl.internal_only,
        user_agent=config.crawl.user_agent or USER_AGENT,
        spelling=config.spelling,
    )


def checkout(url: str, config: Config, today: date) -> list[FlowResult]:
    """`shoplint checkout`: the config's flows against the site at `url`, nothing stored."""
    if not config.checkout:
        raise ConfigError(
            "checkout: the config has no checkout section (README: shoplint checkout)"
        )
    from checks.checkout import run_flows

    site = start_url_key(url, config)
    flows = _prepared_flows(config)
    normalize = Normalizer(config.crawl.drop_params).normalize
    context = check_context(config, site, today)
    max_bytes = config.crawl.max_response_bytes
    return run_flows(flows, site, context, normalize, max_bytes, Path(config.report.out))


def _prepared_flows(config: Config) -> tuple[PreparedFlow, ...]:
    """The config's checkout flows with their secrets and browser (checks/checkout)."""
    if not config.checkout:
        return ()
    from checks.checkout import prepare_flows

    return prepare_flows(config.checkout, os.environ, config.crawl.browser_path)


def _site_findings(
    where: StoreConfig, run_id: int, start: str, context: CheckContext
) -> tuple[Finding, ...]:
    """The site rules, on a store connection of their own: they run in a thread of their
    own (shoplint/bounds.py), and an SQLite connection stays in the thread that opened it."""
    store = open_store(where.path, where.password_env)
    try:
        site = SiteView(store, run_id, start, link_cache=store, spelling_cache=store)
        return site_findings(site, context)
    finally:
        store.close()


def _begin(
    store: RunBook, start: str, config: Config, today: date, resume: bool
) -> tuple[int, dict[str, int]]:
    """The run to crawl into, and the counters it already has (a resumed run's)."""
    if not resume:
        return store.begin_run(start, config.digest(), today.isoformat()), {}
    previous = store.latest_unfinished_run(start)
    if previous is None:
        raise ConfigError(f"--resume: no interrupted run of {start} in {shown(config.store.path)}")
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


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


def _leave_traceback(error: BaseException, report_dir: Path) -> str:
    """Where the traceback of an unexpected error went, for whoever fixes it."""
    path = report_dir / TRACEBACK_FILE
    try:
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    except OSError as exc:
        return f"its traceback could not be written: {exc.strerror}"
    return f"traceback in {path}"


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in a.keys() | b.keys()}
