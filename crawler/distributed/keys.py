"""The Redis keys of a shared crawl, in one place, and the name of this process in it.

A Redis database holds one shared crawl at a time: `CRAWL` describes it (written by the
coordinator, read by the workers that join), and every other key of that crawl starts with
its prefix, `shoplint:<run id>:`.
"""

from __future__ import annotations

import functools
import os
import secrets
import socket
from dataclasses import dataclass

import redis

CRAWL = "shoplint:crawl"  # JSON: the run, its start URL, its configuration, the prefix
ALIVE_SECONDS = 15  # a process whose heartbeat is older than this is taken for dead
_QUEUE = "requests"


@dataclass(frozen=True)
class CrawlKeys:
    prefix: str  # e.g. "shoplint:7:"

    @classmethod
    def of_run(cls, run_id: int) -> CrawlKeys:
        return cls(f"shoplint:{run_id}:")

    @classmethod
    def of_queue(cls, queue_key: str) -> CrawlKeys:
        return cls(queue_key.removesuffix(_QUEUE))

    @property
    def queue(self) -> str:
        """scrapy-redis's request queue (a sorted set)."""
        return self.prefix + _QUEUE

    @property
    def leases(self) -> str:
        """url -> the request some process took and has not stored yet (a hash)."""
        return self.prefix + "leases"

    @property
    def alive(self) -> str:
        """Prefix of each process's heartbeat key (expires after ALIVE_SECONDS)."""
        return self.prefix + "alive:"

    @property
    def counters(self) -> str:
        """The crawl's counters summed over every process (a hash)."""
        return self.prefix + "counters"

    @property
    def robots(self) -> str:
        """The site's robots.txt, as the one fetch of it answered (empty: none)."""
        return self.prefix + "robots"

    @property
    def end(self) -> str:
        """Set when the crawl is over: "finished", or why the coordinator stopped it."""
        return self.prefix + "end"

    @property
    def admitted(self) -> str:
        """url -> "depth,navigable" of every URL the frontier admitted (a hash)."""
        return self.prefix + "admitted"

    @property
    def frontier(self) -> str:
        """Prefix of the frontier's other keys (crawler/distributed/admission.py)."""
        return self.prefix + "frontier:"

    @property
    def host_slots(self) -> str:
        """Prefix of each host's download slots (crawler/distributed/host_limit.py)."""
        return self.prefix + "slots:"

    def all_patterns(self) -> str:
        return self.prefix + "*"


@functools.cache
def process_id() -> str:
    """This process's name in the shared crawl: host, pid and a random part (pids repeat
    across machines and restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def connect(url: str) -> redis.Redis:
    """A client of the Redis at `url`; its password, if any, from REDISCLI_AUTH (redis-cli's
    own variable), never from the URL (a command line is seen by every user of a machine)."""
    return redis.Redis.from_url(url, password=os.environ.get("REDISCLI_AUTH") or None)


def redis_params() -> dict[str, str]:
    """scrapy-redis's REDIS_PARAMS: the same password."""
    password = os.environ.get("REDISCLI_AUTH")
    return {"password": password} if password else {}
