"""findings.json: the machine-readable contract (see CONTRACTS.md), streamed one finding per
line. Extensions beyond the contract: per finding owner_name, first_seen, status, accepted
and blocking; at the top level the gate's verdict, the teams, the run compared with, and the
findings fixed since."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from reports.data import ReportData, ReportedFinding
from reports.i18n import translator
from reports.writers.base import ReportWriter

SCHEMA_VERSION = 1


class JsonWriter(ReportWriter):
    name = "json"

    def start(self, data: ReportData) -> None:
        super().start(data)
        self.path = self.out_dir / "findings.json"
        self._file: TextIO = self.path.open("w", encoding="utf-8")
        run = data.run
        head = {
            "schema": SCHEMA_VERSION,
            "run": {
                "id": run.id,
                "start_url": run.start_url,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "status": run.status.value,
                "pages": run.counters.get("pages", 0),
                "today": run.today,
                "counters": run.counters,
            },
        }
        self._file.write(_dumps(head, indent=2)[:-2] + ',\n  "findings": [')
        self._first = True
        self._text = translator(data.language).text
        self._team_name = cache(data.team_name)  # a few teams, 100,000 findings

    def handle(self, finding: ReportedFinding) -> None:
        entry = self._entry(finding)
        entry["blocking"] = self.data.gate.blocks(finding)
        self._file.write(("\n    " if self._first else ",\n    ") + _encode(entry))
        self._first = False

    def finish(self) -> list[Path]:
        data = self.data
        tail = {
            "gate": {
                "passed": data.gate.passed,
                "policy": data.gate.policy,
                "reasons": list(data.gate.reasons),
            },
            "teams": {key: team.model_dump(mode="json") for key, team in data.teams.items()},
            "compared_with": data.compared.id if data.compared else None,
            "fixed": [self._entry(f) for f in data.fixed],
            "accepted_not_found": [
                a.model_dump(mode="json", exclude_none=True) for a in data.unmatched_acceptances
            ],
        }
        self._file.write("\n  ],\n" + _dumps(tail, indent=2)[2:])
        self._file.write("\n")
        self._file.close()
        return [self.path]

    def _entry(self, item: ReportedFinding) -> dict[str, Any]:
        acceptance = item.acceptance
        f = item.finding
        return {
            "check": f.check,
            "code": f.code,
            "severity": f.severity.value,
            "owner": f.owner,
            "url": f.url,
            "target": f.target,
            "message": self._text(f.message),
            "evidence": f.evidence,
            "fingerprint": f.fingerprint,
            "owner_name": self._team_name(item.finding.owner),
            "first_seen": item.first_seen.isoformat() if item.first_seen else None,
            "status": "new" if item.new else "existing",
            "accepted": None
            if acceptance is None
            else {
                "by": acceptance.by,
                "reason": acceptance.reason,
                "accepted_on": acceptance.accepted_on.isoformat(),
                "until": acceptance.until.isoformat() if acceptance.until else None,
                "expired": not item.accepted,
            },
        }


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False)


# a finding's line: json.dumps makes an encoder for every call that is not all defaults
_encode = json.JSONEncoder(ensure_ascii=False).encode
