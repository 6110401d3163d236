"""Throwaway PostgreSQL and Redis servers for the tests: Debian's own binaries, started in a
temporary directory on a free loopback port and stopped afterwards. No fakes.

Without the binaries (or the Python clients) a test that needs one is skipped with the
reason; under CI=true it fails instead, so a CI machine never passes by skipping.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Debian installs each PostgreSQL version's server binaries here; the newest is used.
PG_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    default=Path("/nonexistent"),
    key=lambda bin_dir: int(bin_dir.parent.name) if bin_dir.parent.name.isdigit() else 0,
)
START_TIMEOUT = 30  # seconds


def require(present: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a real component a test needs is missing."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=true: missing components fail the run)")
    pytest.skip(reason)


def require_chromium() -> None:
    """Debian's chromium, which the rendering and browser-checkout tests drive."""
    require(shutil.which("chromium") is not None, "Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {START_TIMEOUT} s")


@dataclass
class Redis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[Redis]:
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed (apt-get install redis-server)")
    require(_importable("scrapy_redis"), "scrapy-redis is not installed (pip install -e '.[test]')")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, process, "redis-server")
        yield Redis(port, process)
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Postgres:
    port: int
    datadir: Path
    user: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/shoplint"

    def pg_ctl(self, *args: str) -> None:
        """stop / start the server (a test of a database that goes away mid-run)."""
        _as_owner(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-w", "-l",
             str(self.datadir / "server.log"), "-o", f"-p {self.port} -k {self.datadir}",
             *args],
            self.user,
        )  # fmt: skip


def _as_owner(command: list[str], user: str) -> None:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A new cluster with a database `shoplint`, trusting local connections (no password).
    Its directory is made directly under /tmp: pytest's own temp dirs are private to root,
    and the server runs as `postgres` when the tests run as root."""
    require(
        (PG_BIN / "initdb").exists(), "PostgreSQL is not installed (apt-get install postgresql)"
    )
    require(_importable("psycopg"), "psycopg is not installed (pip install -e '.[test]')")
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    workdir = Path(tempfile.mkdtemp(prefix="shoplint-pg-"))
    datadir = workdir / "pgdata"
    datadir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, user)
        shutil.chown(datadir, user)
    server = Postgres(free_port(), datadir, user)
    try:
        _as_owner(
            [str(PG_BIN / "initdb"), "-D", str(datadir), "-U", user, "-A", "trust", "-E", "UTF8",
             "--no-sync"],
            user,
        )  # fmt: skip
        with open(datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        server.pg_ctl("start")
        _as_owner(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", user,
             "shoplint"],
            user,
        )  # fmt: skip
        yield server
    finally:
        with contextlib.suppress(RuntimeError):
            server.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(workdir, ignore_errors=True)


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def new_database(server: Postgres, name: str) -> str:
    """A fresh, empty database on `server`; its URL."""
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url.rsplit("/", 1)[0] + "/" + name


def wait_until_connected(
    client: Any, processes: list[subprocess.Popen[Any]], timeout: float
) -> None:
    """Until each of `processes` (shoplint workers) has reached the Redis `client` talks to
    (a worker then waits for the coordinator's announcement); a RuntimeError when one ends
    first or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while len(client.client_list()) - 1 < len(processes):  # - 1: this client
        # exited, left unreaped (WNOWAIT) for whoever waits for them
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        ended = [p.pid for p in processes if os.waitid(os.P_PID, p.pid, flags) is not None]
        if ended or time.monotonic() > deadline:
            raise RuntimeError(f"workers did not reach Redis (ended: {ended})")
        time.sleep(0.1)
