"""`shoplint db`: the run store's schema made or brought up to date (`db upgrade`), and a
whole store copied into another (`db copy`: a SQLite history moved into PostgreSQL)."""

from __future__ import annotations

import argparse

from ground.errors import ConfigError
from store.locations import has_password, shown

PASSWORD_ADVICE = "use PGPASSWORD, ~/.pgpass or the config's store.password_env"
DB_HELP = (
    "the run store: a SQLite file or a postgresql://USER@HOST/DB address, without password"
    " (default: $SHOPLINT_DB, else store.path, else shoplint.db)"
)


def db_location(value: str) -> str:
    """A store named on the command line (an argparse type): never with a password,
    which every user of the machine could read in the process list."""
    if has_password(value):
        raise argparse.ArgumentTypeError(f"{shown(value)}: no password here; {PASSWORD_ADVICE}")
    return value


def upgrade(location: str, password_env: str | None) -> str:
    """Makes the store's schema, or brings it up to this shoplint's; what was done."""
    from store import open_store
    from store.schema import SCHEMA_VERSION

    store = open_store(location, password_env)
    found = store.schema_found
    store.close()
    if found == 0:
        done = "created"
    elif found < SCHEMA_VERSION:
        done = f"upgraded from version {found}"
    else:
        done = "up to date"
    return f"Store {shown(location)}: schema version {SCHEMA_VERSION}, {done}."


def copy(source: str, target: str, password_env: str | None) -> str:
    """Every run and everything kept across runs, from one store into an empty one; what
    was copied. Runs keep their ids (baselines and reports name them), references their
    document order, findings their first sightings."""
    from store import open_store, store_exists
    from store.schema import tables

    if not store_exists(source, password_env):
        raise ConfigError(f"SRC {shown(source)}: no run store there")
    origin = open_store(source, password_env)
    try:
        destination = open_store(target, password_env)
        try:
            if destination.holds_runs():
                raise ConfigError(
                    f"DST {shown(target)}: holds runs already (db copy fills an empty store)"
                )
            copied = destination.load((table, origin.dump(table)) for table in tables())
        finally:
            destination.close()
    finally:
        origin.close()
    counts = ", ".join(f"{table} {rows:,}" for table, rows in copied.items())
    return f"Copied {shown(source)} to {shown(target)} (rows: {counts})."
