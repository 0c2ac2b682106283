"""Known deviations of an implementation, and how they turn raw verdicts into final ones.

An expectations file is YAML:

    implementation: wandb            # must equal the name the implementation reports
    versions: ">=0.20.1,<0.29"       # the releases it describes (PEP 440); must include the one run
    environment:                     # what it was drafted under, as the worker reported it
      numpy: 2.4.6
      pillow: 12.3.0
      torch: 2.13.0+cpu              # null: drafted without torch
    deviations:
      norm-disabled-wraps:
        status: failed               # failed | error | crash | timeout | skipped
        reason: "normalize=False wraps instead of clipping"
        clause: norm.disabled
        fingerprint: 3f0c9a1b2d4e    # the case as measured (cases.fingerprints)
    measured:                        # the cases it was drafted from
      cases: 757
      fingerprints: fp1:0123456789abcdef
      pending: []                    # current cases not measured yet (new or changed since)

`measured` and the entries' fingerprints are what a refresh (`wbimage-conformance refresh`)
and the staleness test read; the run itself does not need them.

Strict by design, so a stale file cannot hide anything: a listed case that passes is
`xpassed` (unexpected), a listed case with another bad status keeps that status (unexpected),
an entry naming no case, another implementation, or a version range that excludes the
implementation's version is a configuration error. So is a run whose worker has another major
version of NumPy, Pillow or torch than the file was drafted under (Pillow 12 and 13 give
different pixels for the same wandb release), or has torch where the file was drafted without
it; a run without the torch the file was drafted with only warns (the tensor cases are
skipped, so their entries cannot be checked).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from wbimage_conformance import stored, yamlsource
from wbimage_conformance.cases.fingerprints import fingerprint
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Environment, Result, Status
from wbimage_conformance.stored import schemas, writing

#: Expectations shipped with the suite, found by name: `--expectations wandb-0.25`.
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "expectations"
DEVIATION_STATUSES = (Status.FAILED, Status.ERROR, Status.CRASH, Status.TIMEOUT, Status.SKIPPED)
#: The libraries whose version decides pixels, as an environment names them.
LIBRARIES = ("numpy", "pillow", "torch")
_LIBRARY_NAMES = {"numpy": "NumPy", "pillow": "Pillow", "torch": "torch"}
SCHEMA = "expectations.schema.json"


class ExpectationsError(ConfigurationError, ValueError):
    """An expectations file that is malformed or does not fit the run (exit code 2)."""


@dataclass(frozen=True)
class Deviation:
    status: Status
    reason: str
    clause: str | None = None
    fingerprint: str | None = None   # the case as measured


@dataclass(frozen=True)
class Measured:
    """The cases a file was drafted from (cases.fingerprints.Measured, as stored)."""

    cases: int
    fingerprints: str
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expectations:
    implementation: str
    versions: str | None
    deviations: dict[str, Deviation]
    path: str = ""
    #: library -> version it was drafted under (None: not installed); empty when not recorded
    environment: Mapping[str, str | None] = field(default_factory=dict)
    measured: Measured | None = None


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
    """Read and check an expectations file (a path, or a shipped name) as hostile input:
    stored.EXPECTATIONS limits, then the schema; errors name the file, line and field."""
    path = resolve(path)
    try:
        data, located = stored.read_yaml(path, stored.EXPECTATIONS)
    except stored.StoredFileError as exc:
        raise ExpectationsError(str(exc)) from None
    return parse(data, str(path), located)


def parse(data: Any, where: str = "<expectations>", located: yamlsource.Located | None = None) -> Expectations:
    """The expectations that data checked against expectations.schema.json describes (PEP 440
    ranges and versions included); errors name the file, the line (when `located` is given)
    and the field."""
    try:
        schemas.check(data, SCHEMA, stored.Source(where, located.line_at if located else None), "expectations file")
    except stored.StoredFileError as exc:
        raise ExpectationsError(str(exc)) from None
    environment = data.get("environment")
    drafted = {library: _text(environment.get(library)) for library in LIBRARIES} if environment is not None else {}
    deviations = {str(case_id): Deviation(Status(entry["status"]), entry["reason"].strip(), entry.get("clause"),
                                          entry.get("fingerprint"))
                  for case_id, entry in (data.get("deviations") or {}).items()}
    measured = data.get("measured")
    if measured is not None:
        measured = Measured(measured["cases"], measured["fingerprints"], tuple(measured.get("pending") or ()))
    return Expectations(data["implementation"], data.get("versions"), deviations, where, drafted, measured)


def _text(version: Any) -> str | None:
    """A library's version as drafted under (None: not installed); YAML may give it as a number."""
    return None if version is None else str(version)


def check(expectations: Expectations, case_ids: Iterable[str], environment: Environment) -> list[str]:
    """Raise ExpectationsError unless the file fits this case set, implementation and
    environment; return warnings (said, not fatal)."""
    where = expectations.path or "<expectations>"
    implementation, version = environment.implementation, environment.implementation_version
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
    return _environment_warnings(expectations, environment, where)


