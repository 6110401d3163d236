"""Where a run store lives: a SQLite file path, or a PostgreSQL URL (`postgresql://` or
`postgres://`, as libpq reads it). An address is only ever shown without its password."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode, urlsplit

from ground.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


def has_password(location: str) -> bool:
    """A password written into a PostgreSQL URL, as `user:secret@` or `?password=`."""
    if not is_postgres(location):
        return False
    parts = urlsplit(location)
    userinfo, at, _ = parts.netloc.rpartition("@")
    in_query = any(key == "password" for key, _ in parse_qsl(parts.query))
    return bool(at and ":" in userinfo) or in_query


def shown(location: str) -> str:
    """The address as it may appear in output, logs and reports: without a password."""
    if not has_password(location):
        return location
    parts = urlsplit(location)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    netloc = f"{user}@{hosts}" if user else hosts
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def password_from(variable: str | None) -> str | None:
    """The password held by the environment variable `store.password_env` names, if any
    (None: libpq's own PGPASSWORD and ~/.pgpass apply)."""
    if variable is None:
        return None
    password = os.environ.get(variable)
    if not password:
        raise ConfigError(f"store.password_env: the environment variable {variable} is not set")
    return password
