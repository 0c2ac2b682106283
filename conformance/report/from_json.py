"""A saved JSON report read back into a RunReport, so it can be rendered in any format or merged.

The JSON report keeps what every report shows: each case's id, title, clauses, level and
place, each result's status, message, reproduction and mismatches, and the run's environment.
Arrays of up to 64 elements were written out in full and come back as arrays of their dtype
(checked against their sha256), so the HTML page draws them as the original run did; larger
ones were saved by digest and stay {kind, dtype, shape, sha256}; each mismatch keeps the words
the report gave it. The case's input and expectation and the raw observation are not saved:
no report shows them; so the run's causes come back as it recorded them, not triaged again (a
report written before causes existed reads back with none).

A saved report is hostile input (a CI artifact anyone could have replaced): it is read by the
guarded reader of stored files (regular file, size, UTF-8, nesting and number limits before
parsing), checked against report.schema.json with the offending line named, and only plain
dtypes of small arrays are ever rebuilt.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance import stored
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case, Environment, Mismatch, Result, RunReport, SavedCause, Shard, Status
from wbimage_conformance.report import summary
from wbimage_conformance.report.jsonable import SMALL_ARRAY_LIMIT, array_digest
from wbimage_conformance.stored import schemas
from wbimage_conformance.stored.jsondoc import Locator

SCHEMA = "report.schema.json"
_NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}
#: The dtypes a saved array is rebuilt in (as `str(dtype)` names them); any other stays the
#: saved {kind, dtype, shape, sha256} record: a sub-array dtype such as `(1000,1000)u1` would
#: allocate a megabyte per value, and a dtype string is data from the file.
PLAIN_DTYPES = frozenset(["bool", *(f"int{n}" for n in (8, 16, 32, 64)), *(f"uint{n}" for n in (8, 16, 32, 64)),
                          "float16", "float32", "float64", "float128", "complex64", "complex128", "complex256"])


class ReportFileError(ConfigurationError):
    """A file that is not a readable wbimage-conformance JSON report (exit code 2)."""


def load(path: Path | str) -> RunReport:
    """Read, check against the report schema, and rebuild one JSON report."""
    data, locator = read_json(path)
    return from_data(data, str(path), locator.line_at)


def read_json(path: Path | str) -> tuple[Any, Locator]:
    """A report file's JSON data and its locator, read as a saved report is (stored.files:
    a regular file, size and depth limits); ReportFileError naming the file and line."""
    try:
        return stored.read_json(path, stored.SAVED_REPORT)
    except stored.StoredFileError as exc:
        raise ReportFileError(str(exc)) from None


def from_data(data: Any, where: str = "<report>", line_at: Callable[[Sequence[Any]], int] | None = None) -> RunReport:
    """The RunReport a JSON report's data describes (`line_at`: the data path's line in the file)."""
    source = stored.Source(where, line_at)
    try:
        schemas.check(data, SCHEMA, source, "wbimage-conformance JSON report")
        shard = data.get("shard")
        if shard and shard["index"] > shard["count"]:
            raise schemas.refusal(source, ["shard", "index"], f"shard {shard['index']} of {shard['count']} does not exist")
    except stored.StoredFileError as exc:
        raise ReportFileError(str(exc)) from None
    report = RunReport(
        environment=Environment(**{key: value for key, value in data["environment"].items()
                                   if key in Environment.__dataclass_fields__}),
        results=tuple(_result(r) for r in data["results"]),
        shard=Shard(shard["index"], shard["count"], tuple(shard["selection"])) if shard else None,
        not_run=tuple(data.get("not_run", ())),
        interrupted=data.get("interrupted"),
        saved_causes=tuple(_cause(c) for c in data.get("causes", ())),
    )
    if summary.totals(report).as_dict() != data["summary"]:
        raise ReportFileError(f"{where}: its summary does not match its results; was it edited by hand?")
    return report


def _cause(data: dict[str, Any]) -> SavedCause:
    return SavedCause(data["id"], data["title"], data["hint"], tuple(data["clauses"]),
                      tuple(data["explains"]), tuple(data["together"]))


def _result(data: dict[str, Any]) -> Result:
    case = Case(
        id=data["id"], title=data["title"], clauses=tuple(data["clauses"]), level=data["level"],
        input={}, call={}, expect=None, allowed=(), file=data["file"], line=data["line"],
    )
    duration = data["duration_s"]
    return Result(
        case=case,
        status=Status(data["status"]),
        mismatches=tuple(_mismatch(m) for m in data["mismatches"]),
        message=data["message"],
        reproduction_source=data["reproduction"],
        duration_s=float(duration),
        expectation_reason=data["expectation_reason"],
    )


def _mismatch(data: dict[str, Any]) -> Mismatch:
    return Mismatch(
        field=data["field"],
        expected=value(data["expected"]),
        actual=value(data["actual"]),
        detail=value(data["detail"]),
        description=data["description"],
    )


def value(data: Any) -> Any:
    """A saved value as it was: small arrays and bytes rebuilt, everything else as saved."""
    if isinstance(data, dict):
        if data.get("kind") == "ndarray" and "values" in data:
            array = _array(data)
            if array is not None:
                return array
        if data.get("kind") == "bytes" and set(data) == {"kind", "base64"}:
            return base64.b64decode(data["base64"])
        return {key: value(item) for key, item in data.items()}
    if isinstance(data, list):
        return [value(item) for item in data]
    return data


def _array(data: dict[str, Any]) -> np.ndarray | None:
    """The array a saved {kind: ndarray, ...} holds in full, or None when it cannot be rebuilt
    exactly (a plain dtype, at most SMALL_ARRAY_LIMIT elements, bytes that hash to the saved
    sha256)."""
    shape = data.get("shape")
    if data.get("dtype") not in PLAIN_DTYPES or not isinstance(shape, list) or math.prod(shape) > SMALL_ARRAY_LIMIT:
        return None
    try:
        dtype = np.dtype(data["dtype"])
        values = _finite_or_not(data["values"]) if dtype.kind in "fc" else data["values"]
        array = np.array(values, dtype=dtype).reshape(data["shape"])
    except (TypeError, ValueError, KeyError, MemoryError):
        return None
    if data.get("sha256") is None or array_digest(array) != data["sha256"]:
        return None
    return array


def _finite_or_not(values: Any) -> Any:
    """NaN and infinities, which the JSON report spells as strings, as floats again."""
    if isinstance(values, list):
        return [_finite_or_not(v) for v in values]
    return _NON_FINITE.get(values, values) if isinstance(values, str) else values
