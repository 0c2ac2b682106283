"""The one schema check of everything the suite reads back, with the error placed on a line.

The schemas in conformance/schemas/ are the one statement of what each stored file holds
(saved reports, docs reports, history records, expectations files, the pyproject section and
the pytest plugin's options, case cache entries); they are published for consumers too. Data
a fast check compiled from the same schema accepts (stored.fastcheck) is not walked by
jsonschema at all; otherwise the refusal is one line, `file:line: field: message`, the line
found by whatever locator the file's format has (stored.sources.Source).

One rule for every schema, so the files cannot drift apart in what they accept:

- numbers are finite (TOML and YAML can write nan and inf; JSON cannot) and integers are not
  floats that happen to be whole (`maxfail = 2.0`) nor booleans;
- `format` is asserted for the formats of FORMATS (PEP 440 versions and ranges), so no
  check of those is left to the code after the schema;
- the problem named is the first in the file (data order is file order in every format read
  here), the most relevant one where several are at one place, and the others are counted;
- a field's message is the schema's `x-error-message` template (`expected {description}, got
  {value}`) where the document has one and the field a short description, else the
  validator's own words, cut to one line, with the field's short description as a hint;
- values are shown cut to a line; an integer too long to print is named by its size, as
  Python refuses to convert one of more than 4,300 digits to decimal (and takes quadratic
  time below that).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from wbimage_conformance.stored import fastcheck
from wbimage_conformance.stored.files import StoredFileError
from wbimage_conformance.stored.sources import Source, dotted

__all__ = ["FORMATS", "SCHEMA_DIR", "Source", "check", "dotted", "is_valid", "refusal", "schema", "shown"]

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
MAX_MESSAGE_CHARS = 200
MAX_HINT_CHARS = 120
#: Integers beyond this are shown by their size.
LARGEST_SHOWN = 10**30
_SHOWN_CHARACTERS = 80


def _pep440_version(value: Any) -> bool:
    """A version as PEP 440 reads it; a number (YAML's `numpy: 2.0`) as its text; null passes."""
    if value is None or isinstance(value, bool):
        return value is None
    try:
        Version(str(value))
    except InvalidVersion:
        return False
    return True


def _pep440_range(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        return False
    return True


#: The formats the schemas assert, and how a message names each.
FORMATS = {"pep440-version": (_pep440_version, "PEP 440 version"),
           "pep440-range": (_pep440_range, "PEP 440 version range")}


@cache
def schema(schema_name: str) -> dict[str, Any]:
    """`conformance/schemas/<schema_name>`, read once per process."""
    return json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))


