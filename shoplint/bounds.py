"""How long a run may take, and how it stops: the `run:` section's time limits, and
SIGTERM and Ctrl-C in every phase (README: What a nightly run guarantees).

The crawl stops itself (crawler/process.py). Each phase after it runs in a thread of its
own that the run waits for only until a signal comes or a limit passes: the phase is then
abandoned, never awaited, for an answer that trickles in a byte at a time would hold any
wait for hours. The run is stored as interrupted, with what it has, and reported.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Literal, TypeVar

from crawler.process import TIME_LIMIT, CrawlResult
from ground.signals import stop_signals_to
from shoplint.config import RunConfig

T = TypeVar("T")
PhaseLimit = Literal["site_rules_minutes", "checkout_minutes"]  # keys of the run: section
_POLL = 0.1  # seconds between looks at the clock and the signals while a phase runs


class RunStopped(Exception):
    """A signal or a time limit ended the run; the message says which, and when."""


class Bounds:
    """A run's clock and its stop signals."""

    def __init__(self, config: RunConfig):
        self.config = config
        self._started = time.monotonic()
        self._signal: str | None = None  # the name of the stop signal received
        self.abandoned = False  # a phase (or the crawl's threads) was left running

    @property
    def deadline(self) -> float | None:
        """When the run must end (time.monotonic), or None."""
        minutes = self.config.max_minutes
        return None if minutes is None else self._started + minutes * 60

    def signals(self) -> AbstractContextManager[None]:
        """While the run lasts, SIGTERM and SIGINT are noted, for the phases to stop at
        (a signal handler that raised could cut a store write in two); a second one does
        what it does by default: Ctrl-C raises KeyboardInterrupt, SIGTERM kills."""
        return stop_signals_to(self._note)

    def _note(self, signum: int, _: Any) -> None:
        self._signal = signal.Signals(signum).name
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def check(self, phase: str) -> None:
        """RunStopped when a stop signal came or the run's time is up."""
        if self._signal is not None:
            raise RunStopped(f"stopped by {self._signal} during {phase}")
        deadline = self.deadline
        if deadline is not None and time.monotonic() >= deadline:
            raise RunStopped(self._limit("max_minutes", phase))

    def after_crawl(self, result: CrawlResult) -> None:
        """RunStopped when the crawl was stopped (the crawl had the signals meanwhile)."""
        self.abandoned = self.abandoned or result.halted
        if result.finish_reason == TIME_LIMIT:
            raise RunStopped(self._limit("max_minutes", "the crawl"))
        if result.stopped:
            raise RunStopped(f"stopped by {result.finish_reason} during the crawl")
        self.check("the crawl")

    def phase(self, phase: str, limit: PhaseLimit, work: Callable[[], T]) -> T:
        """`work()` in a thread of its own, waited for until it returns (or raises), a stop
        signal comes, or the phase's limit (`run.<limit>` minutes) or the run's passes."""
        minutes: float | None = getattr(self.config, limit)
        ends = None if minutes is None else time.monotonic() + minutes * 60
        outcome: list[tuple[bool, Any]] = []  # (returned, value or exception)
        done = threading.Event()

        def thread() -> None:
            try:
                outcome.append((True, work()))
            except BaseException as error:  # handed to the run's thread, MemoryError too
                outcome.append((False, error))
            finally:
                done.set()

        threading.Thread(target=thread, name=f"shoplint: {phase}", daemon=True).start()
        while not done.wait(_POLL):
            try:
                self.check(phase)
                if ends is not None and time.monotonic() >= ends:
                    raise RunStopped(self._limit(limit, phase))
            except RunStopped:
                self.abandoned = True
                raise
        returned, value = outcome[0]
        if not returned:
            raise value
        return value

    def _limit(self, key: str, phase: str) -> str:
        return f"run.{key} ({getattr(self.config, key):g} min) reached during {phase}"
