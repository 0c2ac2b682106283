"""The settings of `[tool.wbimage-conformance]` and the pytest plugin, checked by one JSON Schema.

`schemas/pyproject.schema.json` says what each key may hold; both the pyproject section and the
plugin's options and ini keys are checked against it, so the two cannot drift apart. This
module turns the validator's findings into one short sentence about one key: where in the
file that key is written is the caller's business (TOML, ini and the command line each say it
differently).

Values come from files anyone may write, so nothing here prints a value in full or converts
a huge integer to decimal (Python refuses above 4,300 digits), and TOML's `nan` and `inf`,
which JSON does not have, are not numbers here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "pyproject.schema.json"
#: Integers beyond this are shown by their size: their decimal form may be refused or huge.
_LARGEST_SHOWN = 10**30
_SHOWN_CHARACTERS = 80


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a settings table: the key path and what is wrong there."""

    path: tuple[str | int, ...]
    message: str
    more: int = 0                      # how many further problems the table has


class _Huge:
    """Stands in for an integer too large to show or compare in a message; no type accepts it."""

    def __init__(self, value: int) -> None:
        self.bits = value.bit_length()

    def __repr__(self) -> str:
        return f"an integer of about {int(self.bits * math.log10(2)) + 1} digits"


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def keys() -> tuple[str, ...]:
    return tuple(schema()["properties"])


def numeric_keys() -> frozenset[str]:
    """Keys whose values are numbers: what an ini file or the command line gives as text is
    read as a number for them."""
    return frozenset(k for k, v in schema()["properties"].items() if v.get("type") in ("number", "integer"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # imported when a setting is present: pytest starts in every project

    document = schema()
    base = jsonschema.validators.validator_for(document)
    base.check_schema(document)
    checker = base.TYPE_CHECKER.redefine_many({
        "number": lambda _, v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
        "integer": lambda _, v: isinstance(v, int) and not isinstance(v, bool),
    })
    return jsonschema.validators.extend(base, type_checker=checker)(document)


def check(table: dict[str, Any]) -> Problem | None:
    """The first problem of `table` in the order the file wrote its keys, or None."""
    found = [_describe(error) for error in _validator().iter_errors(_without_huge_integers(table))]
    if not found:
        return None
    names = list(table)
    found.sort(key=lambda problem: names.index(problem[0][0]) if problem[0] and problem[0][0] in names else len(names))
    path, message = found[0]
    return Problem(path, message, len({p for p, _ in found} - {path}))


def check_one(key: str, value: Any) -> str | None:
    """What is wrong with one setting (as `check` says it), or None."""
    problem = check({key: value})
    return None if problem is None else problem.message


def _describe(error: Any) -> tuple[tuple[str | int, ...], str]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        unknown = next(k for k in error.instance if k not in known)
        return (*path, unknown), f"unknown key; known keys: {', '.join(known)}"
    description = error.schema.get("description")
    if description:
        return path, f"expected {description}, got {shown(error.instance)}"
    return path, error.message[:_SHOWN_CHARACTERS * 2]


def shown(value: Any) -> str:
    """`value` for a message: its repr, cut to a line; booleans as TOML writes them; huge
    integers by their size."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST_SHOWN:
        value = _Huge(value)
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS - 3] + "..."


def _without_huge_integers(table: dict[str, Any]) -> dict[str, Any]:
    """A copy of `table` with each huge integer replaced by a `_Huge`, so that no message the
    validator builds converts it to decimal. Walked without recursion: TOML nests arrays."""
    root: dict[str, Any] = {}
    pending: list[tuple[Any, Any]] = [(table, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if isinstance(value, (dict, list)):
                copy: Any = {} if isinstance(value, dict) else [None] * len(value)
                pending.append((value, copy))
                value = copy
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST_SHOWN:
                value = _Huge(value)
            target[key] = value
    return root
