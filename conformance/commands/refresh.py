"""`wbimage-conformance refresh`: bring every shipped measurement up to the current cases.

    wbimage-conformance refresh                                   # every release with a saved run
    wbimage-conformance refresh --releases 0.28.2,0.31.0 [--venvs DIR] [--jobs N]
    wbimage-conformance refresh --no-run                          # mark, measure nothing
    wbimage-conformance refresh --draft wandb-0.20.1-pillow12 --impl wandb@/venv/bin/python

Run from a checkout. For each release, only the cases new or changed since its saved run
(by fingerprint) run, in the release's virtualenv (made in the user cache folder unless
`--venvs` says); they are merged into `RUNS/wandb-X.json` and the release's expectations file
is drafted again (history.refresh). Then the artifacts that cannot be measured here state the
cases they lack as pending, the history pages are written, and the packed copy of the history
that ships with the suite is rewritten. With nothing changed, nothing is installed or run.

`--draft NAME --impl IMPL` drafts one expectations file (`NAME.yaml` in the shipped folder, or
`--expectations-dir`) for an implementation installed elsewhere (another Pillow, another
tracker), again running only the cases the file lacks; nothing else is touched.

Exit codes: 0 done; 1 a release not refreshed or an expectations file left with pending cases
(each named on standard error); 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbimage_conformance.cases import casefiles
from wbimage_conformance.cases.fingerprints import of_cases
from wbimage_conformance.errors import ConfigurationError, UsageError
from wbimage_conformance.history import collect, packed, pages, record, refresh, releases, staleness, venvs
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.run import sandbox

NAME = "refresh"
HELP = "run only the cases new or changed since each release's saved run; redraft, restate, repack"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--releases", metavar="A..B",
                        help="wandb releases: A..B, X or X,Y,... (default: every release with a saved run)")
    parser.add_argument("--venvs", type=Path, metavar="DIR",
                        help=f"where the virtualenvs are made or found (default {venvs.default_root()})")
    parser.add_argument("--runs", type=Path, default=Path("docs/history"), metavar="DIR",
                        help="the saved runs (default docs/history)")
    parser.add_argument("--docs", type=Path, default=Path("docs"), metavar="DIR",
                        help="the pages the history feeds (default docs)")
    parser.add_argument("--expectations-dir", type=Path, default=expectation_files.SHIPPED_DIR, metavar="DIR",
                        help="the expectations files (default: the shipped ones)")
    parser.add_argument("--cases", nargs="+", metavar="PATH",
                        help="case files or directories (default: the shipped cases)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes per release (default 1)")
    parser.add_argument("--timeout", type=float, default=collect.DEFAULT_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto")
    parser.add_argument("--no-run", action="store_true",
                        help="install and run nothing: state what each artifact lacks as pending")
    parser.add_argument("--draft", metavar="NAME", help="draft only the expectations file NAME, running --impl")
    parser.add_argument("--impl", help="with --draft: the implementation to run, as `run --impl` takes it")
    parser.add_argument("--no-pack", action="store_true", help="leave the packed copy of the history as it is")


def _say(message: str) -> None:
    print(f"wbimage-conformance: refresh: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if bool(args.draft) != bool(args.impl):
        raise UsageError("refresh: --draft NAME and --impl IMPL go together")
    if args.draft:
        return _draft(args)
    if not args.runs.is_dir():
        raise UsageError(f"refresh: no saved runs in {args.runs} (run it from a checkout, or give --runs)")
    case_set = casefiles.load_case_set(args.cases)
    saved = {r.version: r for r in record.load_folder(args.runs)}
    sets = refresh.known_sets(saved.values())
    chosen = releases.resolve(args.releases) if args.releases else list(saved)
    refreshed, failed, ran = (set(), [], False) if args.no_run else _refresh_releases(args, chosen, saved, case_set)
    current = of_cases(case_set.cases)
    ran = _mark_runs(args.runs, {v: r for v, r in saved.items() if v not in refreshed}, current) or ran
    pending, restated = _restate(args, sets, current, case_set.digest)
    repacked = not args.no_pack and _repack(args.runs, ran)
    if not (ran or restated or repacked):
        _say("every artifact states the current cases: nothing to write")
    elif args.docs.is_dir():
        for path in pages.write_all(args.runs, args.docs):
            _say(f"wrote {path}")
    for path, ids in pending.items():
        _say(f"{path}: {len(ids)} case(s) pending (not measured here), e.g. {ids[0]}")
    return 1 if failed or pending else 0


def _repack(runs_dir: Path, ran: bool) -> bool:
    """Repack the history that ships with the suite when `runs_dir` is its source (this
    checkout's docs/history) and the pack is not what it packs to; whether it was written."""
    if runs_dir.resolve() != (packed.PACKED.parents[3] / "docs" / "history").resolve():
        if ran:
            _say(f"the packed history is not rewritten: {runs_dir} is not the checkout's docs/history")
        return False
    written = packed.write(runs_dir)
    if written:
        _say(f"wrote {packed.PACKED}")
    return written


def _refresh_releases(args: argparse.Namespace, chosen: list[str], saved: dict,
                      case_set) -> tuple[set[str], list[str], bool]:
    """Refresh each chosen release: those refreshed, those that failed, whether anything was written."""
    venv_root = args.venvs or venvs.default_root()
    options = refresh.Options(args.runs, args.expectations_dir, args.jobs, args.timeout, args.sandbox)
    sandbox.choose(args.sandbox)

    def python_for(version: str) -> Path:
        _say(f"wandb {version}: virtualenv in {venv_root}")
        return venvs.ensure_release(venv_root, version, _say)

    refreshed: set[str] = set()
    failed, wrote = [], False
    for version in chosen:
        try:
            outcome = refresh.refresh_release(version, saved.get(version), case_set.cases, case_set.digest,
                                              options, python_for)
        except ConfigurationError as exc:
            _say(f"wandb {version}: not refreshed: {exc}")
            failed.append(version)
            continue
        ran = len(outcome.change.to_run)
        wrote |= bool(outcome.written)
        _say(f"wandb {version}: {outcome.change.summary()}; ran {ran} case(s) ({outcome.seconds:.0f} s)"
             + "".join(f"; wrote {p}" for p in outcome.written))
        for problem in outcome.problems:
            _say(f"wandb {version}: {problem}")
        if outcome.problems:
            failed.append(version)
        if outcome.written or not outcome.change:
            refreshed.add(version)
    return refreshed, failed, wrote


def _mark_runs(runs_dir: Path, saved: dict, current: dict[str, str]) -> bool:
    """The saved runs not refreshed list their new and changed cases as pending, removed ones
    dropped; whether any was rewritten."""
    wrote = False
    for run in saved.values():
        change = refresh.to_run(run, current)
        merged = refresh.merge(run, refresh.empty_run(run), list(current), run.environment.get("case_set_digest") or "")
        marked = record.SavedRun(merged.implementation, merged.version, run.environment, merged.causes, merged.cases,
                                 pending=change.to_run)
        if record.dumps(marked) != record.dumps(run):
            _say(f"wrote {record.write(marked, runs_dir)}")
            wrote = True
    return wrote


def _restate(args: argparse.Namespace, sets: dict, current: dict[str, str],
             case_set_digest: str) -> tuple[dict[Path, list[str]], bool]:
    """Restate what was not measured again: the expectations files left with pending cases, and
    whether anything was rewritten."""
    pending: dict[Path, list[str]] = {}
    rewritten = False
    for path in sorted(args.expectations_dir.glob("*.yaml")):
        stated, changed = refresh.restate_expectations(path, sets, current, case_set_digest)
        if changed:
            _say(f"restated {path}")
        rewritten |= changed
        if stated.measured is not None and stated.measured.pending:
            pending[path] = list(stated.measured.pending)
    if args.docs.is_dir():
        lacking = {case_id for ids in pending.values() for case_id in ids}
        for name in staleness.PAGES:
            page = args.docs / name
            if page.is_file() and refresh.restate_page(page, sets, current,
                                                       lacking if name == "findings.md" else None):
                _say(f"restated {page}")
                rewritten = True
    return pending, rewritten


def _draft(args: argparse.Namespace) -> int:
    case_set = casefiles.load_case_set(args.cases)
    sets = refresh.known_sets(record.load_folder(args.runs)) if args.runs.is_dir() else {}
    options = refresh.Options(args.runs, args.expectations_dir, args.jobs, args.timeout, args.sandbox)
    target = args.expectations_dir / f"{args.draft}.yaml"
    ran, problems = refresh.draft_named(args.impl, target, case_set.cases, case_set.digest, options, sets)
    for problem in problems:
        _say(f"{target}: not written: {problem}")
    if not problems:
        _say(f"{target}: ran {ran} case(s); {len(expectation_files.load(target).deviations)} deviations")
    return 1 if problems else 0
