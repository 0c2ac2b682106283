"""Stored files read back and written out: saved reports, history records, expectations files.

One guarded reader per kind, built from the same steps: the file opened as a regular file only
and read up to the kind's size limit (files), decoded as strict UTF-8, nesting depth checked
before parsing and every parser failure turned into one line (jsondoc for JSON, yamlsource for
YAML), then the kind's JSON Schema (schemas), each refusal a StoredFileError `file:line: field:
message`, exit code 2. Writers go through one function (writing.replace_text) that writes a
temporary file beside the target and renames it, so a failure never leaves a half-written or
empty report in place of the previous one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wbimage_conformance import yamlsource
from wbimage_conformance.stored import jsondoc, schemas
from wbimage_conformance.stored.files import Kind, StoredFileError, read_text

__all__ = ["EXPECTATIONS", "HISTORY_RECORD", "SAVED_REPORT", "Kind", "StoredFileError", "read_json", "read_yaml",
           "load_json"]

#: The limits of each kind (README, "Limits"). A full report of all cases of a wandb release
#: is a few MB, a history record about 65 KB, an expectations file about 30 KB.
SAVED_REPORT = Kind("saved report", max_bytes=256 * 1024 * 1024, max_depth=64)
HISTORY_RECORD = Kind("history record", max_bytes=16 * 1024 * 1024, max_depth=8)
EXPECTATIONS = Kind("expectations file", max_bytes=yamlsource.MAX_FILE_BYTES, max_depth=yamlsource.MAX_DEPTH)


def read_json(path: Path | str, kind: Kind) -> tuple[Any, jsondoc.Locator]:
    """A JSON file's data and its locator, read under the kind's limits (not yet validated)."""
    text = read_text(path, kind)
    return jsondoc.parse(text, str(path), kind.max_depth), jsondoc.Locator(text)


def load_json(path: Path | str, kind: Kind, schema_name: str) -> Any:
    """A JSON file's data, read under the kind's limits and checked against its schema."""
    data, locator = read_json(path, kind)
    schemas.check(data, schema_name, str(path), locator.line_at, kind.name)
    return data


def read_yaml(path: Path | str, kind: Kind) -> tuple[Any, yamlsource.Located]:
    """A YAML file's data and node tree, read under the kind's limits (yamlsource's own limits
    on depth, aliases, scalars and integers apply while parsing)."""
    text = read_text(path, kind)
    try:
        return yamlsource.parse(text)
    except yamlsource.YamlSourceError as exc:
        line = f"{exc.line}:" if exc.line else ""
        raise StoredFileError(f"{path}:{line} {exc.message}") from None
