"""Where a key is written in a TOML file, for error messages: tomllib gives values, no lines.

A key can be written as a table header (`[tool.wbimage-conformance]`), a dotted key under any
header (`wbimage-conformance.timeout = 5` under `[tool]`), or inside an inline table on one
line (`reports = { junit = "x.xml" }`). Each line is read for the key path it sets; the line
setting the key itself (or something under it) wins, else the line setting its nearest
ancestor, so an error inside an inline table or a multi-line array points at the line that
opens it. Text inside multi-line strings is not read as keys. One pass, linear in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

_PART = r'[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_DOTTED = rf"\s*(?:{_PART})(?:\s*\.\s*(?:{_PART}))*\s*"
_HEADER = re.compile(rf"\s*\[\[?({_DOTTED})\]\]?\s*(?:#.*)?$")
_SETTING = re.compile(rf"({_DOTTED})=")
_ONE_PART = re.compile(_PART)


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line that sets `path` (keys from the document's root; integers, array
    indexes, are ignored), else the line of its nearest ancestor that some line sets, else None."""
    target = tuple(p for p in _keys_only(path))
    nearest, nearest_depth = None, 0
    for number, keys in _settings(text):
        if keys[:len(target)] == target:
            return number
        common = len(keys)
        if common > nearest_depth and target[:common] == keys:
            nearest, nearest_depth = number, common
    return nearest


def _keys_only(path: Sequence[str | int]) -> Iterator[str]:
    for part in path:
        if not isinstance(part, str):
            return
        yield part


def _settings(text: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(line number, the key path the line sets) for every header and key line."""
    table: tuple[str, ...] = ()
    inside: str | None = None  # the quote of the multi-line string being read
    for number, line in enumerate(text.splitlines(), start=1):
        if inside is not None:
            if line.count(inside) % 2:
                inside = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _split(header.group(1))
            yield number, table
            continue
        setting = _SETTING.match(line)
        if setting:
            keys = table + _split(setting.group(1))
            yield number, keys
            yield from ((number, keys + inner) for inner in _inline_keys(line[setting.end():]))
        inside = _opened_multiline(line)


def _inline_keys(value: str) -> Iterator[tuple[str, ...]]:
    """The keys of an inline table written on this line (`{ junit = "x", html = "y" }`), one level."""
    if not value.lstrip().startswith("{"):
        return
    for match in re.finditer(rf"[{{,]({_DOTTED})=", value):
        yield _split(match.group(1))


def _opened_multiline(line: str) -> str | None:
    for quote in ('"""', "'''"):
        if line.count(quote) % 2:
            return quote
    return None


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(_unquote(m.group(0)) for m in _ONE_PART.finditer(dotted))


def _unquote(part: str) -> str:
    if part.startswith("'"):
        return part[1:-1]
    if part.startswith('"'):
        try:
            return str(json.loads(part))
        except ValueError:
            return part[1:-1]
    return part
