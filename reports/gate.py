"""The release gate: the one place that decides whether a run passes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from shoplint.model import Finding, Severity


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: tuple[str, ...]  # one line per failing rule, most findings first


def evaluate(findings: list[Finding]) -> GateResult:
    """Default policy: any finding of severity error fails the gate."""
    errors = Counter(f.code for f in findings if f.severity is Severity.ERROR)
    reasons = tuple(
        f"{code}: {count} error finding{'s' if count > 1 else ''}"
        for code, count in errors.most_common()
    )
    return GateResult(not errors, reasons)
