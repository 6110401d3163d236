"""Crawls shared over Redis, from the command line.

`shoplint run URL --frontier redis://...` is the coordinator: it announces its crawl in
Redis (the run, the start URL, the configuration, where the run is stored), seeds it,
crawls too (unless --no-crawl) and, once the crawl is over, goes on alone: site rules,
checkout flows, reports, gate. `shoplint worker redis://...` joins the crawl announced
there and ends with it. The processes' shared state is crawler/distributed/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ground.errors import ConfigError, CrawlError
from ground.signals import stop_signals_to
from store.locations import is_postgres, shown

_POLL_SECONDS = 0.2
_ENDED_SECONDS = 60  # how long a finished crawl's end stays for its workers to read


def frontier_url(url: str) -> str:
    """A --frontier / worker address, checked: redis:// or rediss://, no password in it."""
    parts = urlsplit(url)
    if parts.password is not None:  # the address is not repeated: it holds the password
        raise ConfigError("--frontier: no password on the command line; set REDISCLI_AUTH")
    if parts.scheme not in ("redis", "rediss"):
        raise ConfigError(f"--frontier {url}: expected a redis:// address")
    return url


def connect(url: str) -> Any:
    """The Redis at `url`, answering; else a CrawlError naming it."""
    try:
        from crawler.distributed.keys import connect as client
    except ImportError:
        raise ConfigError(
            "--frontier: shared crawls need the distributed extra:"
            " pip install 'shoplint[distributed]'"
        ) from None
    import redis

    server = client(url)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise CrawlError(f"{url}: cannot reach Redis ({exc})") from None
    return server


@dataclass(frozen=True)
class Announcement:
    """What a worker needs to join a crawl, as the coordinator wrote it."""

    run_id: int
    start_url: str
    today: str
    config: dict[str, Any]  # the coordinator's Config; names of secrets only, never values
    store: str  # where the run is stored: a SQLite path or a URL without password
    coordinator: str  # the coordinator's process id (crawler/distributed/keys.py)
    token: str  # one per coordinator start: a --stay worker joins each crawl once

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text: bytes | str) -> Announcement:
        return cls(**json.loads(text))


def store_address(path: str) -> str:
    """The store as other processes (other machines) should find it: a URL without its
    password (each process has its own: PGPASSWORD, ~/.pgpass, store.password_env), or
    the SQLite file's absolute path."""
    if is_postgres(path):
        return shown(path)
    return str(Path(path).resolve())


class Coordination:
    """The coordinator's side: announce the crawl, hand it to the crawl, clear it away."""

    def __init__(self, url: str, run_id: int, start_url: str, config: Any, today: date):
        from crawler.distributed.keys import CRAWL, CrawlKeys, process_id

        self.url = url
        self.server = connect(url)
        self.keys = CrawlKeys.of_run(run_id)
        self.crawl_key = CRAWL
        store = store_address(config.store.path)  # Redis never holds a password
        self.announcement = Announcement(
            run_id,
            start_url,
            today.isoformat(),
            config.with_overrides({"store": {"path": store}}).model_dump(mode="json"),
            store,
            process_id(),
            os.urandom(8).hex(),
        )

    def open(self, resume: bool, crawl_here: bool) -> tuple[Any, bool]:
        """The sharing for crawler.process.crawl, and whether Redis kept the crawl's state
        from an interrupted run (then the store's own account is not needed to resume)."""
        from crawler.distributed.keys import ALIVE_SECONDS
        from crawler.distributed.settings import Sharing

        held = self.server.get(self.crawl_key)
        other = Announcement.loads(held) if held else None
        if other is not None and other.run_id != self.announcement.run_id:
            alive = self.server.exists(self.keys.of_run(other.run_id).alive + other.coordinator)
            if alive:
                raise ConfigError(
                    f"--frontier {self.url}: holds the crawl of run {other.run_id}"
                    f" of {other.start_url} now; use another Redis database (redis://.../N)"
                )
            self._clear(self.keys.of_run(other.run_id))  # its coordinator died
        kept = resume and other is not None and bool(self.server.exists(self.keys.queue))
        if not kept:
            self._clear(self.keys)
        self.server.delete(self.keys.end, self.keys.counters)
        # alive from the announcement on: the crawl's own heartbeat starts with its engine
        self.server.set(self.keys.alive + self.announcement.coordinator, "1", ex=ALIVE_SECONDS)
        self.server.set(self.crawl_key, self.announcement.dumps())
        sharing = Sharing(self.url, self.keys, True, self.announcement.coordinator, crawl_here)
        return sharing, kept

    def close(self, finished: bool) -> None:
        """A finished crawl leaves only its end and announcement in Redis, for a minute (the
        workers hear it is over from them); an interrupted one leaves its queue and leases
        for --resume (and its end, which stops the workers)."""
        if finished:
            self._clear(self.keys, keep=self.keys.end)
            for key in (self.keys.end, self.crawl_key):
                self.server.expire(key, _ENDED_SECONDS)

    def _clear(self, keys: Any, keep: str | None = None) -> None:
        batch = [
            key
            for key in self.server.scan_iter(match=keys.all_patterns(), count=1000)
            if key.decode() != keep
        ]
        for start in range(0, len(batch), 1000):
            self.server.delete(*batch[start : start + 1000])


