"""`wbimage-conformance docs check`: documentation pages against the spec and an implementation.

Paths are pages (always checked) or directories: documentation trees, walked for the pages
that touch the Image surface, with their translations (doccheck.tree). `--shard K/N` checks one
part of the selection, translations together (doccheck.shards); `report` merges the parts.

Exit codes follow the rest of the tool: 0 every page holds (warnings and
notes allowed), 1 any error finding, 2 a usage or configuration problem (a file that cannot
be read, an implementation that cannot be loaded, a spec the checker cannot read).
"""

from __future__ import annotations

import argparse
import math
import os
import time

from wbimage_conformance.doccheck import check as checker
from wbimage_conformance.doccheck import render, sessions, shards, tree
from wbimage_conformance.doccheck.progress import PageProgress
from wbimage_conformance.doccheck.required import required_modules
from wbimage_conformance.errors import UsageError
from wbimage_conformance.run import limits, sandbox

NAME = "docs"
HELP = "check documentation pages against the spec and an implementation"
#: The longest time limit per block (a day), and the memory limits (in MB) an example can run
#: under: below the minimum the interpreter and NumPy do not start; above the maximum no host has it.
MAX_TIMEOUT = limits.MAX_TIMEOUT_S
MEMORY_LIMIT_MB = (64, limits.MAX_MEMORY_LIMIT_MB)


def add_arguments(docs: argparse.ArgumentParser) -> None:
    """`docs check PATH... [--impl IMPL] [--format FORMAT]` under the `docs` parser."""
    commands = docs.add_subparsers(dest="docs_command", required=True, parser_class=type(docs))
    check = commands.add_parser("check", help="check documentation pages against the spec and an implementation")
    check.add_argument("files", nargs="+", metavar="PATH",
                       help="Markdown pages (any locale; always checked), or directories: documentation trees, "
                            "whose pages that touch wandb.Image are checked with their translations")
    check.add_argument("--impl", default="reference",
                       help="the implementation the examples run against: reference (default), wandb, MODULE:ATTR, "
                            "an entry-point name, or NAME@/path/to/python")
    check.add_argument("--format", choices=render.FORMATS, default="text")
    check.add_argument("--output", metavar="PATH", help="write the report here instead of standard output")
    check.add_argument("--report", action="append", default=[], type=_target, metavar="FORMAT=PATH",
                       help=f"also write a report into a file (repeatable; FORMAT: {', '.join(render.FORMATS)})")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="the text report lists each page a walk left out, with the reason")
    check.add_argument("--with-translations", action="store_true",
                       help="also check each page's translations: the same path under the tree's other locale roots "
                            "(content/<locale>/, docs/ and i18n/<locale>/docusaurus-plugin-content-docs/current/)")
    check.add_argument("--filter", action="store_true",
                       help="apply the pre-filter to the pages given as files too: one that does not touch the "
                            "Image surface is left out (and listed), as in a directory")
    check.add_argument("--shard", type=shards.ShardSpec.parse, metavar="K/N",
                       help="check only part K of N of the selected pages (translations stay together); "
                            "`wbimage-conformance report` merges the N JSON reports")
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
    check.add_argument("--require-module", action="append", default=[], metavar="NAME",
                       help="the examples need this module (repeatable): an example stopped because it is not "
                            "installed where examples run is an error, not a note, so the check cannot pass "
                            "without running it (the pre-commit hooks pass --require-module torch)")
    check.add_argument("--explain", action="store_true",
                       help="list every sentence about the Image surface with what was made of it (checked "
                            "statements, or not understood)")


def _target(text: str) -> tuple[str, str]:
    """`FORMAT=PATH`, for `--report`."""
    fmt, equals, path = text.partition("=")
    if not equals or not path or fmt not in render.FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=PATH with FORMAT one of "
                                         f"{', '.join(render.FORMATS)}, such as junit=reports/docs.xml")
    return fmt, path


def _check_limits(args: argparse.Namespace) -> None:
    """--timeout and --memory-limit within their ranges: nan, inf or 0 must not mean 'no limit'."""
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= MAX_TIMEOUT):
        raise UsageError(f"--timeout must be positive and finite, at most {MAX_TIMEOUT:g} seconds, not {args.timeout:g}")
    low, high = MEMORY_LIMIT_MB
    if args.memory_limit is not None and not low <= args.memory_limit <= high:
        raise UsageError(f"--memory-limit must be between {low} and {high} MB, not {args.memory_limit}")


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    _check_limits(args)
    directories, files = [], []
    for name in args.files:
        if os.path.isdir(name):
            directories.append(name)
        elif os.path.lexists(name):
            files.append(name)
        else:
            raise UsageError(f"{name}: no such file or directory")
    options = {"timeout": args.timeout, "workers": args.jobs, "run_examples": not args.no_run, "cases": args.cases,
               "sandbox_mode": args.sandbox,
               "memory_limit": args.memory_limit * 1024 * 1024 if args.memory_limit is not None else None,
               "explain": args.explain}
    bar = PageProgress()
    try:
        selection = tree.select(directories, files, with_translations=args.with_translations,
                                filter_files=args.filter, progress=lambda done, total, path: bar("read", done, total, path))
        result = checker.check_selection(selection, args.impl, shard=args.shard, progress=bar if bar.enabled else None,
                                         started=started, **options)
    finally:
        bar.close()
    result = required_modules(result, args.require_module)
    render.emit(result, args.format, args.output, args.report, verbose=args.verbose)
    return 0 if result.ok else 1
