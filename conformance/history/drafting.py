"""The shipped expectations file of a release, drafted from its results.

Every case the release does not pass (and that is not skipped) gets an entry with its status,
the clause it breaks, a one-sentence reason from the release rules (the cause, then what was
observed) and the fingerprint of the case as run. A deviation no rule explains is not written:
write a rule first. Drafting can start from the previous file: entries of cases that were not
run again and are written as they were measured are kept, so a refresh runs only the cases that
are new or changed. The file is pinned to the one version run (`==X`), records the NumPy,
Pillow and torch it ran with, and states the cases it was drafted from (`measured`). Before
writing, the two properties every shipped file has are checked on what was run: with it, the
run is all as expected, and every entry is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from wbimage_conformance.cases.fingerprints import Measured, fingerprint
from wbimage_conformance.errors import UsageError
from wbimage_conformance.model import Environment, Result, RunReport, Status
from wbimage_conformance.triage import release_explain, release_rules
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.stored import writing

SHIPPED = expectation_files.SHIPPED_DIR


def header(environment: Environment, name: str, command: str, drafted_alone: bool = False) -> str:
    """The comment lines a shipped file starts with; `drafted_alone`: a file the refresh of the
    saved history does not draft (another Pillow, another tracker)."""
    env = environment
    regenerate = (f"wbimage-conformance refresh --draft {name} --impl {command}" if drafted_alone
                  else f"wbimage-conformance refresh --releases {env.implementation_version}")
    return (
        f"# Known deviations of {env.implementation} {env.implementation_version} from the spec.\n"
        f"# Measured with: Python {env.python}, NumPy {env.numpy}, Pillow {env.pillow}, torch {env.torch} "
        f"({env.platform}).\n"
        f"# Cases: as `measured` at the end says, suite {env.suite_version}.\n"
        f"# Check:       wbimage-conformance run --impl {command} --expectations {name}\n"
        f"# Regenerate:  {regenerate}\n"
        "# Each reason is the cause, then what was observed; the clause is the one the behaviour breaks.\n"
    )


def draft(results: Sequence[Result], environment: Environment, current: Mapping[str, str],
          previous: expectation_files.Expectations | None = None,
          pending: Iterable[str] = ()) -> tuple[expectation_files.Expectations | None, list[str]]:
    """The expectations of `environment`'s implementation after `results` (raw verdicts of some
    or all cases), keeping the entries of `previous` for cases not run that are still written as
    measured; or None and the problems (unexplained deviations, entries that would not hold)."""
    impl, version = environment.implementation, environment.implementation_version
    try:
        table = release_rules.rules_for(impl, release_explain.version_tuple(version))
    except KeyError:
        raise UsageError(f"no release rules for {impl!r}: expectations files are drafted for wandb, trackio "
                         "and swanlab (`run --update-expectations` writes one for any implementation)") from None
    explained, missing = release_explain.explain_all(list(results), impl, version, environment.pillow, table)
    if missing:
        return None, missing
    ran = {r.case.id: r.case for r in results}
    deviations = _kept(previous, current, ran)
    for case_id, (status, clause, reason) in explained.items():
        deviations[case_id] = expectation_files.Deviation(status, reason, clause, fingerprint(ran[case_id]))
    ordered = {case_id: deviations[case_id] for case_id in current if case_id in deviations}
    expected = expectation_files.Expectations(impl, f"=={version}", ordered,
                                               environment=expectation_files.recorded_environment(environment),
                                               measured=_stored(Measured.of(current, pending)))
    problems = audit(expected, results)
    return (None, problems) if problems else (expected, [])


def _kept(previous: expectation_files.Expectations | None, current: Mapping[str, str],
          ran: Mapping[str, object]) -> dict[str, expectation_files.Deviation]:
    if previous is None:
        return {}
    return {case_id: d for case_id, d in previous.deviations.items()
            if case_id not in ran and current.get(case_id) == d.fingerprint}


def _stored(measured: Measured) -> expectation_files.Measured:
    return expectation_files.Measured(measured.cases, measured.fingerprints, measured.pending)


def audit(expected: expectation_files.Expectations, results: Sequence[Result]) -> list[str]:
    """Why `expected` would not be a valid shipped file for these raw results (empty: valid)."""
    problems = []
    final = RunReport(None, tuple(expectation_files.apply(expected, results)))  # type: ignore[arg-type]
    for result in final.results:
        if result.status not in (Status.PASSED, Status.XFAILED, Status.SKIPPED):
            problems.append(f"{result.case.id}: {result.status.value} with the expectations: {result.message[:160]}")
    raw = {r.case.id: r.status for r in results}
    for case_id, deviation in expected.deviations.items():
        if case_id not in raw:
            continue   # kept from the previous file: measured before, not run now
        if deviation.status is Status.SKIPPED or raw[case_id] is not deviation.status:
            problems.append(f"{case_id}: entry says {deviation.status.value}, the run says "
                            f"{raw[case_id].value}; the entry is not needed")
    return problems


def restated(previous: expectation_files.Expectations, current: Mapping[str, str],
             pending: Iterable[str]) -> expectation_files.Expectations:
    """A file that was not drafted again, stating what it now measures: entries of removed
    cases dropped, the cases new or changed since it was measured listed as pending."""
    deviations = {k: d for k, d in previous.deviations.items() if k in current}
    return replace(previous, deviations=deviations, measured=_stored(Measured.of(current, pending)))


def adopted(previous: expectation_files.Expectations, current: Mapping[str, str]) -> expectation_files.Expectations:
    """A file drafted before fingerprints, on exactly the current case files (its header's
    digest of their bytes says so): every case measured as written now."""
    deviations = {k: replace(d, fingerprint=current[k]) for k, d in previous.deviations.items() if k in current}
    return replace(previous, deviations=deviations, measured=_stored(Measured.of(current)))


def write(expected: expectation_files.Expectations, target: Path, head: str | None = None) -> None:
    """Write `expected` to `target`, after `head` (comment lines), or after the comment lines
    the file already starts with."""
    if head is None:
        head = leading_comments(target)
    writing.replace_text(target, head + expectation_files.dump(expected))


def leading_comments(path: Path) -> str:
    """The comment lines a file starts with (its header), or nothing."""
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)
