"""Checks the JSON reports of .ci/wheel's two runs of the installed suite.

Run with the suite's interpreter (the venv the wheel is installed in):

    python wheel_reports.py reference REPORT.json
    python wheel_reports.py foreign REPORT.json OTHER/bin/python

`reference`: every shipped case passed and the header names this interpreter's versions.
`foreign`: the header names the other interpreter's own Python, NumPy and Pillow (which must
differ from the suite's Pillow, or the check proves nothing), torch is null (that venv has
none), and every case with a tensor anywhere in its input is skipped with a reason naming
torch. Prints a one-line summary per report; exits 1 with every broken expectation listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from wbimage_conformance.cases import casefiles

STATUSES = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed", "timeouts", "crashes")
VERSIONS_OF = """
import importlib.metadata as m, json, platform
def version(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return None
print(json.dumps({"python": platform.python_version(), "numpy": version("numpy"),
                  "pillow": version("pillow"), "torch": version("torch")}))
"""


def _versions(python: str) -> dict[str, str | None]:
    done = subprocess.run([python, "-c", VERSIONS_OF], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _has_tensor(case: Any) -> bool:
    """A tensor input (`kind: tensor`) or a tensor argument (`$array` with `as: tensor`), at any depth."""
    return any(node.get("kind") == "tensor" or node.get("as") == "tensor" for node in _walk([case.input, case.call]))


def _summary(report: dict[str, Any]) -> str:
    counts = report["summary"]
    shown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    env = report["environment"]
    return (f"{counts['total']} cases: {shown} | {env['implementation']} {env['implementation_version']}, "
            f"python {env['python']}, numpy {env['numpy']}, pillow {env['pillow']}, torch {env['torch']}")


def check_reference(report: dict[str, Any]) -> list[str]:
    problems = []
    shipped = len(casefiles.load_case_set(None).cases)
    counts = report["summary"]
    if not (counts["total"] == counts["passed"] == shipped):
        problems.append(f"expected all {shipped} shipped cases to pass, got {counts}")
    here = _versions(sys.executable)
    for name, version in here.items():
        if report["environment"][name] != version:
            problems.append(f"header {name} is {report['environment'][name]!r}, this interpreter has {version!r}")
    return problems


def check_foreign(report: dict[str, Any], python: str) -> list[str]:
    problems = []
    env = report["environment"]
    theirs = _versions(python)
    for name, version in theirs.items():
        if env[name] != version:
            problems.append(f"header {name} is {env[name]!r}, {python} has {version!r}")
    if theirs["torch"] is not None:
        problems.append(f"{python} has torch {theirs['torch']}: the check needs a venv without it")
    suite_pillow = metadata.version("pillow")
    if env["pillow"] == suite_pillow:
        problems.append(f"header pillow {suite_pillow} is the suite's own: the venvs must differ for the check to mean anything")
    results = {r["id"]: r for r in report["results"]}
    tensor_ids = [c.id for c in casefiles.load_case_set(None).cases if _has_tensor(c)]
    if not tensor_ids:
        problems.append("no shipped case has a tensor input")
    for case_id in tensor_ids:
        result = results.get(case_id)
        if result is None:
            problems.append(f"{case_id}: a tensor case missing from the report")
        elif result["status"] != "skipped" or "torch" not in result["message"]:
            problems.append(f"{case_id}: {result['status']} ({result['message']!r}), expected skipped for want of torch")
    if not report["ok"]:
        problems.append("the report has unexpected results")
    if not problems:
        print(f"    {len(tensor_ids)} cases with a tensor input, all skipped naming torch")
    return problems


def main(argv: list[str]) -> int:
    kind, path, *rest = argv
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"    FAIL no readable report at {path}: {exc}", file=sys.stderr)
        return 1
    print(f"    {_summary(report)}")
    problems = check_reference(report) if kind == "reference" else check_foreign(report, *rest)
    for problem in problems:
        print(f"    FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
