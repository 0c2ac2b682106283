"""`wbimage-conformance coverage`: which cases cite each clause of SPEC.md and each of its
statements, and which clauses and statements no case cites."""

from __future__ import annotations

import argparse
import json
import sys

from wbimage_conformance.cases import casefiles

NAME = "coverage"
HELP = "clause and statement -> case ids, and those no case cites"


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
    by_statement = casefiles.statement_coverage(case_set.cases, casefiles.load_statements())
    uncovered_statements = [s for s, ids in by_statement.items() if not ids]
    if args.format == "json":
        json.dump({"clauses": table, "uncovered": uncovered, "unknown": unknown,
                   "statements": by_statement, "uncovered_statements": uncovered_statements,
                   "cases": len(case_set.cases), "case_set_digest": case_set.digest}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(c) for c in [*table, *by_statement]), default=0)
    for name, ids in [*table.items(), *by_statement.items()]:
        shown = ", ".join(ids) if ids else "-- uncovered --"
        print(f"{name:<{width}}  {len(ids):>3}  {shown}")
    print(f"{len(table) - len(uncovered)} of {len(table)} clauses covered by {len(case_set.cases)} cases"
          + (f"; uncovered: {', '.join(uncovered)}" if uncovered else ""))
    print(f"{len(by_statement) - len(uncovered_statements)} of {len(by_statement)} statements covered"
          + (f"; uncovered: {', '.join(uncovered_statements)}" if uncovered_statements else ""))
    return 0
