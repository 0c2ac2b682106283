"""Known deviations of an implementation, and how they turn raw verdicts into final ones.

An expectations file is YAML:

    implementation: wandb            # must equal the name the implementation reports
    versions: ">=0.20.1,<0.29"       # the releases it describes; must include the one run
    deviations:
      norm-disabled-wraps:
        status: failed               # failed | error | crash | timeout | skipped
        reason: "normalize=False wraps instead of clipping"
        clause: norm.disabled

Strict by design, so a stale file cannot hide anything: a listed case that passes is
`xpassed` (unexpected), a listed case with another bad status keeps that status (unexpected),
an entry naming no case, another implementation, or a version range that excludes the
implementation's version is a configuration error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from wbimage_conformance.model import Result, Status

#: Expectations shipped with the suite, found by name: `--expectations wandb-0.25`.
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "expectations"
DEVIATION_STATUSES = (Status.FAILED, Status.ERROR, Status.CRASH, Status.TIMEOUT, Status.SKIPPED)
_FIELDS = {"implementation", "versions", "deviations"}
_ENTRY_FIELDS = {"status", "reason", "clause"}


class ExpectationsError(ValueError):
    """An expectations file that is malformed or does not fit the run (exit code 2)."""


@dataclass(frozen=True)
class Deviation:
    status: Status
    reason: str
    clause: str | None = None


@dataclass(frozen=True)
class Expectations:
    implementation: str
    versions: str | None
    deviations: dict[str, Deviation]
    path: str = ""


# -- reading --------------------------------------------------------------------------------


def resolve(path_or_name: Path | str) -> Path:
    """A file path as given when it exists, else the shipped file of that name."""
    path = Path(path_or_name)
    if not path.exists():
        shipped = SHIPPED_DIR / f"{path_or_name}.yaml"
        if shipped.is_file():
            return shipped
    return path


def load(path: Path | str) -> Expectations:
    """Read and check the structure of an expectations file (a path, or a shipped name)."""
    path = resolve(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExpectationsError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ExpectationsError(f"{path}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return parse(data, str(path))


def parse(data: Any, where: str = "<expectations>") -> Expectations:
    if not isinstance(data, dict):
        raise ExpectationsError(f"{where}: expected a mapping with implementation, versions, deviations")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ExpectationsError(f"{where}: unknown field(s) {sorted(unknown)}; known: {sorted(_FIELDS)}")
    implementation = data.get("implementation")
    if not isinstance(implementation, str) or not implementation:
        raise ExpectationsError(f"{where}: field implementation = {implementation!r}: needs the implementation's name")
    versions = data.get("versions")
    if versions is not None:
        if not isinstance(versions, str):
            raise ExpectationsError(f"{where}: field versions = {versions!r}: needs a string like '>=0.20.1,<0.29'")
        parse_range(versions, where)
    raw = data.get("deviations") or {}
    if not isinstance(raw, dict):
        raise ExpectationsError(f"{where}: field deviations: needs a mapping of case id to entry")
    deviations: dict[str, Deviation] = {}
    allowed = [s.value for s in DEVIATION_STATUSES]
    for case_id, entry in raw.items():
        at = f"{where}: deviations.{case_id}"
        if not isinstance(entry, dict):
            raise ExpectationsError(f"{at}: needs a mapping with status and reason")
        extra = set(entry) - _ENTRY_FIELDS
        if extra:
            raise ExpectationsError(f"{at}: unknown field(s) {sorted(extra)}; known: {sorted(_ENTRY_FIELDS)}")
        status = entry.get("status")
        if status not in allowed:
            raise ExpectationsError(f"{at}.status = {status!r}: must be one of {', '.join(allowed)}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{at}.reason = {reason!r}: needs a sentence saying why")
        clause = entry.get("clause")
        if clause is not None and not isinstance(clause, str):
            raise ExpectationsError(f"{at}.clause = {clause!r}: needs a clause id")
        deviations[str(case_id)] = Deviation(Status(status), reason.strip(), clause)
    return Expectations(implementation, versions, deviations, where)


def check(expectations: Expectations, case_ids: Iterable[str], implementation: str, version: str | None) -> None:
    """Raise ExpectationsError unless the file fits this case set and implementation."""
    where = expectations.path or "<expectations>"
    if expectations.implementation != implementation:
        raise ExpectationsError(
            f"{where}: written for implementation {expectations.implementation!r}, but the run is of {implementation!r}"
        )
    if expectations.versions is not None:
        if version is None:
            raise ExpectationsError(f"{where}: versions {expectations.versions!r} given, but {implementation!r} reports no version")
        if not version_in_range(version, expectations.versions):
            raise ExpectationsError(
                f"{where}: versions {expectations.versions!r} do not include {implementation} {version}"
            )
    known = set(case_ids)
    stale = sorted(c for c in expectations.deviations if c not in known)
    if stale:
        raise ExpectationsError(f"{where}: deviations name case(s) that do not exist: {', '.join(stale)}")


# -- applying -------------------------------------------------------------------------------


def apply_one(expectations: Expectations | None, result: Result) -> Result:
    """The final verdict for one raw result."""
    deviation = expectations.deviations.get(result.case.id) if expectations else None
    if deviation is None:
        return result
    expected = deviation.status
    if result.status is expected:
        status = Status.SKIPPED if expected is Status.SKIPPED else Status.XFAILED
        return replace(result, status=status, expectation_reason=deviation.reason)
    if result.status is Status.PASSED:
        return replace(
            result, status=Status.XPASSED, expectation_reason=deviation.reason,
            message=f"passed, but the expectations say {expected.value}: {deviation.reason}",
        )
    if result.status is Status.SKIPPED:
        return replace(result, expectation_reason=deviation.reason)
    return replace(
        result, expectation_reason=deviation.reason,
        message=f"{result.status.value}, but the expectations say {expected.value}: {result.message}",
    )


def apply(expectations: Expectations | None, results: Sequence[Result]) -> list[Result]:
    return [apply_one(expectations, r) for r in results]


# -- writing --------------------------------------------------------------------------------


def from_results(
    results: Sequence[Result], implementation: str, version: str | None, previous: Expectations | None = None
) -> Expectations:
    """Expectations that make `results` (raw verdicts) all expected. Reasons already written
    for a case are kept, and so are entries for cases this run did not include (a run with
    -k updates only what it ran); the version range is kept, or pinned to the version run."""
    ran = {r.case.id for r in results}
    deviations = {k: v for k, v in previous.deviations.items() if k not in ran} if previous else {}
    for result in results:
        if result.status in (Status.PASSED, Status.SKIPPED):
            continue
        old = previous.deviations.get(result.case.id) if previous else None
        reason = old.reason if old else (result.message.splitlines()[0][:200] if result.message else result.status.value)
        clause = old.clause if old and old.clause else (result.case.clauses[0] if result.case.clauses else None)
        deviations[result.case.id] = Deviation(result.status, reason, clause)
    versions = previous.versions if previous and previous.versions else (f"=={version}" if version else None)
    return Expectations(implementation, versions, deviations)


def dump(expectations: Expectations) -> str:
    data: dict[str, Any] = {"implementation": expectations.implementation}
    if expectations.versions is not None:
        data["versions"] = expectations.versions
    data["deviations"] = {
        case_id: {"status": d.status.value, "reason": d.reason, **({"clause": d.clause} if d.clause else {})}
        for case_id, d in expectations.deviations.items()
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write(expectations: Expectations, path: Path | str) -> None:
    Path(path).write_text(dump(expectations), encoding="utf-8")


# -- versions -------------------------------------------------------------------------------

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-_.]?(dev|a|alpha|b|beta|c|rc|pre|preview|post)[-_.]?(\d*))?(?:\+.*)?$", re.I)
_PHASE = {"dev": -4, "a": -3, "alpha": -3, "b": -2, "beta": -2, "c": -1, "rc": -1, "pre": -1, "preview": -1, "post": 1}
_CLAUSE = re.compile(r"^(>=|<=|==|!=|~=|>|<)\s*(\S+)$")


def version_key(version: str, where: str = "") -> tuple[Any, ...]:
    """A sortable key with PEP 440's order for the common forms (1.2, 1.2rc1, 1.2.post1,
    1.2.dev0, 1.2+local)."""
    match = _VERSION.match(version.strip())
    if match is None:
        raise ExpectationsError(f"{where + ': ' if where else ''}cannot read version {version!r}")
    release = tuple(int(p) for p in match.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    phase = _PHASE[match.group(2).lower()] if match.group(2) else 0
    return release, phase, int(match.group(3) or 0)


def parse_range(spec: str, where: str = "") -> list[tuple[str, str]]:
    clauses = []
    for part in spec.split(","):
        match = _CLAUSE.match(part.strip())
        if match is None:
            raise ExpectationsError(f"{where + ': ' if where else ''}cannot read version range {spec!r} at {part.strip()!r}")
        if match.group(2).endswith(".*"):
            if match.group(1) not in ("==", "!="):
                raise ExpectationsError(f"{where + ': ' if where else ''}'.*' works with == and != only: {part.strip()!r}")
            version_key(match.group(2)[:-2], where)
        else:
            version_key(match.group(2), where)
        clauses.append((match.group(1), match.group(2)))
    return clauses


def _prefix_match(version: str, pattern: str) -> bool:
    want = [int(p) for p in pattern[:-2].split(".")]
    have = list(version_key(version)[0]) + [0] * len(want)
    return have[: len(want)] == want


def version_in_range(version: str, spec: str) -> bool:
    """Whether `version` satisfies every comma-separated clause of `spec` (>=, <=, >, <,
    ==, != with optional `.*`, and ~=)."""
    key = version_key(version)
    for op, bound in parse_range(spec):
        if bound.endswith(".*"):
            ok = _prefix_match(version, bound)
            if (op == "==" and not ok) or (op == "!=" and ok):
                return False
            continue
        other = version_key(bound)
        if op == "~=":
            parts = bound.split(".")
            if key < other or not _prefix_match(version, ".".join(parts[:-1]) + ".*"):
                return False
            continue
        ok = {">=": key >= other, "<=": key <= other, ">": key > other, "<": key < other,
              "==": key == other, "!=": key != other}[op]
        if not ok:
            return False
    return True
