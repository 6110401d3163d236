"""The shared frontier (crawler/distributed/admission.py) against a real redis-server: the
verdicts of the in-memory frontier, in the same order, and guards that hold across
processes racing for the same URLs, because the decision on one URL is atomic."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from redis import Redis

from crawler.distributed.admission import RedisFrontier
from crawler.distributed.keys import CrawlKeys
from crawler.frontier import Admission, MemoryFrontier

S = "https://shop.nl"
KEYS = CrawlKeys("shoplint:7:")
_TOKENS = (f"{n:04d}a7f3c9e1b5d2{n:04d}" for n in itertools.count())  # random-like, 20 long
LIMITS: dict[str, Any] = {
    "max_pages": 12,
    "max_url_length": 80,
    "max_query_variants": 2,
    "exclude": ["*/account/*"],
    "max_template_depth": 2,
    "max_path_tokens": 2,
}


def _frontier(server, **limits: Any) -> RedisFrontier:
    """A frontier of its own process: its own connection, the crawl's keys."""
    return RedisFrontier(Redis.from_url(server.url), KEYS, **limits)


def _every_guard() -> list[tuple[str, bool, int]]:
    """(url, navigable, depth) that trip every guard, some URLs twice."""
    tokens = [next(_TOKENS) for _ in range(3)]
    return [
        (S + "/", True, 0),
        (S + "/", True, 0),
        (S + "/account/", True, 1),
        (S + "/account/", False, 1),  # refused once, seen ever after
        (S + "/" + "x" * 80, True, 1),
        (S + "/c/?f=a&f=a", True, 1),
        (S + "/a/a/a/a/", True, 1),
        *((f"{S}/agenda/2026/{month:02d}/", True, month) for month in range(1, 6)),
        (S + "/agenda/2026/05/", True, 1),  # seen: a refused address is judged once
        *((f"{S}/s/{token}/{page}/", True, 1) for token in tokens for page in ("a", "b")),
        *((f"{S}/c/?p={n}", False, 1) for n in range(3)),  # resources have variants too
        (S + "/c/?p=9", True, 1),
        (S + "/d/?p=1", True, 1),
        *((f"{S}/img/{n}.png", False, 2) for n in range(3)),
        *((f"{S}/product/{n}/", True, 2) for n in range(8)),
        (S + "/d/?p=2", True, 2),  # a variant counted, the page refused: max_pages
    ]


def test_the_shared_frontier_gives_the_in_memory_frontiers_verdicts(redis):
    urls = _every_guard()
    memory, shared = MemoryFrontier(**LIMITS), _frontier(redis, **LIMITS)
    expected = [memory.admit(*url) for url in urls]
    assert [shared.admit(*url) for url in urls] == expected
    assert set(expected) == set(Admission)  # every guard was tripped
    assert shared.pages_admitted == memory.pages_admitted == LIMITS["max_pages"]
    assert [vars(trap) for trap in shared.traps] == [vars(trap) for trap in memory.traps]
    assert {trap.reason for trap in shared.traps} == {"endless_path", "path_token"}
    assert sorted(shared.admitted_entries()) == sorted(
        (url, depth, navigable)
        for (url, navigable, depth), verdict in zip(urls, expected, strict=True)
        if verdict is Admission.NEW
    )


def _race(server, workers: int, work: Callable[[RedisFrontier], list[Admission]], **limits):
    """Every verdict `workers` threads got, each with its own frontier (and connection),
    started together."""
    start, verdicts = threading.Barrier(workers), Counter[Admission]()
    lock = threading.Lock()

    def run() -> None:
        frontier = _frontier(server, **limits)
        start.wait()
        got = work(frontier)
        with lock:
            verdicts.update(got)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return verdicts


def test_workers_racing_never_admit_one_query_variant_or_page_too_many(redis):
    variants = [f"{S}/fietsen/?merk={n}" for n in range(100)]
    pages = [f"{S}/p/{n}/" for n in range(100)]

    def admit_all(frontier: RedisFrontier) -> list[Admission]:
        mine = random.sample(variants, len(variants)) + random.sample(pages, len(pages))
        return [frontier.admit(url, navigable="?" not in url, depth=1) for url in mine]

    verdicts = _race(redis, 8, admit_all, max_pages=40, max_query_variants=30)
    assert verdicts[Admission.NEW] == 30 + 40
    assert verdicts[Admission.QUERY_VARIANTS] == 70 and verdicts[Admission.MAX_PAGES] == 60
    assert verdicts[Admission.SEEN] == 7 * 200  # each URL judged once, by one of them
    assert _frontier(redis).pages_admitted == 40


def test_a_calendar_admitted_half_by_each_of_two_workers_stops_where_one_would(redis):
    months = [f"{S}/agenda/{2026 + n // 12}/{n % 12 + 1:02d}/" for n in range(12)]
    alone = MemoryFrontier(max_template_depth=4)
    expected = [alone.admit(url, True, depth) for depth, url in enumerate(months, start=1)]
    workers = [_frontier(redis, max_template_depth=4) for _ in range(2)]
    got = [workers[depth % 2].admit(url, True, depth) for depth, url in enumerate(months, start=1)]
    assert got == expected == [Admission.NEW] * 5 + [Admission.ENDLESS_PATH] * 7
    for worker in workers:  # either reports the trap, counted over both
        (trap,) = worker.traps
        assert vars(trap) == vars(alone.traps[0])
        assert (trap.example, trap.skipped) == (months[5], 7)
