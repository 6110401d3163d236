"""One defect in a shared template shows on hundreds of pages: findings that share their rule
and target (or, without a target, their message and evidence) are one row of the to-do list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from checks.registry import REGISTRY, Rule
from reports.data import SEVERITY_RANK, ReportedFinding
from reports.gate import GateResult


@dataclass
class FindingGroup:
    items: list[ReportedFinding] = field(default_factory=list)  # one per page, in order
    blocking: bool = False  # at least one of them blocks the release

    @property
    def first(self) -> ReportedFinding:
        return self.items[0]

    @property
    def code(self) -> str:
        return self.first.finding.code

    @property
    def rule(self) -> Rule | None:
        return REGISTRY.get(self.code)

    @property
    def pages(self) -> int:
        return len(self.items)

    @cached_property  # asked several times a row; the items are all there by then
    def first_seen(self) -> date | None:
        return min((f.first_seen for f in self.items if f.first_seen), default=None)

    @property
    def new(self) -> bool:
        return any(f.new for f in self.items)

    @property
    def owners(self) -> list[str]:
        return sorted({f.finding.owner for f in self.items})


def group_findings(
    findings: Iterable[ReportedFinding], gate: GateResult | None = None, by_owner: bool = True
) -> list[FindingGroup]:
    """Groups in order of first appearance (findings come most severe first)."""
    groups: dict[tuple, FindingGroup] = {}
    for item in findings:
        f = item.finding
        what = (_shared(f.target),) if f.target is not None else (None, f.message, f.evidence)
        key = (f.owner if by_owner else None, f.code, *what)
        group = groups.get(key)
        if group is None:
            group = groups[key] = FindingGroup()
        group.items.append(item)
        if gate is not None and not group.blocking and gate.blocks(item):
            group.blocking = True
    return list(groups.values())


def _shared(target: str) -> str:
    """What pages share of a target: a text fragment (`/page/#:~:text=verzendig`, a word on
    that page: the spelling family's) is the same slip on every page it is on."""
    at = target.find("#:~:")
    return target[at:] if at >= 0 else target


def biggest_first(groups: list[FindingGroup]) -> list[FindingGroup]:
    """Blocking first, then the most severe, then the most pages."""
    return sorted(
        groups,
        key=lambda g: (not g.blocking, -SEVERITY_RANK[g.first.finding.severity], -g.pages),
    )
