"""findings.json: the machine-readable contract (see CONTRACTS.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from reports.data import ReportData

SCHEMA_VERSION = 1


def write_findings_json(data: ReportData, out_dir: Path) -> Path:
    run = data.run
    document = {
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
        "findings": [asdict(finding) for finding in data.findings],
    }
    path = out_dir / "findings.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
