"""What a run comes to: its reports, the gate's verdict and the exit code; and the gate
applied again to a stored run (`shoplint gate`), which needs no crawler and no check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ground.errors import ConfigError, CrawlError
from ground.model import RunInfo
from ground.urls import Normalizer
from reports.assemble import assemble
from reports.data import ReportData
from reports.gate import GateResult
from reports.writers import write_reports
from shoplint.config import Config
from store import open_store, shown, store_exists

EXIT_PASSED, EXIT_GATE_FAILED, EXIT_CRAWL_FAILED = 0, 1, 3


@dataclass(frozen=True)
class RunOutcome:
    report: ReportData
    report_dir: Path
    problem: str | None  # why the crawl could not be done, if it could not
    abandoned: bool = False  # a phase was left running, waiting for an answer

    @property
    def run(self) -> RunInfo:
        return self.report.run

    @property
    def gate(self) -> GateResult:
        return self.report.gate

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


def gate(
    config: Config, today: date, url: str | None = None, run_id: int | None = None
) -> RunOutcome:
    """The gate (and the reports) again for a stored run, without crawling: run `run_id`,
    else the latest finished run of `url`, else the latest finished run in the store."""
    where, password_env = config.store.path, config.store.password_env
    if not store_exists(where, password_env):
        raise ConfigError(f"--db {shown(where)}: no run store there")
    report_dir = prepared_report_dir(config)
    store = open_store(where, password_env)
    try:
        if run_id is not None:
            try:
                chosen = store.run(run_id)
            except KeyError:
                raise ConfigError(f"--run {run_id}: no such run in {shown(where)}") from None
        else:
            chosen = store.latest_run(start_url_key(url, config) if url else None)
            if chosen is None:
                raise ConfigError(f"--db {shown(where)}: no finished run of {url or 'any site'}")
        report = assemble(store, chosen.id, config, today)
    finally:
        store.close()
    write_reports(report, report_dir, config.report.formats)
    return RunOutcome(report, report_dir, None)


def prepared_report_dir(config: Config) -> Path:
    report_dir = Path(config.report.out)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlError(
            f"--out {report_dir}: cannot create the report folder ({exc.strerror})"
        ) from None
    return report_dir
