"""The run store's settings in shoplint.yml (`store:`)."""

from __future__ import annotations

from pydantic import Field

from ground.sections import Section


class StoreConfig(Section):
    path: str = "shoplint.db"
    keep_runs: int = Field(30, ge=0)  # runs kept per start URL, newest first; 0 = all
