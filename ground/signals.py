"""The signals that stop a run (SIGTERM from a CI timeout, Ctrl-C), and one way to catch
them for a while: the crawl and the phases after it each note them in their own way."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)  # their names are the finish reasons


@contextmanager
def stop_signals_to(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """SIGTERM and SIGINT go to `handler` inside the block; the handlers the caller had are
    back afterwards."""
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous_handler in previous.items():
            signal.signal(sig, previous_handler)
