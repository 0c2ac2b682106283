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
     "cases": [[case id, status, first clause, fingerprint, [cause index, ...]], ...],
     "pending": [case id, ...]}

`pending` (left out when empty) lists the current cases the run has not measured yet: added or
changed since, where a refresh could not run them (cases.fingerprints says why that matters).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from wbimage_conformance import stored
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.cases.fingerprints import fingerprint
from wbimage_conformance.model import Environment, Result
from wbimage_conformance.report.terminal import one_line
from wbimage_conformance.stored import schemas, writing

FORMAT = 1
SCHEMA = "history-record.schema.json"
#: The fields of a row of `cases`, in order.
ROW_FIELDS = ("id", "status", "clause", "fingerprint", "causes")
#: The longest title or environment value a record keeps (history-record.schema.json: text).
MAX_TEXT = 2000
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
    pending: tuple[str, ...] = ()
    _by_id: dict[str, CaseOutcome] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update((c.case_id, c) for c in self.cases)

    def outcome(self, case_id: str) -> CaseOutcome | None:
        return self._by_id.get(case_id)

    def fingerprints(self) -> dict[str, str]:
        """case id -> fingerprint of the case as this run measured it."""
        return {c.case_id: c.fingerprint for c in self.cases}

    def cause_titles(self, outcome: CaseOutcome) -> tuple[str, ...]:
        return tuple(self.causes[i].title for i in outcome.causes)

    def cause_ids(self, outcome: CaseOutcome) -> tuple[str, ...]:
        return tuple(self.causes[i].id for i in outcome.causes)

    @property
    def label(self) -> str:
        return f"{self.implementation} {self.version}"


def from_results(results: Sequence[Result], environment: Environment,
                 causes: Iterable[tuple[str, str, Sequence[str], Sequence[str]]]) -> SavedRun:
    """A run's record. `causes` are (id, title, clauses, case ids explained), as triage found
    them; a case may be explained by more than one (two bugs at once)."""
    saved_causes: list[RunCause] = []
    explained: dict[str, list[int]] = {}
    for index, (cause_id, title, clauses, case_ids) in enumerate(causes):
        saved_causes.append(RunCause(cause_id, _one_line(title) or "", tuple(clauses)))
        for case_id in case_ids:
            explained.setdefault(case_id, []).append(index)
    cases = tuple(CaseOutcome(r.case.id, r.status.value, r.case.clauses[0] if r.case.clauses else "none",
                              fingerprint(r.case), tuple(explained.get(r.case.id, ())))
                  for r in results)
    env = asdict(environment)
    return SavedRun(environment.implementation, environment.implementation_version or "unknown",
                    {k: _one_line(env.get(k)) for k in ENVIRONMENT_KEYS}, tuple(saved_causes), cases)


def _one_line(text: str | None) -> str | None:
    """What the worker reported (its platform, its versions), as the schema keeps it: one line
    of at most MAX_TEXT characters, control and bidi characters shown as escapes, so a record
    written is a record that reads back."""
    return None if text is None else one_line(text)[:MAX_TEXT]


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
    if run.pending:
        lines.append(" ],")
        lines.append(' "pending": ' + json.dumps(list(run.pending)) + "}")
    else:
        lines.append(" ]}")
    return "\n".join(line for line in lines if line) + "\n"


def write(run: SavedRun, folder: Path) -> Path:
    """Save `run` in `folder` (made when missing), replacing any earlier save only once the
    new one is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name(run.implementation, run.version)
    writing.replace_text(target, dumps(run))
    return target


def load(path: Path | str) -> SavedRun:
    """Read and check one saved run; SavedRunError names the file, the line and the field."""
    try:
        data, locator = stored.read_json(path, stored.HISTORY_RECORD)
    except stored.StoredFileError as exc:
        raise SavedRunError(str(exc)) from None
    return from_data(data, str(path), locator.line_at)


def loads(text: str, where: str) -> SavedRun:
    """Read and check a saved run from its text (as packed with the suite: history.packed)."""
    from wbimage_conformance.stored import jsondoc

    try:
        data = jsondoc.parse(text, where, stored.HISTORY_RECORD.max_depth)
    except stored.StoredFileError as exc:
        raise SavedRunError(str(exc)) from None
    return from_data(data, where, jsondoc.Locator(text).line_at)


def from_data(data: Any, where: str, line_at: Callable[[Sequence[Any]], int] | None = None) -> SavedRun:
    """The SavedRun that data checked against history-record.schema.json describes (its PEP
    440 version included), then what a schema cannot say: cause indices in range, each case once."""
    source = stored.Source(where, line_at, lambda path: _field_name(data, path))
    try:
        schemas.check(data, SCHEMA, source, "history record")
        causes = tuple(RunCause(c["id"], c["title"], tuple(c["clauses"])) for c in data["causes"])
        cases = _outcomes(data["cases"], len(causes), source)
    except stored.StoredFileError as exc:
        raise SavedRunError(str(exc)) from None
    return SavedRun(data["implementation"], data["version"], dict(data["environment"]), causes, cases, where,
                    tuple(data.get("pending", ())))


def _field_name(data: Any, path: Sequence[Any]) -> str:
    """A data path as a field name; inside `cases`, the row's field by name and its case id."""
    if len(path) < 2 or path[0] != "cases" or not isinstance(path[1], int):
        return schemas.dotted(path)
    named = [*path[:2], ROW_FIELDS[path[2]], *path[3:]] if len(path) > 2 and path[2] < len(ROW_FIELDS) else path
    row = data["cases"][path[1]]
    known = isinstance(row, list) and row and isinstance(row[0], str)
    return schemas.dotted(named) + (f" (case {row[0][:200]})" if known else "")


def _outcomes(rows: list[list[Any]], cause_count: int, source: stored.Source) -> tuple[CaseOutcome, ...]:
    """The rows of `cases` (their shape checked by the schema): cause indices in range, each case once."""
    seen: set[str] = set()
    cases = []
    for index, (case_id, status, clause, digest, indices) in enumerate(rows):
        if any(i >= cause_count for i in indices):
            raise schemas.refusal(source, ["cases", index, 4], f"a cause index past the {cause_count} cause(s) listed")
        if case_id in seen:
            raise schemas.refusal(source, ["cases", index, 0], f"case {case_id} appears twice")
        seen.add(case_id)
        cases.append(CaseOutcome(case_id, status, clause, digest, tuple(indices)))
    return tuple(cases)


def load_folder(folder: Path | str, implementation: str = "wandb") -> list[SavedRun]:
    """Every saved run of `implementation` in `folder`, oldest release first."""
    runs = [load(p) for p in sorted(Path(folder).glob(f"{implementation}-*.json"))]
    return sorted(runs, key=lambda r: Version(r.version))
