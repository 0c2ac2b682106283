"""The bounds of a run's numbers, in one place.

The command line (commands/run.py), the project's settings in pyproject.toml and the Session
itself check the same numbers against the same bounds, so a value one of them accepts is never
refused by another, and no value reaches arithmetic it would break: `--timeout inf` once
overflowed select(), `--jobs 10**20` looped for ever queueing idle workers, `--memory-limit 0`
meant no limit at all.

Each `check_*` returns the value, or raises ValueError with a sentence that completes
"--timeout: ..." (the callers name the option or the setting).
"""

from __future__ import annotations

import math

#: A case's time limit, in seconds: more than 0, at most a day (a case is not a batch job).
MIN_TIMEOUT_S = 0.0            # exclusive
MAX_TIMEOUT_S = 86_400.0
#: Worker processes of one run.
MIN_JOBS = 1
MAX_JOBS = 256
#: Each worker's address space, in MiB: at least 1, at most 16 TiB (rlimit takes bytes in 64 bits).
MIN_MEMORY_LIMIT_MB = 1
MAX_MEMORY_LIMIT_MB = 16 * 1024 * 1024
#: --maxfail: unexpected results before no further case starts.
MIN_MAXFAIL = 1
MAX_MAXFAIL = 1_000_000
#: --shard K/N: how many parts a selection may be cut into (a CI matrix holds a few hundred jobs).
MAX_SHARDS = 1024
#: The longest number text read; Python refuses to read integers of more than 4300 digits
#: with a ValueError of its own, and no bound above needs more than this many.
MAX_NUMBER_CHARS = 32


def check_timeout(value: object) -> float:
    """A finite number of seconds in (MIN_TIMEOUT_S, MAX_TIMEOUT_S]; text is read as a float."""
    seconds = _number(value, float)
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite number of seconds, not {value!r}")
    if not MIN_TIMEOUT_S < seconds <= MAX_TIMEOUT_S:
        raise ValueError(f"must be more than {MIN_TIMEOUT_S:g} and at most {MAX_TIMEOUT_S:g} seconds, not {value!r}")
    return seconds


def check_jobs(value: object) -> int:
    return _whole(value, MIN_JOBS, MAX_JOBS)


def check_memory_limit_mb(value: object) -> int:
    return _whole(value, MIN_MEMORY_LIMIT_MB, MAX_MEMORY_LIMIT_MB, "MiB")


def check_maxfail(value: object) -> int:
    return _whole(value, MIN_MAXFAIL, MAX_MAXFAIL)


def check_shards(index: object, count: object) -> tuple[int, int]:
    """Shard `index` of `count`: 1 <= index <= count <= MAX_SHARDS."""
    count_value = _whole(count, 1, MAX_SHARDS)
    index_value = _whole(index, 1, count_value)
    return index_value, count_value


def _whole(value: object, low: int, high: int, unit: str = "") -> int:
    number = int(_number(value, int))
    if not low <= number <= high:
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"must be a whole number from {low} to {high}{suffix}, not {value!r}")
    return number


def _number(value: object, kind: type) -> float | int:
    """`value` as an int or float; bools and over-long text are refused, not read."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {value!r}")
    if isinstance(value, str):
        if len(value) > MAX_NUMBER_CHARS:
            raise ValueError(f"must be a number of at most {MAX_NUMBER_CHARS} characters, not {value[:MAX_NUMBER_CHARS]!r}...")
        try:
            return kind(value.strip())
        except ValueError:
            what = "whole number" if kind is int else "number"
            raise ValueError(f"must be a {what}, not {value!r}") from None
    if kind is int and isinstance(value, int) or kind is float and isinstance(value, (int, float)):
        return kind(value)
    raise ValueError(f"must be a {'whole number' if kind is int else 'number'}, not {value!r}")
