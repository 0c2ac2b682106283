"""Where checked data came from: the file (or the option) an error names, and a data path's line.

Every reader of a stored format gives its data with a locator (stored.jsondoc for JSON,
yamlsource for YAML, stored.tomldoc for a TOML section, stored.inidoc for an ini key); a
Source joins the file's name, that locator and how the file's fields are named, so that one
schema check (stored.schemas) words every refusal the same way: `file:line: field: message`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

LineAt = Callable[[Sequence[Any]], int | None]


def dotted(path: Sequence[Any]) -> str:
    """A data path as people write it: `results[3].duration_s`; `(top level)` when empty."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


@dataclass(frozen=True)
class Source:
    """`where`: the file's path, or an option (`--wbimage-timeout`); `line_at`: the line a
    data path starts on (None: not known); `field_name`: how a data path is named in a
    message ("" leaves the field out, as an option is its own field)."""

    where: str
    line_at: LineAt | None = None
    field_name: Callable[[Sequence[Any]], str] = dotted

    def place(self, path: Sequence[Any]) -> str:
        """`file:line`, or the file alone where no line is known."""
        line = self.line_at(path) if self.line_at is not None else None
        return f"{self.where}:{line}" if line else self.where

    def named(self, path: Sequence[Any]) -> str:
        """`field: `, or nothing where the source names no field."""
        name = self.field_name(path)
        return f"{name}: " if name else ""
