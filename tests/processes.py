"""The processes a test's `shoplint` started, read from /proc (Linux): the check worker."""

from __future__ import annotations

from pathlib import Path


def living_children(pid: int) -> list[int]:
    """The pids of `pid`'s children that are neither zombies nor dead."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] not in "ZX":
            children.append(int(stat.parent.name))
    return children
