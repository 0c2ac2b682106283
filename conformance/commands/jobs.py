"""`--jobs N | auto` on the command line; what auto means is run.jobs."""

from __future__ import annotations

import argparse

from wbimage_conformance.run import limits
from wbimage_conformance.run.jobs import AUTO


def parse(text: str | int) -> int | str:
    """`auto` or a whole number within run.limits (argparse type, and for configuration values)."""
    if text == AUTO:
        return AUTO
    try:
        return limits.check_jobs(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or {AUTO}, from {limits.MIN_JOBS} to "
                                         f"{limits.MAX_JOBS}, not {text!r}") from None
