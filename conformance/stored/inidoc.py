"""Settings given as text (an ini file's keys, command-line options) read as the data a schema
checks, and an ini key back to its line.

An ini file and the command line give every value as text; where the schema wants a number
the text is read as the number it spells (TOML's and Python's spellings, `1_000`, `1e308`,
`nan`), else left as text for the schema to refuse, so `--wbimage-timeout nan` and
`wbimage_timeout = 1e308` fail as `timeout = nan` in pyproject.toml does. A digit string is
converted only up to 30 digits: Python takes quadratic time for longer ones.

pytest reads the ini file itself and gives values, no lines; the line of a key is found by
reading the file again (within stored.INI_FILE's limits): `name = value` or `name: value` in
an ini file, `name = value` under `[tool.pytest.ini_options]` in a pyproject.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wbimage_conformance.stored import tomldoc
from wbimage_conformance.stored.sources import LineAt

_NUMBER = re.compile(r"\s*[+-]?(\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan|infinity)\s*", re.I)
_INTEGER = re.compile(r"\s*[+-]?\d{1,30}\s*")
_MAX_NUMBER_TEXT = 64
#: Where pytest reads its options in a pyproject.toml.
PYTEST_TABLE = ("tool", "pytest", "ini_options")


def wants_number(property_schema: dict[str, Any]) -> bool:
    """Whether a setting's schema takes numbers (then text given for it is read as one)."""
    return property_schema.get("type") in ("number", "integer")


def number(text: str) -> Any:
    """`text` as the number it spells, else `text` itself, which the schema then refuses;
    never a conversion of thousands of digits."""
    if _INTEGER.fullmatch(text):
        return int(text)
    if len(text) <= _MAX_NUMBER_TEXT and _NUMBER.fullmatch(text):
        return float(text.replace("_", ""))
    return text


def line_of(path: Path, text: str, name: str) -> int | None:
    """The line where the ini file at `path` (its `text`) sets `name`, else None."""
    if path.suffix == ".toml":
        return tomldoc.line_of(text, (*PYTEST_TABLE, name))
    setting = re.compile(rf"\s*[\"']?{re.escape(name)}[\"']?\s*[=:]")
    return next((n for n, line in enumerate(text.splitlines(), start=1) if setting.match(line)), None)


def line_finder(path: Path, text: str, name: str) -> LineAt:
    """A Source's line_at for one ini key: every data path of it is on the key's line."""
    line = line_of(path, text, name)

    def line_at(_path: Sequence[Any]) -> int | None:
        return line
    return line_at