def _is_number(_checker: Any, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _is_integer(_checker: Any, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def validator(schema_name: str) -> Any:
    """The checked validator of a schema, built once per process, with this module's types
    and formats."""
    import jsonschema  # imported here: the worker side never validates, pytest starts in every project

    document = schema(schema_name)
    base = jsonschema.validators.validator_for(document)
    base.check_schema(document)
    types = base.TYPE_CHECKER.redefine_many({"number": _is_number, "integer": _is_integer})
    formats = jsonschema.FormatChecker(formats=())
    for name, (test, _) in FORMATS.items():
        formats.checks(name)(test)
    return jsonschema.validators.extend(base, type_checker=types)(document, format_checker=formats)


@cache
def fast_check(schema_name: str) -> fastcheck.Check | None:
    return fastcheck.compile_schema(schema(schema_name), {name: test for name, (test, _) in FORMATS.items()})


def is_valid(data: Any, schema_name: str) -> bool:
    """Whether `data` fits the schema, without a word about why (a cache entry is used or not)."""
    quick = fast_check(schema_name)
    if quick is not None:
        return quick(data)
    return next(validator(schema_name).iter_errors(data), None) is None


def shown(value: Any) -> str:
    """`value` for a message: its repr cut to a line; booleans as JSON, YAML and TOML write
    them; huge integers by their size."""
    if isinstance(value, bool):
        return str(value).lower()
    if type(value) is int and abs(value) > LARGEST_SHOWN:
        value = _Huge(value)
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS - 3] + "..."


def short(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def refusal(source: Source, path: Sequence[Any], message: str) -> StoredFileError:
    """The error for what a schema cannot say (a cause index past the causes listed, a case
    given twice), in the form of a schema error: `file:line: field: message`."""
    return StoredFileError(f"{source.place(path)}: {source.named(path)}{short(message)}")


def check(data: Any, schema_name: str, source: Source, what: str) -> None:
    """Raise StoredFileError naming the file, the line and the field of the first thing in
    `data` that the schema refuses (`what`: the kind of file, for the hint), else nothing."""
    quick = fast_check(schema_name)
    if quick is not None and quick(data):
        return
    try:
        found = _first_error(_printable(data), schema_name)
    except RecursionError:
        raise StoredFileError(f"{source.where}: nested too deeply to check as a {what}") from None
    if found is None:
        return
    error, place, more = found
    problem = _explained(error, place, schema(schema_name), what)
    extra = f" (and {more} more problem(s))" if more else ""
    raise StoredFileError(f"{source.place(problem.line_path)}: {source.named(problem.path)}{problem.message}{extra}")


@dataclass(frozen=True)
class _Problem:
    path: list[Any]            # the field named
    line_path: list[Any]       # the value whose line is shown
    message: str


def _first_error(data: Any, schema_name: str) -> tuple[Any, list[Any], int] | None:
    """The first error in file order (the most relevant of those at one place), its place,
    and how many other places have one. A missing key's place is after the keys present."""

    order = _Order(data)
    best: Any = None
    best_place: list[Any] = []
    best_key: tuple[int, ...] = ()
    places: set[tuple[Any, ...]] = set()
    missing_seen: dict[tuple[Any, ...], int] = {}
    for error in validator(schema_name).iter_errors(data):
        place = _position(error, missing_seen)
        places.add(tuple(place))
        key = order.key(place)
        if best is None or key < best_key or (key == best_key and _outranks(error, best)):
            best, best_place, best_key = error, place, key
    if best is None:
        return None
    return best, best_place, len(places) - 1



def _outranks(error: Any, other: Any) -> bool:
    """jsonschema's own order of relevance between two errors at the same place."""
    from jsonschema.exceptions import relevance

    ranked: Any = relevance  # a key function: the tuples it gives compare
    return bool(ranked(error) > ranked(other))

def _position(error: Any, missing_seen: dict[tuple[Any, ...], int]) -> list[Any]:
    """Where an error is in the data: an unknown key, or a missing one, is its own place
    (jsonschema gives one `required` error per missing key, in the order the schema lists them)."""
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        count = missing_seen.get(tuple(path), 0)
        missing_seen[tuple(path)] = count + 1
        return path + missing[min(count, len(missing) - 1):][:1]
    return path + _unknown_keys(error)[:1]


def _unknown_keys(error: Any) -> list[Any]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict) or "properties" not in schema:
        return []
    return [key for key in error.instance if key not in schema["properties"]]


class _Order:
    """Sort keys of data paths by where they are in the data (dict order is file order)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.indexes: dict[int, dict[Any, int]] = {}

    def key(self, path: Sequence[Any]) -> tuple[int, ...]:
        node, key = self.data, []
        for part in path:
            if isinstance(node, dict):
                if id(node) not in self.indexes:
                    self.indexes[id(node)] = {name: n for n, name in enumerate(node)}
                key.append(self.indexes[id(node)].get(part, len(node)))
                node = node.get(part)
            else:
                key.append(part if isinstance(part, int) else 0)
                node = node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
        return tuple(key)


def _explained(error: Any, place: list[Any], document: dict[str, Any], what: str) -> _Problem:
    """One error in words: a missing field named with its description, an unknown key with
    the known ones, a value by the document's template or the validator's own message."""
    template = document.get("x-error-message")
    if error.validator == "required" and isinstance(error.instance, dict):
        hint = _description(error.schema.get("properties", {}).get(place[-1], {}))
        message = _with_hint(f"{place[-1]!r} is a required property", hint, what, template)
        return _Problem(place, place[:-1], message)
    if _unknown_keys(error):
        known = ", ".join(error.schema["properties"]) or "(none)"
        return _Problem(place, place, f"unknown key; known keys: {known}")
    description = _description(error.schema)
    if template and description:
        return _Problem(place, place, short(template.format(description=description, value=shown(error.instance))))
    error = _focused(error)
    path, description = list(error.absolute_path), _description(error.schema)
    if error.validator == "format" and error.validator_value in FORMATS:
        message = f"{shown(error.instance)} is not a {FORMATS[error.validator_value][1]}"
    else:
        message = error.message
    return _Problem(path, path, _with_hint(message, description, what, template))


def _focused(error: Any) -> Any:
    """The error jsonschema's best match descends to inside anyOf and oneOf."""
    from jsonschema.exceptions import best_match

    return best_match([error])


def _description(schema: Any) -> str:
    text = schema.get("description", "") if isinstance(schema, dict) else ""
    return text if len(text) <= MAX_HINT_CHARS else ""


def _with_hint(message: str, hint: str, what: str, template: str | None) -> str:
    if template:
        return short(message)
    said = f"{what}: {hint}" if hint else f"not a valid {what}"
    return f"{short(message)} ({said})"


class _Huge(int):
    """An integer too large to print, standing in for itself: it validates as the integer it
    is, and every message names it by its size."""

    def __repr__(self) -> str:
        return f"an integer of about {int(self.bit_length() * math.log10(2)) + 1} digits"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)


def _printable(data: Any) -> Any:
    """`data`, or a copy of it with each integer too large to print made a _Huge. Walked
    without recursion: TOML nests arrays. Only data that failed the fast check gets here."""
    if not any(True for _ in _huge_integers(data)):
        return data
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(data, root, 0)]
    while pending:
        value, parent, key = pending.pop()
        if isinstance(value, (dict, list)):
            copy: Any = dict.fromkeys(value) if isinstance(value, dict) else [None] * len(value)
            parent[key] = copy
            items = value.items() if isinstance(value, dict) else enumerate(value)
            pending.extend((item, copy, name) for name, item in items)
        else:
            parent[key] = _Huge(value) if type(value) is int and abs(value) > LARGEST_SHOWN else value
    return root[0]


def _huge_integers(data: Any) -> Iterator[int]:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif type(value) is int and abs(value) > LARGEST_SHOWN:
            yield value
