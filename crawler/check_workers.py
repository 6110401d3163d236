"""Page checks beside the crawl, in another process.

The page rules cost about as much CPU as crawling the page does, and Python runs one
thread at a time: in the crawl's process they would slow it by a third. A check worker
runs them on another core while the crawl goes on. A parsed tree cannot travel between
processes, so the worker parses the page's bytes itself (a quarter of a millisecond, on
its own core); everything else it is handed is plain records, and it sends back the
findings. The worker is forked from the crawl's process as the crawl opens, so it starts in
milliseconds with the checks already imported.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

from checks.context import CheckContext
from checks.engine import page_findings
from checks.page import Page
from crawler.extract import parse_html
from shoplint.config import RuleConfig
from shoplint.model import Fetch, Finding, Reference

_context: CheckContext | None = None  # a worker's, made once when it starts


def check_context(
    checks: Mapping[str, Any], start_url: str, today: str, site_hosts: list[str]
) -> CheckContext:
    """The page rules' context, from the crawl's settings (in the crawl and in a worker)."""
    rule_config = {code: RuleConfig.model_validate(values) for code, values in checks.items()}
    return CheckContext(rule_config, start_url, date.fromisoformat(today), site_hosts=site_hosts)


def default_workers() -> int:
    """One worker when the crawl can have a core of its own beside it, else none."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cores = len(usable) if usable is not None else os.cpu_count() or 1
    return 1 if cores > 1 else 0


def start_pool(workers: int, context_args: tuple[Any, ...]) -> ProcessPoolExecutor:
    """Workers forked now, as the crawl opens: they have the checks imported already (a
    fresh interpreter takes a second to import them), and no connection to the site and
    no store is open yet for them to inherit."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=context_args,
    )
    pool.submit(int).result()  # forks them all
    return pool


def _start_worker(*context_args: Any) -> None:
    # Ctrl-C is the crawl's to handle (it finishes the pages in hand, checks included),
    # and a worker has none of the crawl's shutdown handlers: a kill ends it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _context
    _context = check_context(*context_args)


def check_in_worker(
    fetch: Fetch, refs: tuple[Reference, ...], body: bytes, encoding: str
) -> tuple[Finding, ...]:
    """Runs in a worker: the page rules' findings on the page in `body`."""
    assert _context is not None, "a check worker starts with its context"
    return findings_of(fetch, refs, body, encoding, _context)


def findings_of(
    fetch: Fetch, refs: tuple[Reference, ...], body: bytes, encoding: str, ctx: CheckContext
) -> tuple[Finding, ...]:
    """The page rules' findings on the page in `body`, parsed here: in a worker, or in the
    crawl's process once its worker has died (the tree it parsed is gone by then)."""
    doc = parse_html(body, encoding)
    return page_findings(Page(fetch, doc, refs), ctx) if doc is not None else ()
