"""JSON text to data under limits checked before parsing, and data paths back to lines.

Python's `json` parser recurses once per nesting level and turns an integer's digits into an
int in quadratic time (refused past 4300 digits by a ValueError without a position); `1e400`
becomes an infinity and `NaN` is accepted. So, before parsing, one linear scan (strings blanked
out by a regular expression, then the brackets counted with NumPy) refuses a text nested deeper
than the kind allows or holding a run of more than MAX_INT_DIGITS digits outside strings; while
parsing, non-finite numbers are refused. Every failure is one StoredFileError `file:line: message`.

`Locator` answers "on which line does the value at this data path start?" for schema errors,
with one pass over the tokens of the text (no tree is built), only when there is an error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from wbimage_conformance.stored.files import StoredFileError

#: 40 digits hold every 128-bit integer; no stored file needs more.
MAX_INT_DIGITS = 40
#: A JSON string literal, escapes included (no raw newline can be inside one).
_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[\[\]{},:\n]|[^\s\[\]{},:"]+')
_LONG_NUMBER = re.compile(r"\d{%d,}" % (MAX_INT_DIGITS + 1))


class _RefusedNumber(ValueError):
    def __init__(self, token: str, why: str) -> None:
        super().__init__(why)
        self.token = token
        self.why = why


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _RefusedNumber(token, f"the number {token[:40]} is not finite")
    return value


def _constant(token: str) -> float:
    raise _RefusedNumber(token, f"{token} is not JSON (non-finite numbers are written as strings)")


def _blank_strings(text: str) -> str:
    return _STRING.sub('""', text)


def structure_problem(text: str, max_depth: int) -> tuple[int, str] | None:
    """(line, message) when brackets outside strings nest deeper than `max_depth`, or a number
    has more than MAX_INT_DIGITS digits in a row, else None."""
    skeleton = _blank_strings(text)
    long_number = _LONG_NUMBER.search(skeleton)
    if long_number:
        line = skeleton.count("\n", 0, long_number.start()) + 1
        return line, f"a number of {len(long_number.group())} digits; at most {MAX_INT_DIGITS}"
    codes = np.frombuffer(skeleton.encode("utf-8"), dtype=np.uint8)
    steps = ((codes == 91) | (codes == 123)).astype(np.int32) - ((codes == 93) | (codes == 125)).astype(np.int32)
    if not steps.size:
        return None
    depth = np.cumsum(steps)
    deepest = int(depth.max())
    if deepest <= max_depth:
        return None
    first = int(np.argmax(depth > max_depth))
    line = int(np.count_nonzero(codes[:first] == ord("\n"))) + 1
    return line, f"nested deeper than {max_depth} levels"


def _line_of_token(text: str, token: str) -> int:
    skeleton = _blank_strings(text)
    position = skeleton.find(token)
    return skeleton.count("\n", 0, position) + 1 if position >= 0 else 1


def parse(text: str, where: str, max_depth: int) -> Any:
    """The data of a JSON text, or StoredFileError `where:line: ...`."""
    problem = structure_problem(text, max_depth)
    if problem is not None:
        raise StoredFileError(f"{where}:{problem[0]}: {problem[1]}")
    try:
        return json.loads(text, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise StoredFileError(f"{where}:{exc.lineno}: not JSON: {exc.msg}") from None
    except _RefusedNumber as exc:
        raise StoredFileError(f"{where}:{_line_of_token(text, exc.token)}: {exc.why}") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise StoredFileError(f"{where}: cannot read the JSON: {type(exc).__name__}: {str(exc)[:200]}") from None


class Locator:
    """Data paths of one JSON text to the line where the value at that path starts."""

    def __init__(self, text: str) -> None:
        self.text = text

    def line_at(self, path: Sequence[Any]) -> int:
        """The line of the value at `path`, or of the deepest value along it that exists."""
        target = list(path)
        best_line, best_length = 1, -1
        line = 1
        frames: list[list[Any]] = []     # [kind "{" or "[", key or index, expecting a key]
        for match in _TOKEN.finditer(self.text):
            token = match.group()
            if token == "\n":
                line += 1
            elif frames and frames[-1][0] == "{" and frames[-1][2] and token.startswith('"'):
                frames[-1][1], frames[-1][2] = _key(token), False
            elif token in (",", ":", "]", "}"):
                _punctuation(frames, token)
            else:
                length = _matched(frames, target)
                if length > best_length:
                    best_line, best_length = line, length
                    if length == len(target):
                        return line
                if token in ("{", "["):
                    frames.append([token, 0 if token == "[" else None, token == "{"])
        return best_line


def _key(token: str) -> Any:
    try:
        return json.loads(token)
    except ValueError:
        return None


def _punctuation(frames: list[list[Any]], token: str) -> None:
    if not frames:
        return
    if token in ("]", "}"):
        frames.pop()
    elif token == ",":
        if frames[-1][0] == "[":
            frames[-1][1] += 1
        else:
            frames[-1][2] = True


def _matched(frames: list[list[Any]], target: list[Any]) -> int:
    """How much of `target` the current position's path is, or -1 when it strays from it."""
    if len(frames) > len(target):
        return -1
    for frame, part in zip(frames, target):
        if frame[1] != part:
            return -1
    return len(frames)
