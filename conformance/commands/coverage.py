"""`wbimage-conformance coverage`: which cases cite each clause of SPEC.md, and which clauses
no case cites."""

from __future__ import annotations

import argparse
import json
import sys

from wbimage_conformance.cases import casefiles

NAME = "coverage"
HELP = "clause -> case ids, and clauses no case cites"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", nargs="+", metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    case_set = casefiles.load_case_set(args.cases)
    clauses = casefiles.load_clauses()
    table = casefiles.coverage(case_set.cases, clauses)
    defined = {c.id for c in clauses}
    uncovered = [c for c, ids in table.items() if not ids and c in defined]
    unknown = sorted(c for c in table if c not in defined)
    if args.format == "json":
        json.dump({"clauses": table, "uncovered": uncovered, "unknown": unknown,
                   "cases": len(case_set.cases), "case_set_digest": case_set.digest}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(c) for c in table), default=0)
    for clause, ids in table.items():
        shown = ", ".join(ids) if ids else "-- uncovered --"
        print(f"{clause:<{width}}  {len(ids):>3}  {shown}")
    print(f"{len(table) - len(uncovered)} of {len(table)} clauses covered by {len(case_set.cases)} cases"
          + (f"; uncovered: {', '.join(uncovered)}" if uncovered else ""))
    return 0
