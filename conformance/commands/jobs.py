"""`--jobs N | auto`: how many worker processes a command runs at once.

`auto` (the default of `run` and `matrix`) is the number of cores this process may use (its
CPU affinity, which containers and CI runners narrow, else the machine's count), never more
than there are cases: a worker costs an interpreter start, and an idle one buys nothing.
"""

from __future__ import annotations

import argparse
import os

AUTO = "auto"


def parse(text: str | int) -> int | str:
    """`auto` or a whole number of at least 1 (argparse type, and for configuration values)."""
    if text == AUTO:
        return AUTO
    try:
        count = int(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected a whole number or {AUTO}, not {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {count}")
    return count


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve(value: int | str, cases: int) -> int:
    """The worker count for `cases` cases: `value` itself, or for auto the usable cores."""
    if value == AUTO:
        return max(1, min(cores(), cases))
    return int(value)
