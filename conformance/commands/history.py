"""`wbimage-conformance history`: the suite on every release of a range, one saved run each.

    wbimage-conformance history --releases 0.19.0..0.31.0 [--venvs DIR] [--runs DIR] [--jobs N]
    wbimage-conformance history --releases 0.28.2,0.31.0 --check     # fresh runs against the saved ones
    wbimage-conformance history --pages docs                         # docs pages from the saved runs only

For each release: its virtualenv (history.venvs: made over a shared base, or reused), the whole
suite in it with sandboxed workers (`--sandbox auto`), triage, and `RUNS/wandb-X.json`
(history.record). The next releases' virtualenvs are made while one runs (two at a time): pip's
downloads and the suite's work overlap. `--resume` leaves out releases whose saved run already
holds every case as written now (by fingerprint; `refresh` runs only the cases that are not). `--pages DIR` then writes DIR/history.md and DIR/history.svg, and the
history's parts of DIR/compatibility.md and DIR/findings.md, from every saved run in RUNS.

Exit codes: 0 done (with --check: every fresh run agrees with its saved run); 1 a release
that could not be installed or run, or (--check) a disagreement, each named on standard
error; 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import time
from collections import Counter
from pathlib import Path

from wbimage_conformance.cases import casefiles, fingerprints
from wbimage_conformance.errors import ConfigurationError, UsageError
from wbimage_conformance.history import agreement, collect, pages, record, refresh, releases, venvs
from wbimage_conformance.run import sandbox

NAME = "history"
HELP = "run the suite on every release of a range, one saved run each; the history pages"
DEFAULT_RUNS = "docs/history"
#: Virtualenvs made while a release runs: pip's downloads, not the suite, are the slow part.
INSTALLS_AHEAD = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--releases", metavar="A..B",
                        help="wandb releases: A..B (final releases on the package index, both ends included), "
                             "X, or X,Y,...")
    parser.add_argument("--venvs", type=Path, metavar="DIR",
                        help=f"where the virtualenvs are made or found: DIR/base, DIR/wandb-X "
                             f"(default {venvs.default_root()})")
    parser.add_argument("--runs", default=DEFAULT_RUNS, metavar="DIR",
                        help=f"where the saved runs are (default {DEFAULT_RUNS})")
    parser.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes per release (default 1)")
    parser.add_argument("--timeout", type=float, default=collect.DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-case time limit (default {collect.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                        help="where the releases run, as for `run --sandbox` (default auto)")
    parser.add_argument("--resume", action="store_true",
                        help="leave out releases whose saved run already holds every case as written now")
    parser.add_argument("--check", action="store_true",
                        help="write nothing: compare each fresh run with its saved run; exit 1 where they disagree")
    parser.add_argument("--pages", metavar="DOCS",
                        help="then write DOCS/history.md and DOCS/history.svg and the history's sections of "
                             "DOCS/compatibility.md and DOCS/findings.md from every saved run")


def _say(message: str) -> None:
    print(f"wbimage-conformance: history: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if not args.releases and not args.pages:
        raise UsageError("history: give --releases A..B, --pages DOCS, or both")
    if args.check and args.pages:
        raise UsageError("history: --check writes nothing, so it does not go with --pages")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.pages:
        pages.prepare_folder(Path(args.pages))  # before a run of minutes, not after it
    status = 0
    if args.releases:
        status = _run_releases(args)
    if args.pages:
        for path in pages.write_all(Path(args.runs), Path(args.pages)):
            _say(f"wrote {path}")
    return status


def _run_releases(args: argparse.Namespace) -> int:
    chosen = releases.resolve(args.releases)
    case_set = casefiles.load_case_set(args.cases)
    if not case_set.cases:
        raise UsageError("history: no cases found")
    runs_dir, venv_root = Path(args.runs), args.venvs or venvs.default_root()
    if args.resume:
        current = fingerprints.of_cases(case_set.cases)
        chosen = [v for v in chosen if not _current(runs_dir, v, current)]
    if args.check:
        missing = [v for v in chosen if not (runs_dir / record.file_name("wandb", v)).is_file()]
        if missing:
            raise UsageError(f"history --check: no saved run in {runs_dir} for {', '.join(missing)}")
    sandbox.choose(args.sandbox)  # a sandbox that cannot be had stops here, before any install
    _say(f"{len(chosen)} release(s): {', '.join(chosen) or 'none left'}; virtualenvs in {venv_root}")
    failed: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=INSTALLS_AHEAD) as installer:
        pending: dict[str, concurrent.futures.Future] = {}
        for index, version in enumerate(chosen):
            for ahead in chosen[index:index + 1 + INSTALLS_AHEAD]:
                if ahead not in pending:
                    pending[ahead] = installer.submit(venvs.ensure_release, venv_root, ahead, _say)
            try:
                python = pending.pop(version).result()
            except ConfigurationError as exc:
                _say(f"wandb {version}: not run: {exc}")
                failed.append(version)
                continue
            start = time.monotonic()
            try:
                fresh = collect.run_release(python, case_set.cases, case_set.digest, jobs=args.jobs,
                                            timeout=args.timeout, sandbox_mode=args.sandbox)
            except ConfigurationError as exc:   # e.g. the worker cannot start under that release
                _say(f"wandb {version}: not run: {exc}")
                failed.append(version)
                continue
            counts = Counter(c.status for c in fresh.cases)
            summary = ", ".join(f"{n} {s}" for s, n in counts.most_common())
            took = f"{time.monotonic() - start:.0f} s"
            if fresh.version != version:
                _say(f"wandb {version}: the worker reported version {fresh.version}; not saved")
                failed.append(version)
            elif args.check:
                if not _agrees(runs_dir, fresh, summary, took):
                    failed.append(version)
            else:
                target = record.write(fresh, runs_dir)
                _say(f"wandb {version}: {summary} ({took}) -> {target}")
    if failed:
        _say(f"{'disagree with the saved runs' if args.check else 'not run'}: {', '.join(failed)}")
        return 1
    return 0


def _current(runs_dir: Path, version: str, current: dict[str, str]) -> bool:
    """Whether the saved run holds every current case as written (fingerprints), none pending."""
    path = runs_dir / record.file_name("wandb", version)
    if not path.is_file():
        return False
    return not refresh.to_run(record.load(path), current)


def _agrees(runs_dir: Path, fresh: record.SavedRun, summary: str, took: str) -> bool:
    saved = record.load(runs_dir / record.file_name(fresh.implementation, fresh.version))
    found = agreement.compare(saved, fresh)
    verdict = "agrees with" if found.agrees else f"{len(found.differences)} case(s) disagree with"
    _say(f"wandb {fresh.version}: {summary} ({took}); {verdict} {saved.path}")
    for line in found.differences[:20]:
        _say(f"  {line}")
    if found.not_compared:
        _say(f"  {len(found.not_compared)} case(s) not compared (new or changed since the saved run; "
             f"regenerate it with `wbimage-conformance history --releases {fresh.version}`), e.g. {found.not_compared[0]}")
    for line in found.environment:
        _say(f"  environment differs: {line}")
    return found.agrees
