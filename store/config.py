"""The run store's settings in shoplint.yml (`store:`)."""

from __future__ import annotations

from pydantic import Field

from ground.sections import Section

STORE_ENV = "SHOPLINT_DB"  # names the store when neither --db nor store.path does


class StoreConfig(Section):
    path: str = "shoplint.db"  # a SQLite file, or a postgresql:// URL (no password in it)
    keep_runs: int = Field(30, ge=0)  # runs kept per start URL, newest first; 0 = all
    # the environment variable that holds the PostgreSQL password; without it, libpq's own
    # PGPASSWORD and ~/.pgpass apply
    password_env: str | None = None
