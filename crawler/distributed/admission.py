"""The frontier of a crawl shared by many processes: MemoryFrontier's guards, over Redis.

Every guard holds across all processes together: what it remembers lives in Redis, and the
decision on one URL is one Lua script (atomic), so two workers never both admit the 31st
query variant of a path or the page past max_pages. What needs no memory (excludes, length,
repeated parameters and segments, a path's template and tokens) is computed in Python by
the code the in-memory frontier uses, and travels with the URL: one EVALSHA per URL.

The keys (crawler/distributed/keys.py): `admitted`, url -> "depth,navigable" of each URL
admitted (the coordinator reconciles it with the store); under `frontier`: `refused` (the
URLs refused: with `admitted`, all seen, so neither may lose an entry while the crawl
runs), `variants` (path -> query strings admitted), `pages` (pages admitted), `chains`
(template chain -> shallowest depth), `traps` (pattern -> [n, reason, first address,
depth] of the n-th trap met), `trap_skips` (pattern -> addresses refused) and
`tokens:<place>` (the token values taken at one place of a path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from string import Template
from typing import Any

import redis
from scrapy.crawler import Crawler

from crawler.distributed.keys import CrawlKeys, connect
from crawler.frontier import Admission, Frontier
from crawler.path_traps import Trap, path_shape
from ground.errors import ConfigError

# KEYS: admitted, refused, variants, pages, chains, traps, trap_skips, then the token set
# of each token place. ARGV: url, refusal ('' if none), navigable (1/0), depth, path when
# the URL has a query (else ''), max_query_variants, max_pages, max_template_depth,
# max_path_tokens, template ('' if none), chain, then value and pattern of each token.
_ADMIT = Template("""
local url = ARGV[1]
if redis.call('HEXISTS', KEYS[1], url) == 1 or redis.call('SISMEMBER', KEYS[2], url) == 1 then
  return '$SEEN'
end
local function refuse(verdict)
  redis.call('SADD', KEYS[2], url)
  return verdict
end
if ARGV[2] ~= '' then return refuse(ARGV[2]) end
local navigable, depth = ARGV[3] == '1', tonumber(ARGV[4])
local function trapped(reason, pattern)
  if redis.call('HEXISTS', KEYS[6], pattern) == 0 then
    local found = redis.call('HLEN', KEYS[6])
    redis.call('HSET', KEYS[6], pattern, cjson.encode({found, reason, url, depth}))
  end
  redis.call('HINCRBY', KEYS[7], pattern, 1)
  return refuse(reason)
end
if navigable and ARGV[10] ~= '' then
  for i = 8, #KEYS do
    local value = ARGV[2 * i - 4]
    if redis.call('SISMEMBER', KEYS[i], value) == 0
        and redis.call('SCARD', KEYS[i]) >= tonumber(ARGV[9]) then
      return trapped('$PATH_TOKEN', ARGV[2 * i - 3])
    end
  end
  local first = math.min(tonumber(redis.call('HGET', KEYS[5], ARGV[11]) or depth), depth)
  redis.call('HSET', KEYS[5], ARGV[11], first)
  local max_depth = tonumber(ARGV[8])
  if max_depth > 0 and depth - first > max_depth then
    return trapped('$ENDLESS_PATH', ARGV[10])
  end
  for i = 8, #KEYS do redis.call('SADD', KEYS[i], ARGV[2 * i - 4]) end
end
if ARGV[5] ~= '' then
  if tonumber(redis.call('HGET', KEYS[3], ARGV[5]) or 0) >= tonumber(ARGV[6]) then
    return refuse('$QUERY_VARIANTS')
  end
  redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
end
local max_pages = tonumber(ARGV[7])
if navigable and max_pages > 0 and tonumber(redis.call('GET', KEYS[4]) or 0) >= max_pages then
  return refuse('$MAX_PAGES')
end
redis.call('HSET', KEYS[1], url, ARGV[4] .. ',' .. ARGV[3])
if navigable then redis.call('INCR', KEYS[4]) end
return '$NEW'
""").substitute({verdict.name: verdict.value for verdict in Admission})


class RedisFrontier(Frontier):
    """A drop-in for MemoryFrontier (SHOPLINT_FRONTIER_CLASS) whose memory is the crawl's."""

    def __init__(self, server: redis.Redis, keys: CrawlKeys, **limits: Any):
        super().__init__(**limits)
        self.server = server
        self.keys = keys
        under = keys.frontier
        self._pages = under + "pages"
        self._traps = under + "traps"
        self._trap_skips = under + "trap_skips"
        self._tokens = under + "tokens:"
        self._keys = (
            keys.admitted,
            under + "refused",
            under + "variants",
            self._pages,
            under + "chains",
            self._traps,
            self._trap_skips,
        )
        self._limits = (
            self.max_query_variants,
            self.max_pages,
            self.max_template_depth,
            self.max_path_tokens,
        )
        self._admit = server.register_script(_ADMIT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontier:
        settings = crawler.settings
        if not settings.get("SHOPLINT_REDIS_URL"):
            raise ConfigError("the shared frontier needs a Redis: SHOPLINT_REDIS_URL is not set")
        return cls(
            connect(settings["SHOPLINT_REDIS_URL"]),
            CrawlKeys(settings["SHOPLINT_REDIS_PREFIX"]),
            **cls.limits(crawler),
        )

    def admit(self, url: str, navigable: bool, depth: int = 0) -> Admission:
        """The verdict on `url`, as MemoryFrontier.admit gives it, for the whole crawl."""
        return self.admit_many([(url, navigable, depth)])[0]

    def admit_many(self, entries: list[tuple[str, bool, int]]) -> list[Admission]:
        """Each URL's verdict is its own script call (atomic), all of them sent in one
        pipeline: a page's links cost one round trip, not one each."""
        if not entries:
            return []
        pipe = self.server.pipeline(transaction=False)
        for url, navigable, depth in entries:
            self._call(pipe, url, navigable, depth)
        return [Admission(verdict.decode()) for verdict in pipe.execute()]

    def _call(self, client: Any, url: str, navigable: bool, depth: int) -> None:
        refused = self.refusal(url)
        shape = path_shape(url) if navigable and refused is None else None
        tokens = shape.tokens if shape is not None and self.max_path_tokens else ()
        path, _, query = url.partition("?")
        self._admit(
            client=client,
            keys=[*self._keys, *(self._tokens + token.place for token in tokens)],
            args=[
                url,
                refused or "",
                int(navigable),
                depth,
                path if query else "",
                *self._limits,
                shape.template if shape is not None else "",
                shape.chain if shape is not None else "",
                *(part for token in tokens for part in (token.value, token.pattern)),
            ],
        )

    @property
    def pages_admitted(self) -> int:
        """Pages admitted by every process of the crawl."""
        return int(self.server.get(self._pages) or 0)

    @property
    def traps(self) -> list[Trap]:
        """The path traps every process met, each with the first address it cost."""
        pipe = self.server.pipeline()
        pipe.hgetall(self._traps)
        pipe.hgetall(self._trap_skips)
        found, skipped = pipe.execute()
        traps = sorted((json.loads(record), pattern) for pattern, record in found.items())
        return [
            Trap(reason, pattern.decode(), example, depth, int(skipped[pattern]))
            for (_, reason, example, depth), pattern in traps
        ]

    def admitted_entries(self) -> Iterator[tuple[str, int, bool]]:
        """(url, depth, navigable) of every URL admitted so far, by any process."""
        for url, entry in self.server.hscan_iter(self.keys.admitted, count=1000):
            depth, navigable = entry.split(b",")
            yield url.decode(), int(depth), navigable == b"1"
