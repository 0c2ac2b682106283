"""`--jobs N | auto`: how many worker processes a command runs at once.

`auto` (the default of `run` and `matrix`) is the number of cores this process may use (its
CPU affinity, which containers and CI runners narrow, else the machine's count), never more
than there are cases: a worker costs an interpreter start, and an idle one buys nothing.
"""

from __future__ import annotations

import argparse
import os

from wbimage_conformance.run import limits

AUTO = "auto"


def parse(text: str | int) -> int | str:
    """`auto` or a whole number within run.limits (argparse type, and for configuration values)."""
    if text == AUTO:
        return AUTO
    try:
        return limits.check_jobs(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or {AUTO}, from {limits.MIN_JOBS} to "
                                         f"{limits.MAX_JOBS}, not {text!r}") from None


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve(value: int | str, cases: int) -> int:
    """The worker count for `cases` cases: `value` itself, or for auto the usable cores."""
    if value == AUTO:
        return max(1, min(cores(), cases))
    return int(value)
