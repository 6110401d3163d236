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
from reports.i18n import Translator, translator

_REASONS_SHOWN = 5  # rules named in the printed verdict; the reports list them all


@dataclass(frozen=True)
class GateResult:
    policy: str  # the policy in words: "errors: any finding of severity error"
    passed: bool
    reasons: tuple[str, ...]  # one line per failing rule, most blocking findings first
    blocking: frozenset[str]  # fingerprints of the findings that fail the gate
    language: str = "en"  # of the policy, the reasons and the summary

    def blocks(self, finding: ReportedFinding) -> bool:
        return finding.finding.fingerprint in self.blocking

    def summary(self) -> list[str]:
        """The verdict in a few lines, for the terminal."""
        t = translator(self.language)
        if self.passed:
            return [t.gettext("Release gate: passed (%(policy)s).") % {"policy": self.policy}]
        lines = [t.gettext("Release gate: FAILED (%(policy)s)") % {"policy": self.policy}]
        lines += [f"  {reason}" for reason in self.reasons[:_REASONS_SHOWN]]
        more = len(self.reasons) - _REASONS_SHOWN
        if more > 0:
            lines.append(
                "  "
                + t.ngettext("... and %(n)s more rule", "... and %(n)s more rules", more)
                % {"n": more}
            )
        return lines


def describe(config: GateConfig, t: Translator | None = None) -> str:
    t = t or translator()
    severity = t.severity(config.severity)
    if config.policy is GatePolicy.MAX_PER_RULE:
        maxima = ", ".join(f"{code} {n}" for code, n in sorted(config.max_per_rule.items()))
        return f"max-per-rule: {maxima}"
    if config.policy is GatePolicy.ERRORS:
        text = (
            t.gettext("errors: any finding of severity %(severity)s")
            if config.severity == "error"
            else t.gettext("errors: any finding of severity %(severity)s or worse")
        )
    else:
        text = (
            t.gettext("new: any new finding of severity %(severity)s")
            if config.severity == "error"
            else t.gettext("new: any new finding of severity %(severity)s or worse")
        )
    return text % {"severity": severity}


def evaluate(
    findings: Sequence[ReportedFinding],
    config: GateConfig,
    run: RunInfo,
    t: Translator | None = None,
) -> GateResult:
    """Apply the policy to the findings; accepted findings never count. The verdict is
    worded in `t`'s language (English by default)."""
    t = t or translator()
    counted = [f for f in findings if not f.accepted]
    threshold = SEVERITY_RANK[config.severity]
    if config.policy is GatePolicy.MAX_PER_RULE:
        blocking, reasons = _over_maximum(counted, config.max_per_rule, t)
    else:
        new_only = config.policy is GatePolicy.NEW
        blocking = [
            f
            for f in counted
            if SEVERITY_RANK[f.finding.severity] >= threshold and (f.new or not new_only)
        ]
        reasons = _per_rule(blocking, new_only, t)
    if run.status is not RunStatus.COMPLETE:
        partial = t.gettext("run %(id)s is %(status)s: a partial crawl cannot pass") % {
            "id": run.id,
            "status": t.pgettext("run status", run.status),
        }
        reasons = (partial, *reasons)
    return GateResult(
        describe(config, t),
        not reasons,
        tuple(reasons),
        frozenset(f.finding.fingerprint for f in blocking),
        t.language,
    )


def _per_rule(blocking: list[ReportedFinding], new_only: bool, t: Translator) -> list[str]:
    by_rule: defaultdict[str, list[ReportedFinding]] = defaultdict(list)
    for f in blocking:
        by_rule[f.finding.code].append(f)
    return [
        f"{_rule_label(code, t)}: {_count(items, new_only, t)}{_teams(items)}"
        for code, items in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _over_maximum(
    counted: list[ReportedFinding], maxima: dict[str, int], t: Translator
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
                    f"{_rule_label(code, t)}: {_count(items, False, t)}, "
                    + t.gettext("at most %(n)s allowed") % {"n": maximum}
                    + _teams(items),
                )
            )
    return blocking, [reason for _, reason in sorted(reasons)]


def _rule_label(code: str, t: Translator) -> str:
    rule = REGISTRY.get(code)
    return f"{code} {t.rule_name(rule)}" if rule else code


def _count(items: list[ReportedFinding], new_only: bool, t: Translator) -> str:
    severities = Counter(f.finding.severity.value for f in items)
    new = t.gettext("new") + " " if new_only else ""
    return ", ".join(
        f"{t.number(n)} {new}{t.severity_count(severity, n)}" for severity, n in severities.items()
    )


def _teams(items: list[ReportedFinding]) -> str:
    teams = Counter(f.finding.owner for f in items)
    return " (" + ", ".join(f"{team} {n}" for team, n in teams.most_common()) + ")"
