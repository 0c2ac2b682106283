"""Does each shipped measurement say which cases it was measured on, truthfully?

Every measured artifact states its cases (cases.fingerprints): a saved run per case, an
expectations file per entry and as a set fingerprint, a generated page or a performance table
with a marker line. An artifact is stale *and silent* when a case was added, changed or removed
since it was measured and it does not list that case as pending; that is what this finds.
A page marker may instead declare itself measured on an older case set (a figure kept as
history), which is saying so.

    <!-- measured: 757 cases, fp1:0123456789abcdef -->
    <!-- measured: 757 cases, fp1:0123456789abcdef; pending: case-a, case-b -->
    <!-- measured: 713 cases, an older case set -->
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wbimage_conformance.cases.fingerprints import Measured, difference, disagreement
from wbimage_conformance.history import record
from wbimage_conformance.run import expectations as expectation_files

OLDER = "an older case set"
_MARKER = re.compile(r"<!-- measured: (?P<cases>\d+) cases, (?P<set>fp1:[0-9a-f]{16}|" + OLDER
                     + r")(?:; pending: (?P<pending>[a-z0-9._, -]+))? -->")
#: The generated pages that state their cases, relative to the docs folder.
PAGES = ("compatibility.md", "findings.md", "history.md", "performance.md")


@dataclass(frozen=True)
class PageMarker:
    line: int
    measured: Measured | None     # None: declared measured on an older case set


def measured_by_runs(runs: Sequence[record.SavedRun]) -> Measured:
    """What pages made from `runs` measured: the cases every run holds in the same version; the
    others, and any run's pending cases, pending."""
    held = [{k: v for k, v in run.fingerprints().items() if k not in set(run.pending)} for run in runs]
    return Measured.common_to(held, (k for run in runs for k in run.pending))


def markers(text: str) -> list[PageMarker]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _MARKER.search(line)
        if match is None:
            continue
        if match["set"] == OLDER:
            found.append(PageMarker(number, None))
            continue
        pending = tuple(p.strip() for p in (match["pending"] or "").split(",") if p.strip())
        found.append(PageMarker(number, Measured(int(match["cases"]), match["set"], pending)))
    return found


def restate(text: str, measured: Measured) -> str:
    """`text` with every marker that states a case set (not an older one) stating `measured`."""
    def replace(match: re.Match[str]) -> str:
        return match[0] if match["set"] == OLDER else measured.marker()
    return _MARKER.sub(replace, text)


def check_page(path: Path, current: Mapping[str, str]) -> list[str]:
    """Problems of one page: no marker, or a marker stating a case set that is not the current one."""
    found = markers(path.read_text(encoding="utf-8"))
    if not found:
        return [f"{path}: no line `<!-- measured: N cases, fp1:... -->` says which cases its figures were measured on"]
    return [f"{path}:{m.line}: {why}" for m in found if m.measured is not None
            for why in [disagreement(m.measured, current)] if why]


def check_expectations(path: Path, current: Mapping[str, str]) -> list[str]:
    """Problems of one expectations file: no `measured`, a false one, or an entry measured on
    another version of its case without that case being pending."""
    loaded = expectation_files.load(path)
    if loaded.measured is None:
        return [f"{path}: no `measured` block says which cases it was drafted from"]
    stated = Measured(loaded.measured.cases, loaded.measured.fingerprints, loaded.measured.pending)
    problems = [f"{path}: measured: {why}" for why in [disagreement(stated, current)] if why]
    pending = set(stated.pending)
    for case_id, entry in loaded.deviations.items():
        if case_id in pending:
            continue
        if case_id not in current:
            problems.append(f"{path}: deviations.{case_id}: no such case now (removed since it was measured)")
        elif entry.fingerprint != current[case_id]:
            problems.append(f"{path}: deviations.{case_id}: measured as {entry.fingerprint}, the case is "
                            f"{current[case_id]} now, and it is not pending")
    return problems


def check_record(path: Path, current: Mapping[str, str]) -> list[str]:
    """Problems of one saved run: cases new, changed or removed since, not listed as pending."""
    run = record.load(path)
    pending = set(run.pending)
    changes = difference(run.fingerprints(), current)
    silent = [c for c in changes.to_run if c not in pending]
    problems = [f"{path}: case {c} is {'new' if c in changes.added else 'changed'} since this run and not pending"
                for c in silent[:10]]
    if len(silent) > 10:
        problems.append(f"{path}: and {len(silent) - 10} more case(s) new or changed and not pending")
    problems += [f"{path}: case {c} no longer exists" for c in changes.removed[:10]]
    problems += [f"{path}: pending case {c} does not exist" for c in run.pending if c not in current][:10]
    return problems


def check_shipped(expectations_dir: Path, runs_dir: Path, docs_dir: Path | None,
                  current: Mapping[str, str]) -> list[str]:
    """Every problem of the shipped artifacts: expectations files, saved runs and (in a
    checkout) the generated pages."""
    problems = []
    for path in sorted(expectations_dir.glob("*.yaml")):
        problems += check_expectations(path, current)
    for path in sorted(runs_dir.glob("*-*.json")):
        problems += check_record(path, current)
    if docs_dir is not None:
        for name in PAGES:
            problems += check_page(docs_dir / name, current)
    return problems
