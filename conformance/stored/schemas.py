"""JSON Schema validation of stored data, with the error placed on a line.

The schemas in conformance/schemas/ are the one statement of what each stored file holds (they
are published for consumers too); validating against them replaces hand-written checks that
drifted from the documentation. The first, most relevant error (jsonschema's best match) is
reported as `file:line: field: message`, the line found by whatever locator the file's format
has (stored.jsondoc.Locator for JSON, yamlsource.Located for YAML), and the message cut to
one short line: a validator's message may quote a whole subtree. Data a fast check compiled
from the same schema accepts (stored.fastcheck) is not walked by jsonschema at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from wbimage_conformance.stored import fastcheck
from wbimage_conformance.stored.files import StoredFileError

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
MAX_MESSAGE_CHARS = 200
MAX_HINT_CHARS = 120


@lru_cache(maxsize=None)
def schema(schema_name: str) -> dict[str, Any]:
    """`conformance/schemas/<schema_name>`, read once per process."""
    return json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(schema_name: str) -> Any:
    """The checked validator of a schema, built once per process."""
    import jsonschema  # imported here: the worker side never validates

    cls = jsonschema.validators.validator_for(schema(schema_name))
    cls.check_schema(schema(schema_name))
    return cls(schema(schema_name))


@lru_cache(maxsize=None)
def fast_check(schema_name: str) -> fastcheck.Check | None:
    return fastcheck.compile_schema(schema(schema_name))


def dotted(path: Sequence[Any]) -> str:
    """A data path as people write it: `results[3].duration_s`; `(top level)` when empty."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 3] + "..."


def check(data: Any, schema_name: str, where: str, line_at: Callable[[Sequence[Any]], int] | None,
          what: str, field_name: Callable[[Sequence[Any]], str] = dotted) -> None:
    """Raise StoredFileError naming file, line and field unless `data` fits the schema
    (`line_at` None: data not from a file, no line); `field_name` may name the field better
    than its data path (a case's id beside its index)."""
    import jsonschema

    quick = fast_check(schema_name)
    if quick is not None and quick(data):
        return
    try:
        error = jsonschema.exceptions.best_match(validator(schema_name).iter_errors(data))
    except RecursionError:
        raise StoredFileError(f"{where}: nested too deeply to check as a {what}") from None
    if error is None:
        return
    path, line_path, message, hint = _explained(error)
    place = f"{where}:{line_at(line_path)}" if line_at is not None else where
    said = f"{what}: {hint}" if hint else f"not a valid {what}"
    raise StoredFileError(f"{place}: {field_name(path)}: {_short(message)} ({said})")


def _explained(error: Any) -> tuple[list[Any], list[Any], str, str]:
    """(path of the field, path of the line to show, message, hint) for one schema error: a
    missing field is named, an unknown one is pointed at, and the hint is the description the
    schema gives the field, when it is short enough for one line."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    message, line_path, described = error.message, path, schema
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next(key for key in error.validator_value if key not in error.instance)
        path = path + [missing]
        described = schema.get("properties", {}).get(missing, {})
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict) and "properties" in schema:
        extra = sorted(str(key) for key in error.instance if key not in schema["properties"])
        message = f"unknown field(s) {extra}; known: {sorted(schema['properties'])}"
        line_path = path + [extra[0]] if extra else path
    hint = described.get("description", "") if isinstance(described, dict) else ""
    return path, line_path, message, hint if len(hint) <= MAX_HINT_CHARS else ""
