"""The `match` patterns of error expectations, kept to a subset that cannot hang the runner.

A case file may come from anyone, and Python's regular-expression engine backtracks: a
pattern such as `^(.+)+Z$` takes exponential time on a long message. So a pattern is accepted
only if no repetition contains another repetition (of more than one item) and it uses no
backreference; then matching is at worst polynomial in the message, and the message searched
is at most MAX_MESSAGE_CHARS long. Every shipped pattern (`^boxes\\['pred'\\]: .*'labels'`)
fits the subset.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:
    import sre_constants
    import sre_parse

MAX_PATTERN_CHARS = 1000
MAX_MESSAGE_CHARS = 65536
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
_BACKREFERENCES = (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS)


def problem(pattern: str) -> str | None:
    """Why `pattern` is refused, or None when it is a valid pattern of the safe subset."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"a pattern of {len(pattern)} characters; at most {MAX_PATTERN_CHARS}"
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a regular expression: {exc}"
    return _walk(parsed, inside_repeat=False)


def _walk(items: Any, inside_repeat: bool) -> str | None:
    for op, argument in items:
        if op in _BACKREFERENCES:
            return "backreferences are not allowed (matching could take exponential time)"
        if op in _REPEATS:
            _low, high, body = argument
            if inside_repeat and high > 1:
                return "a repetition inside a repetition is not allowed (matching could take exponential time)"
            found = _walk(body, inside_repeat or high > 1)
        elif op == sre_constants.SUBPATTERN:
            found = _walk(argument[-1], inside_repeat)
        elif op == sre_constants.BRANCH:
            found = next((p for p in (_walk(b, inside_repeat) for b in argument[1]) if p), None)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found = _walk(argument[1], inside_repeat)
        else:
            found = None
        if found:
            return found
    return None


def search(pattern: str, message: str) -> bool:
    """re.search on the first MAX_MESSAGE_CHARS characters of the message."""
    return re.search(pattern, message[:MAX_MESSAGE_CHARS]) is not None
