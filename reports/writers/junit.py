"""junit.xml: one test case per rule code and team, so CI test views (GitHub, GitLab,
Jenkins) list the checks. A case fails when the gate counts findings of it as blocking;
its other findings are listed in its output. Rules without findings are passing cases."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from checks.registry import REGISTRY
from reports.data import ReportData, ReportedFinding
from reports.i18n import translator
from reports.writers.base import ReportWriter

_LISTED = 50  # findings listed per case; the HTML report has them all
_EVIDENCE = 200  # characters of evidence per finding listed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


@dataclass
class _Case:
    findings: int = 0
    blocking: int = 0
    accepted: int = 0
    lines: list[str] = field(default_factory=list)


class JunitWriter(ReportWriter):
    name = "junit"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self._t = translator(data.language)
        self._cases: defaultdict[tuple[str, str], _Case] = defaultdict(_Case)

    def handle(self, finding: ReportedFinding) -> None:
        f = finding.finding
        case = self._cases[(f.owner, f.code)]
        case.findings += 1
        if finding.accepted:
            case.accepted += 1
        elif self.data.gate.blocks(finding):
            case.blocking += 1
        if len(case.lines) < _LISTED:
            where = f.url + (f" -> {f.target}" if f.target else "")
            evidence = f" [{f.evidence[:_EVIDENCE]}]" if f.evidence else ""
            mark = " (" + self._t.gettext("accepted") + ")" if finding.accepted else ""
            case.lines.append(f"{where}: {self._t.text(f.message)}{evidence}{mark}")

    def finish(self) -> list[Path]:
        data = self.data
        found = {code for _, code in self._cases}
        for code, team in data.rule_teams.items():  # checked and clean: a passing case
            if code not in found:
                self._cases[(team, code)] = _Case()
        root = ET.Element("testsuites", name="shoplint", timestamp=data.run.started_at)
        for owner in sorted({owner for owner, _ in self._cases}):
            cases = sorted((code, case) for (o, code), case in self._cases.items() if o == owner)
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"{data.team_name(owner)} ({owner})",
                tests=str(len(cases)),
                failures=str(sum(1 for _, case in cases if case.blocking)),
                errors="0",
                skipped="0",
                timestamp=data.run.started_at,
            )
            for code, case in cases:
                self._case(suite, owner, code, case)
        root.set("tests", str(sum(int(s.get("tests", 0)) for s in root)))
        root.set("failures", str(sum(int(s.get("failures", 0)) for s in root)))
        ET.indent(root)
        path = self.out_dir / "junit.xml"
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        return [path]

    def _case(self, suite: ET.Element, owner: str, code: str, case: _Case) -> None:
        t = self._t
        rule = REGISTRY.get(code)
        family = rule.family if rule else "unknown"
        element = ET.SubElement(
            suite,
            "testcase",
            classname=f"shoplint.{owner}.{family}",
            name=f"{code} {t.rule_name(rule)}" if rule else code,
            time="0",
        )
        listed = "\n".join(_xml_text(line) for line in case.lines)
        more = case.findings - len(case.lines)
        if more > 0:
            listed += "\n" + t.gettext("... and %(n)s more (see the HTML report)") % {"n": more}
        if case.blocking:
            over = t.ngettext(
                "%(n)s finding over the release gate's threshold (%(policy)s)",
                "%(n)s findings over the release gate's threshold (%(policy)s)",
                case.blocking,
            )
            failure = ET.SubElement(
                element,
                "failure",
                message=over % {"n": case.blocking, "policy": self.data.gate.policy},
                type=rule.severity.value if rule else "error",
            )
            failure.text = listed
        elif case.findings:
            within = t.ngettext(
                "%(n)s finding within the gate's threshold",
                "%(n)s findings within the gate's threshold",
                case.findings,
            ) % {"n": case.findings}
            if case.accepted:
                within += ", " + t.gettext("%(n)s accepted") % {"n": case.accepted}
            out = ET.SubElement(element, "system-out")
            out.text = f"{within}\n{listed}"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
