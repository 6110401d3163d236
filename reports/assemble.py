"""From a stored run to ReportData: route each finding to its team, compare with an earlier
run (new, fixed, first seen), apply the baseline, and let the gate judge the result.
Both `shoplint run` and `shoplint gate` go through here, so they judge alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from checks.config import RuleConfig
from checks.registry import FAMILY_PREFIXES, REGISTRY
from crawler.config import CrawlConfig
from ground.errors import ConfigError
from ground.model import Finding, RunInfo
from ground.urls import Normalizer
from reports.baseline import load_baseline
from reports.config import GateConfig, OwnersConfig, ReportConfig, TeamConfig
from reports.data import SEVERITY_RANK, ReportData, ReportedFinding, TrendPoint
from reports.gate import evaluate
from reports.i18n import translator
from reports.owners import Router
from store import History

_FAMILY_ORDER = {family: index for index, family in enumerate(FAMILY_PREFIXES)}


class ReportedConfig(Protocol):
    """The parts of shoplint.yml a report reads (shoplint/config.py's Config has them)."""

    @property
    def report(self) -> ReportConfig: ...
    @property
    def teams(self) -> Mapping[str, TeamConfig]: ...
    @property
    def owners(self) -> OwnersConfig: ...
    @property
    def gate(self) -> GateConfig: ...
    @property
    def checks(self) -> Mapping[str, RuleConfig]: ...
    @property
    def crawl(self) -> CrawlConfig: ...


def assemble(store: History, run_id: int, config: ReportedConfig, today: date) -> ReportData:
    run = store.run(run_id)
    router = Router(config.owners)
    compared = compared_run(store, run, config)
    before = store.fingerprints(compared.id) if compared else set()
    first_seen = store.first_seen(run_id)
    baseline = load_baseline(config.gate.baseline)

    findings = []
    for finding in sorted(store.findings(run_id), key=_most_severe_first):
        acceptance = baseline.get(finding.fingerprint)
        seen = first_seen.get(finding.fingerprint)
        findings.append(
            ReportedFinding(
                router.route(finding),
                date.fromisoformat(seen) if seen else None,
                finding.fingerprint not in before,
                acceptance,
                acceptance is not None and not acceptance.expired(today),
            )
        )
    present = {f.finding.fingerprint for f in findings}
    fixed = (
        [
            ReportedFinding(router.route(f), None, False)
            for f in sorted(store.findings(compared.id, absent_from=run_id), key=_most_severe_first)
        ]
        if compared
        else []
    )
    trend = [
        TrendPoint(info.id, info.today, counts)
        for info, counts in store.trend(run.start_url, run.id, config.report.trend_runs)
    ]
    return ReportData(
        run=run,
        today=today,
        findings=findings,
        teams=config.teams,
        gate=evaluate(findings, config.gate, run, translator(config.report.language)),
        compared=compared,
        fixed=fixed,
        trend=trend,
        unmatched_acceptances=[a for fp, a in baseline.items() if fp not in present],
        checkout=store.checkout_flows(run_id),
        rule_teams={
            code: router.decide("", code, rule.family).owner
            for code, rule in REGISTRY.items()
            if code not in config.checks or config.checks[code].enabled
        },
        status_counts=store.status_counts(run_id),
        language=config.report.language,
    )


def compared_run(store: History, run: RunInfo, config: ReportedConfig) -> RunInfo | None:
    """The run `gate.compare_with` names: "new" and "fixed" are relative to it."""
    reference = config.gate.compare_with
    if reference == "none":
        return None
    if reference == "previous":
        return store.latest_run(run.start_url, before=run.id, complete=True)
    if reference.isdigit():
        try:
            return store.run(int(reference))
        except KeyError:
            raise ConfigError(f"gate.compare_with: no run {reference} in the store") from None
    start = Normalizer(config.crawl.drop_params).normalize(reference) or reference
    found = store.latest_run(start, before=run.id, complete=True)
    if found is None:
        raise ConfigError(f"gate.compare_with: no complete run of {start} in the store")
    return found


def _most_severe_first(finding: Finding) -> tuple:
    return (
        -SEVERITY_RANK[finding.severity],
        _FAMILY_ORDER.get(finding.check, len(_FAMILY_ORDER)),
        finding.code,
        finding.url,
        finding.target or "",
    )
