"""How the page rules run on each page of a crawl, and the page facts the site rules will
need are read (checks/site_facts.py): in the crawl's own process, or in a check worker
beside it. The runner builds one from the run's check context and hands it to the crawl,
which gives it every parsed page (crawler/pipelines.py).

The page rules cost about as much CPU as crawling the page does, and Python runs one
thread at a time: in the crawl's process they would slow it by a third. A check worker
runs them on another core while the crawl goes on. A parsed tree cannot travel between
processes, so the worker parses the page's bytes itself (a quarter of a millisecond for a
shop's page, on its own core). Besides the bytes it is handed the page's fetch, not its
references: a page has hundreds, whose pickling and unpickling cost about a millisecond a
page, and a rule resolves the few addresses it reports itself (Page.address). It sends
back the findings. The worker is forked as the crawl opens, so it starts in milliseconds
with the checks already imported and the run's context in hand, and inherits no
connection to the site. Should it die, the crawl's own process checks the remaining pages:
no page goes unchecked. Should the crawl's process die (SIGKILL), the worker dies with it:
left alone it would wait on its pipe forever.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

import lxml.html

from checks.context import CheckContext
from checks.engine import import_active, page_findings, page_rules_on
from checks.page import Page
from checks.site_facts import import_readers, site_facts, wanted_facts
from ground.cores import can_fork, usable_cores
from ground.html.extract import parse_html
from ground.model import Fetch, Finding, Reference

logger = logging.getLogger(__name__)

_worker: tuple[CheckContext, tuple[str, ...]] | None = None  # a worker's context and facts
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PARENT_POLL = 1.0  # seconds between checks of the parent, where prctl is missing


def default_workers() -> int:
    """One worker when the crawl can have a core of its own beside it, else none."""
    return 1 if can_fork() and usable_cores() > 1 else 0


class PageChecks:
    """The page rules of one run, for the crawl to call on each parsed page."""

    def __init__(self, context: CheckContext, workers: int):
        self.context = context
        self.facts = wanted_facts(context)
        self.active = page_rules_on(context) or bool(self.facts)  # else pages pass unread
        self.workers = workers if self.active else 0
        self.pool: ProcessPoolExecutor | None = None
        # the families and fact readers the rules need, imported before the crawl begins
        # (an import in the crawl would hold its reactor up) and before workers are forked
        import_active(context)
        import_readers(self.facts)

    def open(self) -> None:
        """Forks the workers now, as the crawl opens: they have the checks imported already
        (a fresh interpreter takes a second to import them), and no connection to the site
        is open yet for them to inherit."""
        if self.workers:
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.context, self.facts, os.getpid()),
            )
            self.pool.submit(int).result()  # forks them all

    async def checked(
        self,
        fetch: Fetch,
        refs: tuple[Reference, ...],
        doc: lxml.html.HtmlElement,
        body: bytes,
        encoding: str,
    ) -> tuple[Fetch, tuple[Finding, ...]]:
        """The page's fetch with the facts site rules need, and the page rules' findings:
        in a worker when there is one, else on the tree the crawl parsed. The references
        the crawl read are not needed: a rule resolves what it reports (Page.address)."""
        pool = self.pool
        if pool is None:
            return _checked(Page(fetch, doc), self.context, self.facts)
        try:
            return await asyncio.wrap_future(pool.submit(_in_worker, fetch, body, encoding))
        except BrokenProcessPool as error:
            if self.pool is pool:  # the first page to learn it says so
                logger.warning(
                    "page checks: the check worker stopped (%s); the crawl's "
                    "process checks the pages from now on",
                    error,
                )
                self.pool = None
        return _parsed_and_checked(fetch, body, encoding, self.context, self.facts)

    def close(self) -> None:
        """Ends the workers: at once, pages not yet begun dropped (a crawl that stopped
        short does not want them); safe to call twice."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _start_worker(context: CheckContext, facts: tuple[str, ...], parent: int) -> None:
    # Ctrl-C is the crawl's to handle (it finishes the pages in hand, checks included),
    # and a worker has none of the crawl's shutdown handlers: a kill ends it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    global _worker
    _worker = (context, facts)


def _die_with(parent: int) -> None:
    """Linux kills this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere a
    thread watches for the parent to change. A parent already gone is seen here too."""
    libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    if libc is None or libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


def _in_worker(fetch: Fetch, body: bytes, encoding: str) -> tuple[Fetch, tuple[Finding, ...]]:
    assert _worker is not None, "a check worker starts with its context"
    return _parsed_and_checked(fetch, body, encoding, *_worker)


def _parsed_and_checked(
    fetch: Fetch, body: bytes, encoding: str, ctx: CheckContext, facts: tuple[str, ...]
) -> tuple[Fetch, tuple[Finding, ...]]:
    """The page in `body`, parsed here, checked: in a worker, or in the crawl's process
    once its worker has died (the tree it parsed is gone by then)."""
    doc = parse_html(body, encoding)
    return _checked(Page(fetch, doc), ctx, facts) if doc is not None else (fetch, ())


def _checked(
    page: Page, ctx: CheckContext, facts: tuple[str, ...]
) -> tuple[Fetch, tuple[Finding, ...]]:
    fetch = replace(page.fetch, **site_facts(page, facts, ctx)) if facts else page.fetch
    return fetch, page_findings(page, ctx)
