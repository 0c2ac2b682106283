"""cosmic-ray session databases of a mutation run: leave out mutants that cannot change
behaviour, and report the score and every survivor. A mutant that got no verdict from the
case server (ask.py could not reach it, or a kill without the server's "killed by ...") is
counted apart, and makes `report` exit 1: harness failures must not pass for kills.

    python .ci/mutation/sessions.py skip-annotations SESSION.sqlite
    python .ci/mutation/sessions.py report SESSION.sqlite [...] [--markdown]

Type annotations are never evaluated in `reference/` (every module starts with
`from __future__ import annotations`), so a mutant inside one (`int | None` to
`int & None`) is equivalent by construction; `skip-annotations` marks those as skipped
before the run, with the reason, instead of spending a run on each.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

Span = tuple[tuple[int, int], tuple[int, int]]


def annotation_spans(source: str) -> list[Span]:
    """(start, end) positions, 1-based lines, of every annotation in `source`."""
    spans: list[Span] = []
    for node in ast.walk(ast.parse(source)):
        found: list[ast.expr] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                        arguments.vararg, arguments.kwarg]:
                if arg is not None and arg.annotation is not None:
                    found.append(arg.annotation)
            if node.returns is not None:
                found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        spans += [((n.lineno, n.col_offset), (n.end_lineno or n.lineno, n.end_col_offset or 0)) for n in found]
    return spans


def skip_annotations(path: Path) -> int:
    skipped = 0
    with use_db(str(path), WorkDB.Mode.open) as db:
        sources: dict[Path, list[Span]] = {}
        for item in db.pending_work_items:
            for mutation in item.mutations:
                module = Path(mutation.module_path)
                if module not in sources:
                    sources[module] = annotation_spans(module.read_text(encoding="utf-8"))
                start = tuple(mutation.start_pos)
                if any(low <= start < high for low, high in sources[module]):
                    db.set_result(item.job_id, WorkResult(
                        worker_outcome=WorkerOutcome.SKIPPED,
                        output="equivalent: inside a type annotation, which is never evaluated"))
                    skipped += 1
                    break
    print(f"{path.name}: {skipped} mutants inside annotations skipped")
    return 0


def report(paths: list[Path], markdown: bool) -> int:
    """Per module: mutants, skipped, killed, survived, score; then each survivor's diff."""
    totals: Counter[str] = Counter()
    survivors: list[tuple[str, str, str]] = []
    broken: list[str] = []
    rows = []
    for path in paths:
        counts: Counter[str] = Counter()
        with use_db(str(path), WorkDB.Mode.open) as db:
            results = dict(db.results)
            for item in db.work_items:
                result = results.get(item.job_id)
                if result is None:
                    counts["pending"] += 1
                elif result.worker_outcome is WorkerOutcome.SKIPPED:
                    counts["skipped"] += 1
                elif (result.output or "").startswith("no verdict"):
                    counts["no verdict"] += 1  # the case server was not reached: neither killed nor survived
                    broken.append(f"{path.stem}: {result.output.strip()}")
                elif result.test_outcome is TestOutcome.KILLED and not (result.output or "").startswith("killed"):
                    counts["no verdict"] += 1  # a kill without the server's verdict is the harness failing
                    broken.append(f"{path.stem}: killed without a verdict: {(result.output or '').strip()[:200]!r}")
                elif result.test_outcome is TestOutcome.SURVIVED:
                    counts["survived"] += 1
                    mutation = item.mutations[0]
                    where = f"{Path(mutation.module_path).name}:{mutation.start_pos[0]}"
                    survivors.append((where, f"{mutation.operator_name} #{mutation.occurrence}", result.diff or ""))
                else:
                    counts["killed"] += 1  # killed (by a case, or by not even importing)
        run = counts["killed"] + counts["survived"]
        rows.append((path.stem, sum(counts.values()), counts["skipped"], counts["killed"], counts["survived"],
                     counts["no verdict"], counts["pending"], f"{100 * counts['killed'] / run:.1f}%" if run else "-"))
        totals.update(counts)
    run = totals["killed"] + totals["survived"]
    rows.append(("total", sum(totals.values()), totals["skipped"], totals["killed"], totals["survived"],
                 totals["no verdict"], totals["pending"], f"{100 * totals['killed'] / run:.1f}%" if run else "-"))
    head = ("module", "mutants", "skipped", "killed", "survived", "no verdict", "pending", "score")
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(str(v) for v in row) + " |")
    else:
        for row in [head, *rows]:
            print("".join(f"{v!s:>11}" if i else f"{v!s:<12}" for i, v in enumerate(row)))
    for where, operator, diff in survivors:
        print(f"\nsurvived: {where} {operator}")
        changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        print("\n".join(f"    {line}" for line in changed))
    for line in broken:
        print(f"\nno verdict: {line}")
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sessions.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    skip = commands.add_parser("skip-annotations")
    skip.add_argument("session", type=Path)
    shown = commands.add_parser("report")
    shown.add_argument("sessions", type=Path, nargs="+")
    shown.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "skip-annotations":
        return skip_annotations(args.session)
    return report(args.sessions, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
