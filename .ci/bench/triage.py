"""How long triage takes against the run it explains, when (nearly) every case fails.

    python .ci/bench/triage.py [--jobs 2] [--impl MODULE:ATTR ...]

For each implementation, in this one process and one after the other: the whole suite is run
through the real runner (worker subprocesses, `--sandbox none`: the fixtures are built on the
reference, which a sandbox hides), then the run is triaged. Triage's caches are emptied
before each implementation, so the second does not profit from the first's inputs. By
default:

- (a) triage_probes:AddsOne, which adds 1 to every pixel (a bug no hypothesis describes);
- (b) two_bugs:RandomPixels, whose every image gets noise (wrong in another way everywhere).

It prints, per implementation, the unexpected results, the run's and triage's wall-clock
seconds, their ratio, and how many results triage explained. The fixtures folder is put on
the workers' PYTHONPATH. A measurement, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT = ("triage_probes:AddsOne", "two_bugs:RandomPixels")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--impl", action="append", help="MODULE:ATTR importable from tests/fixtures (repeatable)")
    args = parser.parse_args(argv)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FIXTURES), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(FIXTURES))

    from wbimage_conformance.cases import casefiles
    from wbimage_conformance.run import runner
    from wbimage_conformance.triage import grouping

    case_set = casefiles.load_case_set(None)
    print(f"load average {os.getloadavg()[0]:.1f}; {len(case_set.cases)} cases; --jobs {args.jobs}")
    print(f"{'implementation':40} {'unexpected':>10} {'run s':>7} {'triage s':>9} {'triage/run':>10} {'explained':>9}")
    for impl in args.impl or DEFAULT:
        start = time.perf_counter()
        report = runner.run(case_set.cases, impl, jobs=args.jobs, case_set_digest=case_set.digest, sandbox_mode="none")
        ran = time.perf_counter() - start
        grouping.clear_caches()
        start = time.perf_counter()
        found = grouping.triage(report.results, report.environment)
        triaged = time.perf_counter() - start
        unexpected = sum(r.status in grouping.TRIAGED for r in report.results)
        print(f"{impl:40} {unexpected:>10} {ran:>7.1f} {triaged:>9.1f} {triaged / ran:>10.2f} {found.explained_count:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
