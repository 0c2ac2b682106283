"""Run the whole suite against one implementation and keep the raw results with their
observations (pickled), so deviations can be explained without running it again."""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.run import runner


def collect(impl: str, jobs: int = 4) -> dict:
    case_set = cases.load_case_set(None)
    with runner.Session(impl, jobs=jobs) as session:
        results = session.run(case_set.cases)
        environment = session.environment(case_set.digest)
    return {"impl": impl, "environment": environment, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--impl", required=True)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args(argv)
    data = collect(args.impl, args.jobs)
    args.output.write_bytes(pickle.dumps(data))
    print(f"{args.output}: {len(data['results'])} results of {data['environment'].implementation} "
          f"{data['environment'].implementation_version}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
