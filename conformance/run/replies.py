"""Reading an implementation's reply line: bounded before it is parsed, clean once it is.

A reply is untrusted text. `json.loads` itself copes with depth (it raises RecursionError),
but everything after it walks the parsed value recursively: a 1 KB line nested 600 deep once
killed the run in the observation decoder, and one nested 490 deep passed through the run
into its JSON report and then crashed `report`. And a line of small values (`[0,0,0,...]`)
becomes tens of times its size in Python objects. So before parsing, one linear scan of the
bytes measures the nesting depth and counts the values, and a line over MAX_DEPTH or
MAX_VALUES is refused; then strings are cleaned of what JSON allows but UTF-8 cannot encode
(a lone surrogate `\\ud800` made every report write fail), so nothing downstream meets them.

Every problem is a ProtocolError with a one-line reason; the runner makes it the case's crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from wbimage_conformance.worker import protocol

#: The deepest nesting of a reply's JSON. A result is 2 levels, an observation's tagged value
#: 2 to 4 more; what an implementation returns (a list of [name, default] pairs, boxes) a few more.
MAX_DEPTH = 64
#: The most JSON values (containers, members, items) in one reply; arrays travel as one
#: base64 string each, so a legitimate reply holds a few hundred.
MAX_VALUES = 100_000
#: Bytes scanned at once: the scan's temporary arrays are a few times this.
SCAN_CHUNK = 1 << 20

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENERS, _CLOSERS, _SEPARATORS = (ord("["), ord("{")), (ord("]"), ord("}")), (ord(","), ord(":"))
_SPECIALS = tuple(bytes([code]) for code in b'"\\[]{},:')
_STRUCTURAL = np.zeros(256, dtype=bool)
_STRUCTURAL[list(b'"[]{},:')] = True
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Shape:
    """What the scan found: the deepest nesting, the number of values, the line's bytes."""

    depth: int
    values: int
    size: int = 0


@dataclass
class _ScanState:
    depth: int = 0
    deepest: int = 0
    values: int = 0
    in_string: bool = False
    escaped: bool = False      # the chunk's first byte is escaped by a backslash before it


def measure(line: bytes, stop: Shape | None = None) -> Shape:
    """The nesting depth and value count of a JSON line, in one pass over its bytes, without
    parsing it. Exact for valid JSON; for invalid JSON an estimate up to the first error, which
    is where a parser stops too. Chunks holding no quote, backslash, bracket or separator (the
    inside of a long base64 string) are skipped whole; with `stop`, the scan ends at the first
    chunk that goes beyond its depth or count (the line is refused then, whatever follows)."""
    state = _ScanState()
    for start in range(0, len(line), SCAN_CHUNK):
        end = start + SCAN_CHUNK
        if all(line.find(special, start, end) < 0 for special in _SPECIALS):
            state.escaped = False
            continue
        _scan_chunk(line[start:end], state)
        if stop is not None and (state.deepest > stop.depth or state.values > stop.values):
            break
    return Shape(state.deepest, state.values, len(line))


def _scan_chunk(chunk: bytes, state: _ScanState) -> None:
    """Advance `state` over one chunk. Escapes first, with bytes.replace, left to right as a
    parser reads them: each pair of backslashes, then each backslash-quote, becomes neutral
    bytes, so every quote left opens or closes a string. Then only the structural bytes are
    looked at, vectorized: brackets and separators outside strings count."""
    if state.escaped:
        chunk = b"_" + chunk[1:]
    plain = chunk.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    state.escaped = plain.endswith(b"\\")
    data = np.frombuffer(plain, dtype=np.uint8)
    kinds = data[np.flatnonzero(_STRUCTURAL[data])]
    if not len(kinds):
        return
    quotes = kinds == _QUOTE
    inside = (np.cumsum(quotes, dtype=np.int32) + np.int32(state.in_string)) % 2 == 1
    outside = ~inside & ~quotes
    opens = _any_of(kinds, _OPENERS) & outside
    closes = _any_of(kinds, _CLOSERS) & outside
    path = state.depth + np.cumsum(opens.astype(np.int32) - closes.astype(np.int32), dtype=np.int64)
    state.deepest = max(state.deepest, int(path.max()))
    state.depth = int(path[-1])
    state.values += int(np.count_nonzero(opens)) + int(np.count_nonzero(_any_of(kinds, _SEPARATORS) & outside))
    state.in_string = bool(inside[-1])


def _any_of(data: np.ndarray, codes: tuple[int, int]) -> np.ndarray:
    return (data == codes[0]) | (data == codes[1])


def check(line: bytes) -> Shape:
    """The line's shape, or ProtocolError when it is nested or numerous beyond the limits."""
    shape = measure(line, stop=Shape(MAX_DEPTH, MAX_VALUES))
    if shape.depth > MAX_DEPTH:
        raise protocol.ProtocolError(f"a reply nested too deeply ({shape.depth} levels; at most {MAX_DEPTH})")
    if shape.values > MAX_VALUES:
        raise protocol.ProtocolError(f"a reply with too many values ({shape.values}; at most {MAX_VALUES})")
    return shape


def parse(line: bytes) -> tuple[dict[str, Any], Shape]:
    """One reply line as a message (checked, parsed, its strings made encodable), and its shape."""
    shape = check(line)
    try:
        message = protocol.loads(line)
    except ValueError as exc:  # not a JSONDecodeError: a number of over 4300 digits, say
        if isinstance(exc, protocol.ProtocolError):
            raise
        raise protocol.ProtocolError(f"not a JSON line ({' '.join(str(exc).split())[:200]})") from None
    return clean(message), shape


def clean_text(text: str) -> str:
    """`text` with each lone surrogate (which UTF-8 cannot encode) replaced by U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def clean(value: Any) -> Any:
    """A parsed JSON value with every string, keys included, passed through clean_text
    (recursive: the depth is bounded by check)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean(item) for key, item in value.items()}
    return value