def _major(version: str) -> int | None:
    try:
        return Version(version).major
    except InvalidVersion:
        return None


def _environment_warnings(expectations: Expectations, environment: Environment, where: str) -> list[str]:
    warnings = []
    for library in LIBRARIES:
        if library not in expectations.environment:
            continue
        drafted, running = expectations.environment[library], getattr(environment, library)
        name = _LIBRARY_NAMES[library]
        if drafted is None and running is None:
            continue
        if drafted is not None and running is None:
            if library == "torch":
                warnings.append(f"{where}: drafted with torch {drafted}; the worker has no torch, so the tensor cases "
                                "are skipped and their entries are not checked")
                continue
            raise ExpectationsError(f"{where}: drafted under {name} {drafted}, but the worker has no {name}")
        if drafted is None:
            raise ExpectationsError(f"{where}: drafted without {name}, but the worker has {name} {running}: "
                                    f"the cases that use {name} were not measured; redraft the file under this environment")
        if _major(drafted) != _major(running):
            raise ExpectationsError(f"{where}: drafted under {name} {drafted}, but the worker has {name} {running}; "
                                    f"{name} {_major(drafted)} and {_major(running)} give different results: use a file "
                                    f"drafted under {name} {_major(running)}, or a worker with {name} {_major(drafted)}")
    return warnings


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


def from_results(results: Sequence[Result], environment: Environment, previous: Expectations | None = None) -> Expectations:
    """Expectations that make `results` (raw verdicts) all expected. Reasons already written
    for a case are kept, and so are entries for cases this run did not include (a run with
    -k updates only what it ran); the version range is kept, or pinned to the version run; the
    environment is the run's."""
    implementation, version = environment.implementation, environment.implementation_version
    ran = {r.case.id for r in results}
    deviations = {k: v for k, v in previous.deviations.items() if k not in ran} if previous else {}
    for result in results:
        if result.status in (Status.PASSED, Status.SKIPPED):
            continue
        old = previous.deviations.get(result.case.id) if previous else None
        reason = old.reason if old else (_first_words(result.message) or result.status.value)
        clause = old.clause if old and old.clause else (result.case.clauses[0] if result.case.clauses else None)
        deviations[result.case.id] = Deviation(result.status, reason, clause, fingerprint(result.case))
    versions = previous.versions if previous and previous.versions else (f"=={version}" if version else None)
    return Expectations(implementation, versions, deviations, environment=recorded_environment(environment))


def _first_words(message: str) -> str:
    """The first line of `message` that says something, cut to 200 characters: a reason."""
    return next((line.strip()[:200] for line in message.splitlines() if line.strip()), "")


def recorded_environment(environment: Environment) -> dict[str, str | None]:
    """What an expectations file records of a run's environment."""
    return {library: getattr(environment, library) for library in LIBRARIES}


def dump(expectations: Expectations) -> str:
    data: dict[str, Any] = {"implementation": expectations.implementation}
    if expectations.versions is not None:
        data["versions"] = expectations.versions
    if expectations.environment:
        data["environment"] = dict(expectations.environment)
    data["deviations"] = {case_id: _entry(d) for case_id, d in expectations.deviations.items()}
    if expectations.measured is not None:
        measured = expectations.measured
        data["measured"] = {"cases": measured.cases, "fingerprints": measured.fingerprints,
                            **({"pending": list(measured.pending)} if measured.pending else {})}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _entry(deviation: Deviation) -> dict[str, str]:
    entry = {"status": deviation.status.value, "reason": deviation.reason}
    if deviation.clause:
        entry["clause"] = deviation.clause
    if deviation.fingerprint:
        entry["fingerprint"] = deviation.fingerprint
    return entry


def write(expectations: Expectations, path: Path | str) -> None:
    """Write the file, replacing the previous one only once the new one is complete."""
    writing.replace_text(path, dump(expectations))


# -- versions -------------------------------------------------------------------------------


def specifier_set(spec: str, where: str = "") -> SpecifierSet:
    """A PEP 440 version range (`>=0.20.1,<0.29`, `==0.28.*`, `~=0.28.0`)."""
    try:
        return SpecifierSet(spec)
    except InvalidSpecifier:
        raise ExpectationsError(f"{where + ': ' if where else ''}cannot read version range {spec!r} "
                                "(PEP 440, e.g. '>=0.20.1,<0.29')") from None


def version_in_range(version: str, spec: str) -> bool:
    """Whether `version` is in the range by PEP 440: `0.29.0rc1` is not in `<0.29`, and
    `0.28.2.post1` is not in `>0.28.2`; a pre-release inside the range counts. A version
    that PEP 440 cannot read is in no range."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return specifier_set(spec).contains(parsed, prereleases=True)
