"""How long triage takes against the run it explains, when (nearly) every case fails.

    python .ci/bench/triage.py [--jobs 2] [--rounds 3] [--impl MODULE:ATTR ...] [--before-path DIR]

For each implementation the whole suite is run once through the real runner (worker
subprocesses, `--sandbox none`: triage is measured, not the sandbox's start), and the run
is saved. Its triage is then timed in fresh interpreters, so every one
starts cold (nothing cached from another implementation's inputs), --rounds times, taking
turns with the code installed in DIR when --before-path is given (`pip install --no-deps
--target DIR` of an older commit), so the load of a shared machine weighs on both alike.
By default:

- (a) triage_probes:AddsOne, which adds 1 to every pixel (a bug no hypothesis describes);
- (b) two_bugs:RandomPixels, whose every image gets noise (wrong in another way everywhere).

It prints, per implementation, the unexpected results, the run's wall-clock seconds, triage's
best wall-clock and CPU seconds, triage/run, and the causes found; with --before-path the
same for the older code and the ratio of the two triage times. The fixtures folder is put on
the workers' PYTHONPATH. A measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT = ("triage_probes:AddsOne", "two_bugs:RandomPixels")
TIME_TRIAGE = """
import json, pickle, sys, time, warnings
warnings.simplefilter("ignore")
from wbimage_conformance.triage import grouping
report = pickle.load(open(sys.argv[1], "rb"))
wall, cpu = time.perf_counter(), time.process_time()
found = grouping.triage(report.results, report.environment)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "causes": [[g.id, len(g.results)] for g in found.causes],
                  "unexplained": len(found.unexplained)}))
"""


def timed_triage(saved: Path, package: Path | None) -> dict:
    """Triage of the saved run in a fresh interpreter, with `package` first on the path."""
    env = dict(os.environ)
    paths = [str(package)] if package else []
    env["PYTHONPATH"] = os.pathsep.join(paths + [str(FIXTURES)] + [p for p in [env.get("PYTHONPATH")] if p])
    out = subprocess.run([sys.executable, "-c", TIME_TRIAGE, str(saved)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(rounds: list[dict]) -> dict:
    return {**rounds[0], "wall": min(r["wall"] for r in rounds), "cpu": min(r["cpu"] for r in rounds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--impl", action="append", help="MODULE:ATTR importable from tests/fixtures (repeatable)")
    parser.add_argument("--before-path", type=Path, help="an older commit's package, installed with --target")
    args = parser.parse_args(argv)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(FIXTURES))

    from wbimage_conformance.cases import casefiles
    from wbimage_conformance.model import Status
    from wbimage_conformance.run import runner

    case_set = casefiles.load_case_set(None)
    print(f"load average {os.getloadavg()[0]:.1f}; {len(case_set.cases)} cases; --jobs {args.jobs}; "
          f"best of {args.rounds} triage rounds, each in a fresh interpreter")
    sides = {"now": None, **({"before": args.before_path} if args.before_path else {})}
    with tempfile.TemporaryDirectory() as folder:
        for impl in args.impl or DEFAULT:
            start = time.perf_counter()
            report = runner.run(case_set.cases, impl, jobs=args.jobs, case_set_digest=case_set.digest,
                                sandbox_mode="none")
            ran = time.perf_counter() - start
            saved = Path(folder) / "run.pickle"
            saved.write_bytes(pickle.dumps(report))
            rounds: dict[str, list[dict]] = {side: [] for side in sides}
            for turn in range(args.rounds):
                for side in (list(sides) if turn % 2 == 0 else list(reversed(sides))):
                    rounds[side].append(timed_triage(saved, sides[side]))
            unexpected = sum(r.status in (Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.CRASH)
                             for r in report.results)
            print(f"\n{impl}: {unexpected} unexpected of {len(report.results)}; run {ran:.1f} s wall")
            figures = {side: best(found) for side, found in rounds.items()}
            for side, got in figures.items():
                causes = ", ".join(f"{key} {count}" for key, count in got["causes"]) or "none"
                print(f"  triage {side:6} {got['wall']:6.1f} s wall {got['cpu']:6.1f} s CPU   "
                      f"triage/run {got['wall'] / ran:5.2f}   causes: {causes}; unexplained {got['unexplained']}")
            if "before" in figures:
                print(f"  before/now: {figures['before']['wall'] / figures['now']['wall']:.1f}x wall, "
                      f"{figures['before']['cpu'] / figures['now']['cpu']:.1f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