# -- shoplint worker ---------------------------------------------------------------------


def work(url: str, db: str | None, stay: bool, wait: float) -> int:
    """Joins the crawl announced at `url` (waiting up to `wait` seconds for one) and ends
    with it; with `stay`, joins every next crawl too, each in a process of its own
    (Scrapy's reactor runs once per process)."""
    from crawler.distributed.keys import CRAWL

    server = connect(frontier_url(url))
    if not stay:
        _import_what_joining_needs()
        announcement = _wait_for(server, CRAWL, None, wait, url)
        assert announcement is not None
        return _join(announcement, url, db)
    return _stay(server, url, db)


def _stay(server: Any, url: str, db: str | None) -> int:
    """Joins each crawl announced at `url` in a child process, until SIGTERM or Ctrl-C,
    which the child of the moment hears too (it stops as a worker does: its pages are
    stored or go back to the queue)."""
    from crawler.distributed.keys import CRAWL

    command = [sys.executable, "-m", "shoplint", "worker", url, *(["--db", db] if db else [])]
    children: list[subprocess.Popen[bytes]] = []
    stopped: list[int] = []

    def stop(signum: int, _: Any) -> None:
        stopped.append(signum)
        for child in children:
            child.send_signal(signum)

    joined = None
    with stop_signals_to(stop):
        while not stopped:
            announcement = _wait_for(server, CRAWL, joined, None, url, stopped)
            if announcement is None:
                break
            joined = announcement.token
            children[:] = [subprocess.Popen(command)]
            children[0].wait()
    return 0


def _wait_for(
    server: Any,
    key: str,
    not_token: str | None,
    timeout: float | None,
    url: str,
    stopped: list[int] | None = None,
) -> Announcement | None:
    """The crawl announced (not the one of `not_token`); None once `stopped` fills."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        if stopped:
            return None
        held = server.get(key)
        if held is not None:
            announcement = Announcement.loads(held)
            if announcement.token != not_token:
                return announcement
        time.sleep(_POLL_SECONDS)
    raise CrawlError(f"worker: no crawl to join at {url} within {timeout:g} s")


def _import_what_joining_needs() -> None:
    """Scrapy and the checks (~0.4 s) are imported while there is nothing to join yet: a
    worker that imported them after the announcement let its coordinator crawl a small
    site alone."""
    import checks.page_checks  # noqa: F401
    import crawler.process  # noqa: F401
    import shoplint.runner  # noqa: F401


def _join(announcement: Announcement, url: str, db: str | None) -> int:
    from checks.page_checks import PageChecks, default_workers
    from crawler.distributed.keys import CrawlKeys
    from crawler.distributed.settings import Sharing
    from crawler.process import crawl
    from shoplint.config import Config
    from shoplint.runner import check_context

    config = Config.model_validate(announcement.config)
    store = db or os.environ.get("SHOPLINT_DB") or announcement.store
    today = date.fromisoformat(announcement.today)
    context = check_context(config, announcement.start_url, today)
    workers = config.crawl.check_workers
    page_checks = PageChecks(context, default_workers() if workers is None else workers)
    sharing = Sharing(url, CrawlKeys.of_run(announcement.run_id), False, announcement.coordinator)
    print(
        f"worker: joining run {announcement.run_id} of {announcement.start_url}",
        file=sys.stderr,
        flush=True,
    )
    try:
        result = crawl(
            config.crawl,
            config.site,
            announcement.start_url,
            store,
            announcement.run_id,
            page_checks,
            stop_at=time.monotonic() + config.run.max_minutes * 60,
            grace=config.run.stop_grace_seconds,
            sharing=sharing,
            store_password_env=config.store.password_env,
        )
    finally:
        page_checks.close()
    counters = result.counters()
    print(
        f"worker: {counters.get('pages', 0)} pages, {counters.get('fetched', 0)} URLs fetched"
        f" ({result.finish_reason})",
        file=sys.stderr,
    )
    return 0
