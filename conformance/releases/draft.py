"""Write the expectations file of a released implementation from a run of the whole suite.

    python -m wbimage_conformance.releases.draft --impl wandb@/path/to/venv/bin/python --name wandb-0.28.2
    python -m wbimage_conformance.releases.draft --from results.pkl --name wandb-0.28.2   # from collect.py

Every case the implementation does not pass (and that is not skipped) gets an entry with its
status, the clause it breaks and a one-sentence reason from rules.py: the cause, then what was
observed. A deviation no rule explains stops the tool: write a rule first. The file is pinned
to the one version run (`==X`) and records the NumPy, Pillow and torch it ran with (its header
adds Python and the platform), because results of older releases depend on Pillow. Before writing, the tool checks
the two properties every shipped file has: with it the run is all as expected, and every
entry is needed (its raw status is a failure kind, so without the entry the run fails).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

from wbimage_conformance.model import RunReport, Status
from wbimage_conformance.releases import explain, rules
from wbimage_conformance.releases.collect import collect
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.stored import writing

SHIPPED = expectation_files.SHIPPED_DIR


def header(environment, name: str, command: str) -> str:
    env = environment
    return (
        f"# Known deviations of {env.implementation} {env.implementation_version} from the spec.\n"
        f"# Measured with: Python {env.python}, NumPy {env.numpy}, Pillow {env.pillow}, torch {env.torch}"
        f"{f', torchvision {env.torchvision}' if getattr(env, 'torchvision', None) else ''} ({env.platform}).\n"
        f"# Case set {env.case_set_digest}, suite {env.suite_version}.\n"
        f"# Check:       wbimage-conformance run --impl {command} --expectations {name}\n"
        f"# Regenerate:  python -m wbimage_conformance.releases.draft --impl {command} --name {name}\n"
        "# Each reason is the cause, then what was observed; the clause is the one the behaviour breaks.\n"
    )


def draft(data: dict, name: str) -> tuple[str, list[str]]:
    env = data["environment"]
    impl, version = env.implementation, env.implementation_version
    table = rules.rules_for(impl, explain.version_tuple(version))
    explained, missing = explain.explain_all(list(data["results"]), impl, version, env.pillow, table)
    if missing:
        return "", missing
    deviations = {case_id: expectation_files.Deviation(status, reason, clause)
                  for case_id, (status, clause, reason) in explained.items()}
    expected = expectation_files.Expectations(impl, f"=={version}", deviations,
                                               environment=expectation_files.recorded_environment(env))
    problems = audit(expected, data["results"])
    if problems:
        return "", problems
    return header(env, name, data["impl"]) + expectation_files.dump(expected), []


def audit(expected: expectation_files.Expectations, results) -> list[str]:
    """Why `expected` would not be a valid shipped file for these raw results (empty: valid)."""
    problems = []
    final = RunReport(None, tuple(expectation_files.apply(expected, results)))  # type: ignore[arg-type]
    for result in final.results:
        if result.status not in (Status.PASSED, Status.XFAILED, Status.SKIPPED):
            problems.append(f"{result.case.id}: {result.status.value} with the expectations: {result.message[:160]}")
    raw = {r.case.id: r.status for r in results}
    for case_id, deviation in expected.deviations.items():
        if deviation.status is Status.SKIPPED or raw.get(case_id) is not deviation.status:
            problems.append(f"{case_id}: entry says {deviation.status.value}, the run says "
                            f"{getattr(raw.get(case_id), 'value', 'no such case')}; the entry is not needed")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--impl", help="the implementation to run, e.g. wandb@/venv/bin/python")
    source.add_argument("--from", dest="pickle", type=Path, help="results saved by collect.py")
    parser.add_argument("--name", required=True, help="file name in conformance/expectations/, without .yaml")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--output-dir", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)
    data = pickle.loads(args.pickle.read_bytes()) if args.pickle else collect(args.impl, args.jobs)
    text, problems = draft(data, args.name)
    if problems:
        print(f"{args.name}: not written:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    target = args.output_dir / f"{args.name}.yaml"
    writing.replace_text(target, text)
    print(f"{target}: {len(expectation_files.load(target).deviations)} deviations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
