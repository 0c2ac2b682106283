"""Files read back and settings read in: one mechanism for every kind.

Saved reports, docs reports, history records, expectations files, the case cache's entries,
`[tool.wbimage-conformance]` in pyproject.toml and the pytest plugin's ini keys and options
are all read the same way: the file opened as a regular file only and read up to the kind's
size limit (files), decoded as strict UTF-8, parsed within limits with every parser failure
turned into one line (jsondoc for JSON, yamlsource for YAML, tomldoc for TOML, inidoc for text
settings), which gives the data and a locator from a data path to its line (sources.Source);
then one schema check (schemas.check) against the kind's JSON Schema in conformance/schemas/,
each refusal a StoredFileError `file:line: field: message`, exit code 2. What a schema cannot
say (a relation between two fields) is refused in the same words (schemas.refusal). Writers go
through one function (writing.replace_text) that writes a temporary file beside the target
and renames it, so a failure never leaves a half-written or empty report in place of the
previous one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wbimage_conformance.stored.files import Kind, StoredFileError, read_text
from wbimage_conformance.stored.sources import Source

if TYPE_CHECKING:  # the parsers are imported when used: pytest reads settings at every start, in any project
    from wbimage_conformance import yamlsource
    from wbimage_conformance.stored import jsondoc, tomldoc

__all__ = ["CASE_CACHE_ENTRY", "EXPECTATIONS", "HISTORY_RECORD", "INI_FILE", "PYPROJECT", "SAVED_REPORT", "Kind",
           "Source", "StoredFileError", "load_json", "read_json", "read_text", "read_yaml", "toml_document"]

#: The limits of each kind (README, "Limits"). A full report of all cases of a wandb release
#: is a few MB, a history record about 65 KB, an expectations file about 30 KB, a
#: pyproject.toml a few KB, a case cache entry about 100 KB.
#: An expectations file has yamlsource's limits (MAX_FILE_BYTES, MAX_DEPTH; a test keeps them equal).
SAVED_REPORT = Kind("saved report", max_bytes=256 * 1024 * 1024, max_depth=64)
HISTORY_RECORD = Kind("history record", max_bytes=16 * 1024 * 1024, max_depth=8)
EXPECTATIONS = Kind("expectations file", max_bytes=8 * 1024 * 1024, max_depth=64)
PYPROJECT = Kind("pyproject.toml", max_bytes=1024 * 1024, max_depth=64, hidden=False)
INI_FILE = Kind("pytest ini file", max_bytes=1024 * 1024, max_depth=64, hidden=False)
CASE_CACHE_ENTRY = Kind("case cache entry", max_bytes=4 * 1024 * 1024, max_depth=4, hidden=False)


def read_json(path: Path | str, kind: Kind) -> tuple[Any, jsondoc.Locator]:
    """A JSON file's data and its locator, read under the kind's limits (not yet validated)."""
    from wbimage_conformance.stored import jsondoc

    text = read_text(path, kind)
    return jsondoc.parse(text, str(path), kind.max_depth), jsondoc.Locator(text)


def load_json(path: Path | str, kind: Kind, schema_name: str) -> Any:
    """A JSON file's data, read under the kind's limits and checked against its schema."""
    from wbimage_conformance.stored import schemas

    data, locator = read_json(path, kind)
    schemas.check(data, schema_name, Source(str(path), locator.line_at), kind.name)
    return data


def read_yaml(path: Path | str, kind: Kind) -> tuple[Any, yamlsource.Located]:
    """A YAML file's data and node tree, read under the kind's limits (yamlsource's own limits
    on depth, aliases, scalars and integers apply while parsing)."""
    from wbimage_conformance import yamlsource

    text = read_text(path, kind)
    try:
        return yamlsource.parse(text)
    except yamlsource.YamlSourceError as exc:
        line = f"{exc.line}:" if exc.line else ""
        raise StoredFileError(f"{path}:{line} {exc.message}") from None


def toml_document(raw: bytes, where: str) -> tuple[dict[str, Any], tomldoc.Locator]:
    """The data of a TOML file's bytes (read under its kind's limits) and its locator."""
    from wbimage_conformance.stored import tomldoc
    from wbimage_conformance.stored.files import decode

    text = decode(raw, where)
    return tomldoc.parse(text, where), tomldoc.Locator(text)
