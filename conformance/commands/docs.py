"""`wbimage-conformance docs check`: documentation pages against the spec and an implementation.

Exit codes follow the rest of the tool: 0 every page holds (warnings and
notes allowed), 1 any error finding, 2 a usage or configuration problem (a file that cannot
be read, an implementation that cannot be loaded, a spec the checker cannot read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbimage_conformance.doccheck import check as checker
from wbimage_conformance.doccheck import report, sessions
from wbimage_conformance.errors import UsageError
from wbimage_conformance.run import sandbox

NAME = "docs"
HELP = "check documentation pages against the spec and an implementation"


def add_arguments(docs: argparse.ArgumentParser) -> None:
    """`docs check FILE... [--impl IMPL] [--format text|json]` under the `docs` parser."""
    commands = docs.add_subparsers(dest="docs_command", required=True, parser_class=type(docs))
    check = commands.add_parser("check", help="check documentation pages against the spec and an implementation")
    check.add_argument("files", nargs="+", metavar="FILE", help="Markdown pages (any locale)")
    check.add_argument("--impl", default="reference",
                       help="the implementation the examples run against: reference (default), wandb, MODULE:ATTR, "
                            "an entry-point name, or NAME@/path/to/python")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--output", metavar="PATH", help="write the report here instead of standard output")
    check.add_argument("--timeout", type=float, default=sessions.DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"time limit per block of a page (default {sessions.DEFAULT_TIMEOUT:g})")
    check.add_argument("--jobs", type=int, default=None, metavar="N",
                       help=f"examples run at once (default {checker.default_workers()})")
    check.add_argument("--no-run", action="store_true", help="check without running the examples")
    check.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                       help="where examples run: bwrap (bubblewrap: no network, no view of the caller's files), "
                            "none (unconfined), auto (bwrap where usable; the default)")
    check.add_argument("--cases", nargs="+", metavar="PATH", help="case files or directories (default: the shipped cases)")
    check.add_argument("--memory-limit", type=int, metavar="MB",
                       help="cap each example's address space (RLIMIT_AS, Linux); over it the example fails")
    check.add_argument("--explain", action="store_true",
                       help="list every sentence about the Image surface with what was made of it (checked "
                            "statements, or not understood)")


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, not {args.timeout:g}")
    for name in args.files:
        if not Path(name).exists():
            raise UsageError(f"{name}: no such file")
    result = checker.check_files(args.files, args.impl, timeout=args.timeout, workers=args.jobs,
                                 run_examples=not args.no_run, cases=args.cases, sandbox_mode=args.sandbox,
                                 memory_limit=args.memory_limit * 1024 * 1024 if args.memory_limit else None,
                                 explain=args.explain)
    write = report.write_json if args.format == "json" else report.write_text
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                write(result, out)
        except OSError as exc:
            raise UsageError(f"--output {args.output}: {exc.strerror or exc}") from None
    else:
        write(result, sys.stdout)
    return 0 if result.ok else 1
