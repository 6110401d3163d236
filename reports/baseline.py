"""The baseline: accepted findings, kept as a YAML file reviewed like code in the user's
repository. `shoplint accept` adds to it; an acceptance past its `until` date stops counting."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ground.errors import ConfigError
from ground.model import Finding

_HEADER = """\
# Accepted shoplint findings: the release gate does not count them until their `until` date.
# Review changes to this file like code. Add entries with:
#   shoplint accept FINGERPRINT --reason "why it may stay" --by NAME [--until YYYY-MM-DD]
# code, url, target and message say what the fingerprint is, for the reviewer.
"""


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(min_length=6)
    reason: str = Field(min_length=1)
    by: str = Field(min_length=1)
    accepted_on: date  # when it was accepted
    until: date | None = None  # the last day it counts as accepted; None: no end
    code: str | None = None
    url: str | None = None
    target: str | None = None
    message: str | None = None

    def expired(self, today: date) -> bool:
        return self.until is not None and self.until < today


class _BaselineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: list[Acceptance] = Field(default_factory=list)


def load_baseline(path: str | Path) -> dict[str, Acceptance]:
    """fingerprint -> acceptance; a missing file is an empty baseline."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline ({exc.strerror})") from None
    try:
        data: Any = yaml.safe_load(text) or {}
        baseline = _BaselineFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {key}: {error['msg']}") from None
    return {entry.fingerprint: entry for entry in baseline.accepted}


def accept(
    path: str | Path, finding: Finding, reason: str, by: str, until: date | None, today: date
) -> Acceptance:
    """Add (or renew) the acceptance of `finding` in the baseline file at `path`."""
    entries = load_baseline(path)
    entry = Acceptance(
        fingerprint=finding.fingerprint,
        reason=reason,
        by=by,
        accepted_on=today,
        until=until,
        code=finding.code,
        url=finding.url,
        target=finding.target,
        message=finding.message,
    )
    entries[entry.fingerprint] = entry
    ordered = sorted(entries.values(), key=lambda e: (e.code or "", e.url or "", e.fingerprint))
    document = {"accepted": [e.model_dump(mode="json", exclude_none=True) for e in ordered]}
    text = _HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline ({exc.strerror})") from None
    return entry
