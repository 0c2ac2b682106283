"""How many worker processes a run gets: a number, or `auto`.

`auto` (the default of `run` and `matrix`) is the number of cores this process may use (its
CPU affinity, which containers and CI runners narrow, else the machine's count), never more
than there are cases: a worker costs an interpreter start, and an idle one buys nothing.
"""

from __future__ import annotations

import os

AUTO = "auto"


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve(value: int | str, cases: int) -> int:
    """The worker count for `cases` cases: `value` itself, or for auto the usable cores."""
    if value == AUTO:
        return max(1, min(cores(), cases))
    return int(value)
