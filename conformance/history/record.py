"""A release's run in its saved form: small, stable, and diffable.

A full JSON report of a release is a few MB (every mismatch's values); a history needs per case
only the status, the causes triage found for it, the case's first clause (its family) and a
fingerprint of the case as it was written, so that a later, changed case is never compared with
an old result. The file is JSON with one case per line and sorted keys, no timestamps: the same
run gives the same bytes, and `git diff` of two regenerations shows which cases changed.
Measured on the 40 releases 0.19.0 - 0.31.0: 65 KB per release, 2.6 MB in all, which git packs
into 37 KB (releases differ in few lines, so they are stored as deltas); the same files gzipped
are 570 KB and pack into 350 KB, because compressed files leave git nothing to delta.

    {"format": 1, "implementation": "wandb", "version": "0.25.0",
     "environment": {"python": ..., "numpy": ..., "pillow": ..., "torch": ..., "platform": ...,
                     "sandbox": ..., "suite_version": ..., "case_set_digest": ...},
     "causes": [{"id": ..., "title": ..., "clauses": [...]}, ...],
     "cases": [[case id, status, first clause, fingerprint, [cause index, ...]], ...]}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case, Environment, Result, Status

FORMAT = 1
STATUSES = frozenset(s.value for s in Status)
ENVIRONMENT_KEYS = ("python", "numpy", "pillow", "torch", "platform", "sandbox", "suite_version", "case_set_digest")


class SavedRunError(ConfigurationError):
    """A saved run that cannot be read (exit code 2): the message names the file and the field."""


@dataclass(frozen=True)
class RunCause:
    id: str
    title: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class CaseOutcome:
    """What one case gave on one release."""

    case_id: str
    status: str
    clause: str
    fingerprint: str
    causes: tuple[int, ...] = ()     # indices into SavedRun.causes

    @property
    def family(self) -> str:
        return self.clause.split(".")[0]


@dataclass(frozen=True)
class SavedRun:
    implementation: str
    version: str
    environment: dict[str, str | None]
    causes: tuple[RunCause, ...]
    cases: tuple[CaseOutcome, ...]
    path: str = ""
    _by_id: dict[str, CaseOutcome] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update((c.case_id, c) for c in self.cases)

    def outcome(self, case_id: str) -> CaseOutcome | None:
        return self._by_id.get(case_id)

    def cause_titles(self, outcome: CaseOutcome) -> tuple[str, ...]:
        return tuple(self.causes[i].title for i in outcome.causes)

    def cause_ids(self, outcome: CaseOutcome) -> tuple[str, ...]:
        return tuple(self.causes[i].id for i in outcome.causes)

    @property
    def label(self) -> str:
        return f"{self.implementation} {self.version}"


def fingerprint(case: Case) -> str:
    """12 hex digits of the case as written (title, clauses, level, input, call, expect,
    allowed): a change to any of them gives another fingerprint."""
    written = {"title": case.title, "clauses": list(case.clauses), "level": case.level, "input": case.input,
               "call": case.call, "expect": case.expect, "allowed": list(case.allowed)}
    text = json.dumps(written, sort_keys=True, default=repr, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


def from_results(results: Sequence[Result], environment: Environment,
                 causes: Iterable[tuple[str, str, Sequence[str], Sequence[str]]]) -> SavedRun:
    """A run's record. `causes` are (id, title, clauses, case ids explained), as triage found
    them; a case may be explained by more than one (two bugs at once)."""
    saved_causes: list[RunCause] = []
    explained: dict[str, list[int]] = {}
    for index, (cause_id, title, clauses, case_ids) in enumerate(causes):
        saved_causes.append(RunCause(cause_id, title, tuple(clauses)))
        for case_id in case_ids:
            explained.setdefault(case_id, []).append(index)
    cases = tuple(CaseOutcome(r.case.id, r.status.value, r.case.clauses[0] if r.case.clauses else "none",
                              fingerprint(r.case), tuple(explained.get(r.case.id, ())))
                  for r in results)
    env = asdict(environment)
    return SavedRun(environment.implementation, environment.implementation_version or "unknown",
                    {k: env.get(k) for k in ENVIRONMENT_KEYS}, tuple(saved_causes), cases)


def file_name(implementation: str, version: str) -> str:
    return f"{implementation}-{version}.json"


def dumps(run: SavedRun) -> str:
    head = {"format": FORMAT, "implementation": run.implementation, "version": run.version,
            "environment": run.environment}
    lines = ["{" + json.dumps(head, sort_keys=True)[1:-1] + ","]
    lines.append(' "causes": [')
    causes = [json.dumps({"id": c.id, "title": c.title, "clauses": list(c.clauses)}, sort_keys=True, ensure_ascii=False)
              for c in run.causes]
    lines.append(",\n".join("  " + c for c in causes))
    lines.append(' ],')
    lines.append(' "cases": [')
    rows = [json.dumps([c.case_id, c.status, c.clause, c.fingerprint, list(c.causes)], ensure_ascii=False)
            for c in run.cases]
    lines.append(",\n".join("  " + r for r in rows))
    lines.append(" ]}")
    return "\n".join(line for line in lines if line) + "\n"


def write(run: SavedRun, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name(run.implementation, run.version)
    target.write_text(dumps(run), encoding="utf-8")
    return target


def load(path: Path | str) -> SavedRun:
    """Read and check one saved run; SavedRunError names the file and what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SavedRunError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SavedRunError(f"{path}: not a saved run: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SavedRunError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    return from_data(data, str(path), Path(path).read_text(encoding="utf-8"))


def _line_of(text: str, needle: str) -> int:
    """The line of the saved file where a case's row starts (0: not found)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("[" + needle):
            return number
    return 0


class _RowPlace:
    """Where a case row is, `file:line`, looked up only when a message says it: looking it up
    for every row made reading a saved run quadratic in its length (1.5 s per 757-case file)."""

    def __init__(self, where: str, text: str, row: Any) -> None:
        self.where, self.text, self.row = where, text, row

    def __str__(self) -> str:
        if isinstance(self.row, list) and self.row and isinstance(self.row[0], str):
            line = _line_of(self.text, json.dumps(self.row[0], ensure_ascii=False))
            if line:
                return f"{self.where}:{line}"
        return self.where


def _need(condition: bool, where: str | _RowPlace, message: str) -> None:
    if not condition:
        raise SavedRunError(f"{where}: {message}")


def from_data(data: Any, where: str, text: str = "") -> SavedRun:
    _need(isinstance(data, dict), where, "not a saved run: expected a JSON object")
    _need(data.get("format") == FORMAT, where, f"format: expected {FORMAT}, got {data.get('format')!r}")
    for key in ("implementation", "version"):
        _need(isinstance(data.get(key), str) and bool(data[key]), where, f"{key}: expected a non-empty string")
    env = data.get("environment")
    _need(isinstance(env, dict), where, "environment: expected an object")
    for key in ENVIRONMENT_KEYS:
        _need(key in env and (env[key] is None or isinstance(env[key], str)), where,
              f"environment.{key}: expected a string or null")
    causes = []
    raw_causes = data.get("causes")
    _need(isinstance(raw_causes, list), where, "causes: expected a list")
    for index, item in enumerate(raw_causes):
        ok = (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("title"), str)
              and isinstance(item.get("clauses"), list) and all(isinstance(c, str) for c in item["clauses"]))
        _need(ok, where, f"causes[{index}]: expected {{id, title, clauses}}")
        causes.append(RunCause(item["id"], item["title"], tuple(item["clauses"])))
    cases = []
    raw_cases = data.get("cases")
    _need(isinstance(raw_cases, list), where, "cases: expected a list")
    seen: set[str] = set()
    for index, row in enumerate(raw_cases):
        at = _RowPlace(where, text, row)
        ok = (isinstance(row, list) and len(row) == 5 and all(isinstance(v, str) for v in row[:4])
              and isinstance(row[4], list) and all(isinstance(i, int) and 0 <= i < len(causes) for i in row[4]))
        _need(ok, at, f"cases[{index}]: expected [id, status, clause, fingerprint, [cause index, ...]]")
        _need(row[1] in STATUSES, at, f"cases[{index}] ({row[0]}): status {row[1]!r} is not one of "
              f"{', '.join(sorted(STATUSES))}")
        _need(row[0] not in seen, at, f"cases[{index}]: case {row[0]} appears twice")
        seen.add(row[0])
        cases.append(CaseOutcome(row[0], row[1], row[2], row[3], tuple(row[4])))
    return SavedRun(data["implementation"], data["version"], dict(env), tuple(causes), tuple(cases), where)


def load_folder(folder: Path | str, implementation: str = "wandb") -> list[SavedRun]:
    """Every saved run of `implementation` in `folder`, oldest release first."""
    from packaging.version import Version

    runs = [load(p) for p in sorted(Path(folder).glob(f"{implementation}-*.json"))]
    return sorted(runs, key=lambda r: Version(r.version))
