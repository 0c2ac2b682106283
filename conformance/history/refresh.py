"""Bring the shipped measurements up to the current cases, running only what changed.

For each release: the cases its saved run lacks or holds in another version (by fingerprint,
cases.fingerprints) are run in the release's virtualenv, triaged, and merged into the saved
run; removed cases are dropped; a release whose run is current is not installed at all. The
release's expectations file (`wandb-X.yaml`) is drafted again from the same results, keeping
the entries of unchanged cases. Every other measured artifact that cannot be measured here
(expectations under another Pillow or of another tracker, the compatibility matrix, the
performance tables) is restated: the cases new or changed since it was measured are listed as
pending, so it never claims what it did not measure.

What an artifact measured, case by case, is found through the saved runs: every refresh leaves
all artifacts stating the same cases, and a saved run keeps each case's fingerprint, so the
run whose set fingerprint an artifact states gives that artifact's cases.

Triage names a new case's causes among the new results only; the release rules decide case by
case, so this matters only for generic hypotheses, which check a cause against the run's other
unexpected results.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from wbimage_conformance.cases.fingerprints import (
    Difference,
    Measured,
    difference,
    disagreement,
    of_cases,
    set_fingerprint,
)
from wbimage_conformance.history import collect, drafting, record, staleness
from wbimage_conformance.history.record import CaseOutcome, SavedRun
from wbimage_conformance.model import Case, Environment, Result
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.stored import writing

Log = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    runs_dir: Path
    expectations_dir: Path
    jobs: int = 1
    timeout: float = collect.DEFAULT_TIMEOUT
    sandbox_mode: str = "auto"


@dataclass
class ReleaseOutcome:
    """What the refresh did for one release."""

    version: str
    change: Difference
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def measured_cases(run: SavedRun) -> dict[str, str]:
    """case id -> fingerprint of the cases `run` really measured (its pending ones left out)."""
    pending = set(run.pending)
    return {k: v for k, v in run.fingerprints().items() if k not in pending}


def known_sets(runs: Iterable[SavedRun]) -> dict[str, dict[str, str]]:
    """set fingerprint -> the cases behind it, from saved runs (before they are refreshed)."""
    return {set_fingerprint(cases): cases for cases in map(measured_cases, runs)}


def to_run(saved: SavedRun | None, current: Mapping[str, str]) -> Difference:
    """The cases a release must run: all without a saved run; else the new, changed and pending ones."""
    if saved is None:
        return Difference(added=tuple(current))
    change = difference(measured_cases(saved), current)
    pending = tuple(c for c in saved.pending if c in current and c not in change.to_run)
    return replace(change, changed=change.changed + pending)


def merge(saved: SavedRun | None, fresh: SavedRun, order: Sequence[str], case_set_digest: str) -> SavedRun:
    """`saved` with the rows of `fresh` in place of its own, rows of removed cases dropped, rows
    in the current case order; causes kept once each."""
    if saved is None:
        return fresh
    causes = list(saved.causes)
    index = {cause: i for i, cause in enumerate(causes)}
    for cause in fresh.causes:
        if cause not in index:
            index[cause] = len(causes)
            causes.append(cause)
    rows: dict[str, CaseOutcome] = {c.case_id: c for c in saved.cases}
    for row in fresh.cases:
        rows[row.case_id] = replace(row, causes=tuple(index[fresh.causes[i]] for i in row.causes))
    cases = tuple(rows[case_id] for case_id in order if case_id in rows)
    used = sorted({i for row in cases for i in row.causes})
    renumber = {old: new for new, old in enumerate(used)}
    cases = tuple(replace(row, causes=tuple(renumber[i] for i in row.causes)) for row in cases)
    environment = {**saved.environment, "case_set_digest": case_set_digest}
    return SavedRun(saved.implementation, saved.version, environment, tuple(causes[i] for i in used), cases)


def pending_for(stated_set: str, stated_pending: Iterable[str], sets: Mapping[str, Mapping[str, str]],
                current: Mapping[str, str]) -> tuple[str, ...]:
    """The current cases an artifact has not measured: those new or changed since the case set
    it states (all of them when that set is unknown), and those it already had pending."""
    before = sets.get(stated_set)
    if before is None:
        return tuple(current)
    return tuple(dict.fromkeys([*difference(before, current).to_run, *(c for c in stated_pending if c in current)]))


def restate_expectations(path: Path, sets: Mapping[str, Mapping[str, str]], current: Mapping[str, str],
                         case_set_digest: str = "") -> tuple[expectation_files.Expectations, bool]:
    """Restate one expectations file that was not drafted again: what it states now, and
    whether it was rewritten."""
    loaded = expectation_files.load(path)
    stated = loaded.measured
    if stated is None and case_set_digest and drafted_on_files(path) == case_set_digest:
        new = drafting.adopted(loaded, current)
        drafting.write(new, path)
        return new, True
    if stated is None:
        pending = tuple(current)
    elif disagreement(Measured(stated.cases, stated.fingerprints, stated.pending), current) is None:
        return loaded, False
    else:
        pending = pending_for(stated.fingerprints, stated.pending, sets, current)
    new = drafting.restated(loaded, current, pending)
    if new == loaded:
        return loaded, False
    drafting.write(new, path)
    return new, True


def drafted_on_files(path: Path) -> str | None:
    """The case files' digest a file drafted before fingerprints names in its header
    (`# Case set sha256:...`), if any."""
    match = re.search(r"^# Case set (sha256:[0-9a-f]{64})", drafting.leading_comments(path), re.MULTILINE)
    return match[1] if match else None


def restate_page(path: Path, sets: Mapping[str, Mapping[str, str]], current: Mapping[str, str],
                 pending: Iterable[str] | None = None) -> bool:
    """Restate the markers of one page (history.staleness) whose figures were not measured
    again: as `pending` says, else by the case set the page states; whether it changed."""
    text = path.read_text(encoding="utf-8")
    stated = [m.measured for m in staleness.markers(text) if m.measured is not None]
    if not stated or (pending is None and all(disagreement(m, current) is None for m in stated)):
        return False
    if pending is None:
        pending = pending_for(stated[0].fingerprints, stated[0].pending, sets, current)
    new = staleness.restate(text, Measured.of(current, pending))
    if new == text:
        return False
    writing.replace_text(path, new)
    return True


def empty_run(saved: SavedRun) -> SavedRun:
    """A fresh run of no case: merged, it only drops the removed cases."""
    return SavedRun(saved.implementation, saved.version, saved.environment, (), ())


def release_expectations(folder: Path, version: str, implementation: str = "wandb") -> Path | None:
    """The expectations file measured like the saved runs (the base virtualenv's Pillow), if shipped."""
    path = folder / f"{implementation}-{version}.yaml"
    return path if path.is_file() else None


def redraft(path: Path, results: Sequence[Result], environment: Environment, current: Mapping[str, str],
            change: Difference, command: str) -> list[str]:
    """Draft `path` again from the new results, keeping the entries of unchanged cases; where
    that fails (a deviation no rule explains), restate it with the cases run listed as pending."""
    previous = expectation_files.load(path)
    stale_pending = [c for c in (previous.measured.pending if previous.measured else ()) if c not in change.to_run]
    expected, problems = drafting.draft(results, environment, current, previous, stale_pending)
    if expected is None:
        drafting.write(drafting.restated(previous, current, [*change.to_run, *stale_pending]), path)
        return problems
    drafting.write(expected, path, drafting.header(environment, path.stem, command))
    return []



def refresh_release(version: str, saved: SavedRun | None, cases: Sequence[Case], case_set_digest: str,
                    options: Options, python_for: Callable[[str], Path]) -> ReleaseOutcome:
    """Run what `version`'s saved run lacks, merge it in, draft the release's expectations again."""
    current = of_cases(cases)
    outcome = ReleaseOutcome(version, to_run(saved, current))
    if not outcome.change:
        return outcome
    start = time.monotonic()
    results: list[Result] = []
    if outcome.change.to_run:
        python = python_for(version)
        chosen = set(outcome.change.to_run)
        results, environment, fresh = collect.run_cases(python, [c for c in cases if c.id in chosen], case_set_digest,
                                                jobs=options.jobs, timeout=options.timeout,
                                                sandbox_mode=options.sandbox_mode)
        if fresh.version != version:
            outcome.problems.append(f"the worker reported version {fresh.version}; nothing saved")
            return outcome
    else:
        assert saved is not None
        fresh = empty_run(saved)
    merged = merge(saved, fresh, [c.id for c in cases], case_set_digest)
    outcome.written.append(record.write(merged, options.runs_dir))
    path = release_expectations(options.expectations_dir, version)
    if path is not None and results:
        outcome.problems += redraft(path, results, environment, current, outcome.change, collect.impl_for(python))
        outcome.written.append(path)
    outcome.seconds = time.monotonic() - start
    return outcome


def draft_named(impl: str, target: Path, cases: Sequence[Case], case_set_digest: str, options: Options,
                sets: Mapping[str, Mapping[str, str]]) -> tuple[int, list[str]]:
    """Draft the expectations file `target` for any implementation `run` accepts, running only
    the cases it lacks when the case set it states is known (all of them otherwise): how many
    cases ran, and the problems that kept it from being written."""
    current = of_cases(cases)
    previous = expectation_files.load(target) if target.is_file() else None
    stated = previous.measured if previous is not None else None
    wanted = set(pending_for(stated.fingerprints, stated.pending, sets, current) if stated else current)
    chosen = [c for c in cases if c.id in wanted]
    outcome = collect.run_raw(impl, chosen, case_set_digest, jobs=options.jobs, timeout=options.timeout,
                              sandbox_mode=options.sandbox_mode)
    results, environment = list(outcome.raw), outcome.environment
    expected, problems = drafting.draft(results, environment, current, previous)
    if expected is None:
        return len(chosen), problems
    drafting.write(expected, target, drafting.header(environment, target.stem, impl, drafted_alone=True))
    return len(chosen), []
