"""summary.md: the run in a screenful of Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY,
a GitLab merge request note): the gate's verdict and why, findings per team, new and fixed,
and the biggest problems. Crawled text is escaped; lists are capped (GitHub's limit is 1 MiB)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from reports.data import SEVERITIES, ReportData, ReportedFinding
from reports.grouping import biggest_first, group_findings
from reports.i18n import translator
from reports.writers.base import ReportWriter

_BIGGEST = 10  # rows of the "biggest problems" table
_CELL = 120  # characters of crawled text per cell
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")  # inline syntax; cells never start a line


class MarkdownWriter(ReportWriter):
    name = "markdown"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self._counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def handle(self, finding: ReportedFinding) -> None:
        counts = self._counts[finding.finding.owner]
        if finding.accepted:
            counts["accepted"] += 1
            return
        counts[finding.finding.severity.value] += 1
        counts["new"] += int(finding.new)
        counts["blocking"] += int(self.data.gate.blocks(finding))

    def finish(self) -> list[Path]:
        path = self.out_dir / "summary.md"
        path.write_text("\n".join(self._lines()) + "\n", encoding="utf-8")
        return [path]

    def _lines(self) -> list[str]:
        data, gate, run = self.data, self.data.gate, self.data.run
        t = translator(data.language)
        verdict = (
            "✅ " + t.gettext("release gate passed")
            if gate.passed
            else "❌ " + t.gettext("release gate failed")
        )
        pages = run.counters.get("pages", 0)
        facts = [
            _code(run.start_url),
            t.gettext("run %(id)s (%(status)s)")
            % {"id": run.id, "status": t.pgettext("run status", run.status)},
            t.day(run.today),
            t.ngettext("%(count)s page", "%(count)s pages", pages) % {"count": t.number(pages)},
            t.gettext("gate policy %(policy)s") % {"policy": _text(gate.policy)},
        ]
        lines = [f"## shoplint: {verdict}", "", " · ".join(facts), ""]
        if not gate.passed:
            lines += ["**" + t.gettext("Why the gate failed:") + "**", ""]
            lines += [f"- {_text(reason)}" for reason in gate.reasons[:20]]
            lines.append("")
        headings = {
            "error": t.gettext("Error"),
            "warning": t.gettext("Warning"),
            "info": t.gettext("Info"),
            "new": t.gettext("New"),
            "blocking": t.gettext("Blocking"),
            "accepted": t.gettext("Accepted"),
        }
        columns = [s.value for s in SEVERITIES] + ["new"] * bool(data.compared)
        columns += ["blocking", "accepted"]
        lines += [
            f"| {t.gettext('Team')} | " + " | ".join(headings[name] for name in columns) + " |",
            "| --- |" + " ---: |" * len(columns),
        ]
        for team in data.teams:
            counts = self._counts.get(team, Counter())
            cells = " | ".join(t.number(counts[name]) for name in columns)
            lines.append(f"| {_text(data.team_name(team))} | {cells} |")
        lines.append("")
        if data.compared:
            since = t.gettext("Since run %(id)s (%(day)s): **%(new)s new**, **%(fixed)s fixed**.")
            new = sum(c["new"] for c in self._counts.values())
            lines += [
                since
                % {
                    "id": data.compared.id,
                    "day": t.day(data.compared.today),
                    "new": t.number(new),
                    "fixed": t.number(len(data.fixed)),
                },
                "",
            ]
        open_findings = [f for f in data.findings if not f.accepted]
        biggest = biggest_first(group_findings(open_findings, gate, by_owner=False))[:_BIGGEST]
        if biggest:
            heads = (
                t.gettext("Rule"),
                t.gettext("Severity"),
                t.gettext("Problem"),
                t.gettext("Pages"),
                t.gettext("Team"),
            )
            lines += [
                "### " + t.gettext("Biggest problems"),
                "",
                "| " + " | ".join(heads) + " |",
                "| --- | --- | --- | ---: | --- |",
            ]
            for group in biggest:
                f = group.first.finding
                rule = f"{f.code} {t.rule_name(group.rule)}" if group.rule else f.code
                what = _text(t.text(f.message)) + (f" {_code(f.target)}" if f.target else "")
                if group.pages == 1:
                    what += " " + t.gettext("on") + f" {_code(f.url)}"
                teams = ", ".join(_text(data.team_name(team)) for team in group.owners)
                block = " ⛔" if group.blocking else ""
                severity = t.severity(f.severity)
                pages = t.number(group.pages)
                lines.append(f"| {rule}{block} | {severity} | {what} | {pages} | {teams} |")
            lines.append("")
        lines.append(
            t.gettext(
                "The full report is `index.html` in the report folder (one page per team:"
                " `owner-TEAM.html`); every finding is in `findings.json` and `findings.csv`."
            )
        )
        return lines


def _text(text: str) -> str:
    """Crawled or configured text as literal Markdown, on one line."""
    text = " ".join(text.split())
    if len(text) > _CELL:
        text = text[: _CELL - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """A URL as inline code: nothing inside is Markdown, except the table's pipe."""
    text = " ".join(text.split()).replace("`", "'")
    if len(text) > _CELL:
        text = text[: _CELL - 1] + "…"
    return "`" + text.replace("|", "\\|") + "`"
