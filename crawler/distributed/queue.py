"""The shared request queue: scrapy-redis's priority queue, with leases.

scrapy-redis pops a request off the queue and forgets it: a worker killed with the request
in hand loses it. Here a pop moves the request, in the same Lua call, into a lease held by
the worker that took it; the lease ends when the page is in the store (`release`), and the
leases of a worker that stopped beating (killed, its machine gone) go back to the queue
(`requeue_orphans`). A queue with no leases is a crawl with nothing in flight anywhere.

Each queued member is the URL, a NUL byte, then scrapy-redis's serialised request, so the
Lua scripts can name a lease by its URL without unpickling anything.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.keys import CrawlKeys, process_id

# scrapy-redis 0.9 still calls Scrapy APIs that Scrapy 2.13+ deprecates: not the user's concern
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

# KEYS: queue, leases; ARGV: worker. The best-scored request, leased to the worker.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
local member = top[1]
redis.call('ZREM', KEYS[1], member)
local cut = string.find(member, '\\0', 1, true)
redis.call('HSET', KEYS[2], string.sub(member, 1, cut - 1),
           ARGV[1] .. '\\0' .. top[2] .. '\\0' .. member)
return member
"""

# KEYS: queue, leases; ARGV: score, member, url. Queued again (a retry): no longer in hand.
_PUSH = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[3])
return 1
"""

# KEYS: leases, queue; ARGV: prefix of the heartbeat keys. Leases of the dead, queued again.
_REQUEUE_ORPHANS = """
local leases = redis.call('HGETALL', KEYS[1])
local moved = 0
for i = 1, #leases, 2 do
  local lease = leases[i + 1]
  local cut = string.find(lease, '\\0', 1, true)
  local worker = string.sub(lease, 1, cut - 1)
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    local cut2 = string.find(lease, '\\0', cut + 1, true)
    redis.call('ZADD', KEYS[2], string.sub(lease, cut + 1, cut2 - 1), string.sub(lease, cut2 + 1))
    redis.call('HDEL', KEYS[1], leases[i])
    moved = moved + 1
  end
end
return moved
"""

# KEYS: leases; ARGV: worker. A worker with nothing in flight ends the leases it still has.
_DROP_OWN = """
local leases = redis.call('HGETALL', KEYS[1])
local dropped = 0
local mine = ARGV[1] .. '\\0'
for i = 1, #leases, 2 do
  if string.sub(leases[i + 1], 1, #mine) == mine then
    redis.call('HDEL', KEYS[1], leases[i])
    dropped = dropped + 1
  end
end
return dropped
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue (highest priority first: shallowest page first) whose
    pops are leases. The scheduler makes it with the key SCHEDULER_QUEUE_KEY, which the
    crawl's settings set to `CrawlKeys.queue`."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        self.keys = CrawlKeys.of_queue(key)
        self.worker = process_id()
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)

    def push(self, request: Request) -> None:
        member = request.url.encode() + b"\0" + self._encode_request(request)
        self._push(keys=[self.key, self.keys.leases], args=[-request.priority, member, request.url])

    def pop(self, timeout: int = 0) -> Request | None:
        member = self._pop(keys=[self.key, self.keys.leases], args=[self.worker])
        if not member:
            return None
        return self._decode_request(member.split(b"\0", 1)[1])


class Leases:
    """The leases of one crawl, as the processes that share it see them."""

    def __init__(self, server: Any, keys: CrawlKeys):
        self.server = server
        self.keys = keys
        self._requeue = server.register_script(_REQUEUE_ORPHANS)
        self._drop_own = server.register_script(_DROP_OWN)

    def release(self, urls: Iterable[str]) -> None:
        """The pages of these URLs are in the store: their leases end."""
        urls = list(urls)
        if urls:
            self.server.hdel(self.keys.leases, *urls)

    def held(self) -> int:
        return int(self.server.hlen(self.keys.leases))

    def requeue_orphans(self) -> int:
        """Requests held by processes that no longer beat go back to the queue."""
        return int(self._requeue(keys=[self.keys.leases, self.keys.queue], args=[self.keys.alive]))

    def drop_own(self) -> int:
        """Called when this process has nothing in flight: a lease it still holds is of a
        request that ended without a record (given up while stopping)."""
        return int(self._drop_own(keys=[self.keys.leases], args=[process_id()]))


class SeedingScheduler(Scheduler):
    """The scheduler of a coordinator that crawls nothing itself (`--no-crawl`): it queues
    the seeds for the workers and never takes a request."""

    def next_request(self) -> None:
        return None
