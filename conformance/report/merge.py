"""Several saved runs of one implementation as one run: the shards of a CI matrix, or runs of
different selections.

Shards (reports with a `shard`) must all be there, cut from one selection, each once; their
results go back into the selection's order, so N merged shards are the unsharded run. Other
runs are put one after the other, in the order given. Either way a case may appear once only,
and the runs must agree on the suite version, the case set, the implementation and its version,
and the Python, NumPy, Pillow and torch the worker had: those change pixels, so runs that differ
there are different runs (compare them with `matrix`). Platforms may differ; the merged header
lists each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Environment, Result, RunReport, SavedCause
from wbimage_conformance.triage import grouping

#: Environment fields that must be equal for runs to merge.
MUST_AGREE = ("suite_version", "case_set_digest", "implementation", "implementation_version",
              "python", "numpy", "pillow", "torch")
PLATFORM_SEPARATOR = " | "


class MergeError(ConfigurationError):
    """Reports that do not make one run (exit code 2)."""


def merge(runs: Sequence[tuple[str, RunReport]]) -> RunReport:
    """One run from `(where, report)` pairs; `where` names each in error messages."""
    if not runs:
        raise MergeError("no report to merge")
    if len(runs) == 1 and runs[0][1].shard is None:
        return runs[0][1]  # one shard alone still goes through the check that every shard is there
    environment = _environment(runs)
    sharded = [where for where, run in runs if run.shard is not None]
    if sharded and len(sharded) != len(runs):
        whole = next(where for where, run in runs if run.shard is None)
        raise MergeError(f"{sharded[0]} is one shard of a run but {whole} is a whole run: "
                         "merge the shards of one run, or whole runs, not both")
    if sharded:
        results, not_run = _shards(runs)
    else:
        results, not_run = _concatenated(runs)
    return RunReport(environment, tuple(results), None, tuple(not_run), _causes(runs))


def _causes(runs: Sequence[tuple[str, RunReport]]) -> tuple[SavedCause, ...] | None:
    """None when every run still has its observations (the merged run is triaged afresh, as
    one); else each run's causes, put together."""
    if all(run.saved_causes is None for _, run in runs):
        return None
    return grouping.merged([grouping.triage_report(run) for _, run in runs])


def _environment(runs: Sequence[tuple[str, RunReport]]) -> Environment:
    first_where, first = runs[0][0], runs[0][1].environment
    platforms: list[str] = []
    for where, run in runs:
        env = run.environment
        for name in MUST_AGREE:
            mine, theirs = getattr(env, name), getattr(first, name)
            if mine != theirs:
                raise MergeError(
                    f"{where}: {name.replace('_', ' ')} is {_shown(mine)}, but {first_where} has {_shown(theirs)}: "
                    "only runs of one implementation in one environment merge (compare different ones with `matrix`)")
        for platform in env.platform.split(PLATFORM_SEPARATOR):
            if platform not in platforms:
                platforms.append(platform)
    return replace(first, platform=PLATFORM_SEPARATOR.join(platforms))


def _shown(value: str | None) -> str:
    return "none recorded" if value is None else repr(value)


def _no_repeats(runs: Sequence[tuple[str, RunReport]]) -> dict[str, Result]:
    seen: dict[str, str] = {}
    by_id: dict[str, Result] = {}
    for where, run in runs:
        for case_id in [r.case.id for r in run.results] + list(run.not_run):
            if case_id in seen:
                raise MergeError(
                    f"{where}: case {case_id!r} is also in {seen[case_id]}: a case may be in one report only")
            seen[case_id] = where
        by_id.update((r.case.id, r) for r in run.results)
    return by_id


def _concatenated(runs: Sequence[tuple[str, RunReport]]) -> tuple[list[Result], list[str]]:
    _no_repeats(runs)
    results = [r for _, run in runs for r in run.results]
    not_run = [case_id for _, run in runs for case_id in run.not_run]
    return results, not_run


def _shards(runs: Sequence[tuple[str, RunReport]]) -> tuple[list[Result], list[str]]:
    """The results of N shards of one run, in the selection's order, once each shard and each
    case is known to be there exactly once."""
    first = runs[0][1].shard
    assert first is not None
    _every_shard_once(runs)
    by_id = _no_repeats(runs)
    not_run_ids = {case_id for _, run in runs for case_id in run.not_run}
    selected = set(first.selection)
    stray = [case_id for case_id in list(by_id) + sorted(not_run_ids) if case_id not in selected]
    if stray:
        raise MergeError(f"case {stray[0]!r} is in a shard's report but not in the run's selection")
    unaccounted = [i for i in first.selection if i not in by_id and i not in not_run_ids]
    if unaccounted:
        raise MergeError(f"case {unaccounted[0]!r} (and {len(unaccounted) - 1} more) of the selection has no result "
                         "in any shard: the reports do not cover the run")
    results = [by_id[i] for i in first.selection if i in by_id]
    not_run = [i for i in first.selection if i in not_run_ids]
    return results, not_run


def _every_shard_once(runs: Sequence[tuple[str, RunReport]]) -> None:
    """MergeError unless the runs are shards 1..N of one N, cut from one selection, each once."""
    first_where, first = runs[0][0], runs[0][1].shard
    assert first is not None
    by_index: dict[int, str] = {}
    for where, run in runs:
        shard = run.shard
        assert shard is not None
        if shard.count != first.count:
            raise MergeError(f"{where} is shard {shard.index}/{shard.count} but {first_where} is "
                             f"{first.index}/{first.count}: shards of one run have one N")
        if shard.selection != first.selection:
            raise MergeError(f"{where} and {first_where} were cut from different selections "
                             "(other case files, -k, --clause or --level): they are not shards of one run")
        if shard.index in by_index:
            raise MergeError(f"{where} and {by_index[shard.index]} are both shard {shard.index}/{shard.count}")
        by_index[shard.index] = where
    missing = [f"{k}/{first.count}" for k in range(1, first.count + 1) if k not in by_index]
    if missing:
        named = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise MergeError(f"shard {named} missing: merge all {first.count} shards of the run "
                         "(a missing one would hide its cases)")
