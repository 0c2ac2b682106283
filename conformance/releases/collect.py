"""Run the whole suite against one implementation and keep the raw results with their
observations (pickled), so deviations can be explained without running it again."""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

from wbimage_conformance.run import session


def collect(impl: str, jobs: int = 4) -> dict:
    outcome = session.run_suite(session.Options(impl, jobs=jobs))
    return {"impl": impl, "environment": outcome.environment, "results": list(outcome.raw)}


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
