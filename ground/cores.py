"""How many cores this process may use, and whether it can fork helpers that start with
its state (its imports, its loaded dictionaries) instead of importing everything again."""

from __future__ import annotations

import multiprocessing
import os


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return len(usable) if usable is not None else os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
