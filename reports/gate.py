"""The release gate: the one place that decides whether a run passes. Writers only show
its verdict (which findings block the release, and why)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from checks.registry import REGISTRY
from ground.model import RunInfo, RunStatus
from reports.config import GateConfig, GatePolicy
from reports.data import SEVERITY_RANK, ReportedFinding

_REASONS_SHOWN = 5  # rules named in the printed verdict; the reports list them all


@dataclass(frozen=True)
class GateResult:
    policy: str  # the policy in words: "errors: any finding of severity error"
    passed: bool
    reasons: tuple[str, ...]  # one line per failing rule, most blocking findings first
    blocking: frozenset[str]  # fingerprints of the findings that fail the gate

    def blocks(self, finding: ReportedFinding) -> bool:
        return finding.finding.fingerprint in self.blocking

    def summary(self) -> list[str]:
        """The verdict in a few lines, for the terminal."""
        if self.passed:
            return [f"Release gate: passed ({self.policy})."]
        lines = [f"Release gate: FAILED ({self.policy})"]
        lines += [f"  {reason}" for reason in self.reasons[:_REASONS_SHOWN]]
        if len(self.reasons) > _REASONS_SHOWN:
            lines.append(f"  ... and {len(self.reasons) - _REASONS_SHOWN} more rules")
        return lines


def describe(config: GateConfig) -> str:
    worse = "" if config.severity == "error" else " or worse"
    if config.policy is GatePolicy.ERRORS:
        return f"errors: any finding of severity {config.severity}{worse}"
    if config.policy is GatePolicy.NEW:
        return f"new: any new finding of severity {config.severity}{worse}"
    maxima = ", ".join(f"{code} {n}" for code, n in sorted(config.max_per_rule.items()))
    return f"max-per-rule: {maxima}"


def evaluate(findings: Sequence[ReportedFinding], config: GateConfig, run: RunInfo) -> GateResult:
    """Apply the policy to the findings; accepted findings never count."""
    counted = [f for f in findings if not f.accepted]
    threshold = SEVERITY_RANK[config.severity]
    if config.policy is GatePolicy.MAX_PER_RULE:
        blocking, reasons = _over_maximum(counted, config.max_per_rule)
    else:
        new_only = config.policy is GatePolicy.NEW
        blocking = [
            f
            for f in counted
            if SEVERITY_RANK[f.finding.severity] >= threshold and (f.new or not new_only)
        ]
        reasons = _per_rule(blocking, "new " if new_only else "")
    if run.status is not RunStatus.COMPLETE:
        reasons = (f"run {run.id} is {run.status}: a partial crawl cannot pass", *reasons)
    return GateResult(
        describe(config),
        not reasons,
        tuple(reasons),
        frozenset(f.finding.fingerprint for f in blocking),
    )


def _per_rule(blocking: list[ReportedFinding], adjective: str) -> list[str]:
    by_rule: defaultdict[str, list[ReportedFinding]] = defaultdict(list)
    for f in blocking:
        by_rule[f.finding.code].append(f)
    return [
        f"{_rule_label(code)}: {_count(items, adjective)}{_teams(items)}"
        for code, items in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _over_maximum(
    counted: list[ReportedFinding], maxima: dict[str, int]
) -> tuple[list[ReportedFinding], list[str]]:
    by_rule: defaultdict[str, list[ReportedFinding]] = defaultdict(list)
    for f in counted:
        by_rule[f.finding.code].append(f)
    blocking: list[ReportedFinding] = []
    reasons: list[tuple[int, str]] = []
    for code, items in by_rule.items():
        maximum = maxima.get(code, maxima.get("*"))
        if maximum is not None and len(items) > maximum:
            blocking += items
            reasons.append(
                (
                    -len(items),
                    f"{_rule_label(code)}: {_count(items, '')}, at most {maximum} allowed"
                    f"{_teams(items)}",
                )
            )
    return blocking, [reason for _, reason in sorted(reasons)]


def _rule_label(code: str) -> str:
    rule = REGISTRY.get(code)
    return f"{code} {rule.name}" if rule else code


def _count(items: list[ReportedFinding], adjective: str) -> str:
    severities = Counter(f.finding.severity.value for f in items)
    parts = [
        f"{n} {adjective}{severity}{'s' if n > 1 else ''}" for severity, n in severities.items()
    ]
    return ", ".join(parts)


def _teams(items: list[ReportedFinding]) -> str:
    teams = Counter(f.finding.owner for f in items)
    return " (" + ", ".join(f"{team} {n}" for team, n in teams.most_common()) + ")"
