"""`wbimage-conformance bisect CASE_ID --releases A..B`: the first release where a case's outcome changes.

    wbimage-conformance bisect norm-disabled-int16-numpy --releases 0.19.0..0.31.0

Outcomes come from the saved runs (history.record) where they hold the case as it is written
now: the history packed with the suite (history.packed), from any directory, or `--runs DIR`.
Other releases are probed by running the one case in the release's virtualenv, made as
`history` makes them in the user cache folder (`--venvs` to choose), named in the output. history.bisect says how the answer is searched.
Prints each known outcome in release order, then the answer.

Exit codes: 0 the outcome changes in the range (the first change printed); 1 it does not
change (as far as the releases looked at show); 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbimage_conformance.cases import casefiles
from wbimage_conformance.errors import UsageError
from wbimage_conformance.history import collect, packed, record, releases, venvs
from wbimage_conformance.history.bisect import Outcome, first_change, saved_outcome
from wbimage_conformance.run import sandbox

NAME = "bisect"
HELP = "the first wandb release where a case's outcome changes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id", metavar="CASE_ID")
    parser.add_argument("--releases", required=True, metavar="A..B",
                        help="wandb releases: A..B (final releases on the package index), or X,Y,...")
    parser.add_argument("--runs", type=Path, metavar="DIR",
                        help="saved runs to use where present (default: the history packed with the suite)")
    parser.add_argument("--venvs", type=Path, metavar="DIR",
                        help=f"where virtualenvs for probed releases are made or found (default {venvs.default_root()})")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("--timeout", type=float, default=collect.DEFAULT_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto")


def _say(message: str) -> None:
    print(f"wbimage-conformance: bisect: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    case_set = casefiles.load_case_set(args.cases)
    case = next((c for c in case_set.cases if c.id == args.case_id), None)
    if case is None:
        raise UsageError(f"bisect: no case {args.case_id!r} in the case set")
    if args.runs is not None and not args.runs.is_dir():
        raise UsageError(f"bisect: --runs {args.runs}: not a folder")
    found, runs_dir = packed.load_runs(args.runs)
    saved = {r.version: r for r in found}
    try:
        chosen = releases.resolve(args.releases)
    except releases.PackageIndexError as exc:
        if not saved:
            raise
        _say(f"{exc}; using the releases with saved runs in {runs_dir}")
        chosen = releases.resolve(args.releases, offline=saved)
    if len(chosen) < 2:
        raise UsageError(f"bisect: --releases {args.releases} holds {len(chosen)} release(s); at least 2 are needed")
    fingerprint = record.fingerprint(case)
    known = {}
    for version in chosen:
        if version in saved:
            outcome = saved_outcome(saved[version], case.id, fingerprint)
            if outcome is not None:
                known[version] = outcome

    def probe(version: str) -> Outcome:
        venv_root = args.venvs or venvs.default_root()
        _say(f"probing wandb {version} (no saved run holds {case.id} as written now; virtualenv in {venv_root})")
        python = venvs.ensure_release(venv_root, version, _say)
        run_record = collect.run_release(python, [case], case_set.digest, timeout=args.timeout,
                                         sandbox_mode=args.sandbox)
        found = run_record.outcome(case.id)
        assert found is not None
        return Outcome(found.status, tuple(sorted(run_record.cause_titles(found))), probed=True)

    result = first_change(case.id, chosen, known, probe)
    for version in chosen:
        if version in result.outcomes:
            outcome = result.outcomes[version]
            print(f"wandb {version}: {outcome.text}" + ("  [probed]" if outcome.probed else ""))
    how = "every release known" if result.exact else (
        f"bisected: {len(result.probed)} release(s) probed, assuming one change in the stretch searched")
    if result.first_change is None or result.before is None:
        print(f"{case.id}: no change from wandb {chosen[0]} to {chosen[-1]} ({how})")
        return 1
    print(f"{case.id}: first change in wandb {result.first_change} (after {result.before}): "
          f"{result.outcomes[result.before].text} -> {result.outcomes[result.first_change].text} ({how})")
    return 0
