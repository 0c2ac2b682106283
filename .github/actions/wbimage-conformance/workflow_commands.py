"""What run.sh asks of Python: `args` split as a shell would, and a saved report turned into
GitHub's step outputs (counts) and annotations (`::error file=...,line=...::`).

Standard library only: it runs under whichever interpreter the job's `python` input names,
before or without the suite. Annotations follow GitHub's workflow-command rules: in the message
`%`, CR and LF are escaped as %25, %0D, %0A; in a property value `:` and `,` too (%3A, %2C),
or a case id with a comma would end the property early. File paths are given relative to
$GITHUB_WORKSPACE when the file is inside it, so GitHub can put the annotation on the line.

    python workflow_commands.py split-args            # $WBIMAGE_ARGS -> NUL-separated words
    python workflow_commands.py run-report REPORT     # report.json of `run`
    python workflow_commands.py docs-report REPORT    # docs-report.json of `docs check`
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: Statuses of `run` that fail it, and the output each count goes to.
UNEXPECTED = ("failed", "error", "xpassed", "timeout", "crash")
RUN_COUNTS = ("total", "passed", "failed", "errors", "skipped", "xfailed", "xpassed", "timeouts", "crashes")
DOCS_COUNTS = ("pages", "errors", "warnings", "notes")
#: GitHub shows a limited number of annotations per step; past this one notice says how many more.
MAX_ANNOTATIONS = 50
_MESSAGE_CHARACTERS = 2000


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: Any) -> str:
    """`::kind prop=value,...::message`, each part escaped; properties with no value left out."""
    given = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items() if value)
    return f"::{kind}{' ' + given if given else ''}::{escape_data(message[:_MESSAGE_CHARACTERS])}"


def workspace_path(file: str, workspace: str | None, cwd: Path) -> str:
    """`file` (absolute, or relative to where the command ran) relative to the workspace when
    inside it, else as an absolute path."""
    path = Path(file) if os.path.isabs(file) else cwd / file
    path = Path(os.path.normpath(path))
    if workspace:
        try:
            return path.relative_to(Path(os.path.normpath(workspace))).as_posix()
        except ValueError:
            pass
    return str(path)


def run_annotations(report: dict[str, Any], workspace: str | None, cwd: Path) -> Iterator[str]:
    for result in report.get("results", []):
        if result.get("status") not in UNEXPECTED:
            continue
        title = f"wbimage-conformance: {result['status']}: {result['id']}"
        lines = [f"{result['id']}: {result.get('title', '')}", result.get("message") or ""]
        if result.get("reproduction"):
            lines.append(f"reproduce: {result['reproduction']}")
        yield command("error", "\n".join(line for line in lines if line), title=title,
                      file=workspace_path(result["file"], workspace, cwd) if result.get("file") else None,
                      line=result.get("line") or None)


def docs_annotations(report: dict[str, Any], workspace: str | None, cwd: Path) -> Iterator[str]:
    for finding in report.get("findings", []):
        if finding.get("severity") not in ("error", "warning"):
            continue
        title = f"wbimage-conformance docs check: {finding['check']}: {finding.get('subject', '')}"
        yield command(finding["severity"], finding.get("message", ""), title=title,
                      file=workspace_path(finding["file"], workspace, cwd), line=finding.get("line") or None)


def limited(annotations: Iterable[str], limit: int = MAX_ANNOTATIONS) -> Iterator[str]:
    remaining = iter(annotations)
    for shown, annotation in enumerate(remaining):
        if shown == limit:
            yield command("notice", f"{1 + sum(1 for _ in remaining)} more annotation(s) not shown: see the reports")
            return
        yield annotation


def counts(report: dict[str, Any], names: tuple[str, ...]) -> dict[str, int]:
    summary = report.get("summary") or {}
    found = {name: int(summary.get(name) or 0) for name in names}
    if names == RUN_COUNTS:
        found["unexpected"] = sum(int(summary.get(n) or 0) for n in ("failed", "errors", "xpassed", "timeouts", "crashes"))
    return found


def publish(report_path: str, docs: bool) -> int:
    try:
        report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"wbimage-conformance action: cannot read {report_path}: {exc}", file=sys.stderr)
        return 0  # the run's own exit code says what went wrong
    workspace, cwd = os.environ.get("GITHUB_WORKSPACE"), Path.cwd()
    annotations = docs_annotations(report, workspace, cwd) if docs else run_annotations(report, workspace, cwd)
    for line in limited(annotations):
        print(line)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            for name, value in counts(report, DOCS_COUNTS if docs else RUN_COUNTS).items():
                handle.write(f"{name}={value}\n")
    return 0


def split_args() -> int:
    text = os.environ.get("WBIMAGE_ARGS", "")
    try:
        words = shlex.split(text)
    except ValueError as exc:
        print(f"wbimage-conformance action: args: cannot split {text!r} as a shell would: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write("".join(word + "\0" for word in words))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["split-args"]:
        return split_args()
    if len(argv) == 2 and argv[0] in ("run-report", "docs-report"):
        return publish(argv[1], docs=argv[0] == "docs-report")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
