"""TOML text to data with one-line errors, and data paths back to the lines that set them.

tomllib raises RecursionError for deep nesting, ValueError for an integer of more decimal
digits than Python converts, and TOMLDecodeError with the line in its text: each becomes one
StoredFileError naming the file (and the line where one is known).

tomllib gives values, no lines. A key can be written as a table header
(`[tool.wbimage-conformance]`), a dotted key under any header (`wbimage-conformance.timeout =
5` under `[tool]`), or inside an inline table on one line (`reports = { junit = "x.xml" }`).
Each line is read for the key path it sets; the line setting the key itself (or something
under it) wins, else the line setting its nearest ancestor, so an error inside an inline table
or a multi-line array points at the line that opens it. Text inside multi-line strings is not
read as keys. One pass, linear in the text, only when there is an error to place.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from wbimage_conformance.stored.files import StoredFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 gets tomli from the package's dependencies
    import tomli as tomllib

_TOML_WHERE = re.compile(r"\(at line (\d+), column \d+\)$")
_LONG_DIGITS = re.compile(r"\d{4000,}")
_PART = r'[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_DOTTED = rf"\s*(?:{_PART})(?:\s*\.\s*(?:{_PART}))*\s*"
_HEADER = re.compile(rf"\s*\[\[?({_DOTTED})\]\]?\s*(?:#.*)?$")
_SETTING = re.compile(rf"({_DOTTED})=")
_ONE_PART = re.compile(_PART)


def parse(text: str, where: str) -> dict[str, Any]:
    """The data of a TOML text, or StoredFileError `where[:line]: not valid TOML...`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_WHERE.search(message)
        line = f":{found.group(1)}" if found else ""
        raise StoredFileError(f"{where}{line}: not valid TOML: {message}") from None
    except RecursionError:
        raise StoredFileError(f"{where}: not valid TOML here: arrays or tables nested too deeply to read") from None
    except MemoryError:
        raise StoredFileError(f"{where}: not valid TOML here: too large to read") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        digits = _LONG_DIGITS.search(text)
        line = f":{text.count(chr(10), 0, digits.start()) + 1}" if digits else ""
        raise StoredFileError(f"{where}{line}: not valid TOML here: {str(exc).split(';')[0]}") from None


class Locator:
    """Data paths of one TOML text to the line that sets them (stored.sources.Source's line_at)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def line_at(self, path: Sequence[Any]) -> int | None:
        return line_of(self.text, path)


def line_of(text: str, path: Sequence[Any]) -> int | None:
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


def _keys_only(path: Sequence[Any]) -> Iterator[str]:
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
