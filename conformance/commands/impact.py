"""`wbimage-conformance impact --from A --to B DIR|FILES...`: what an upgrade does to a project's
own images.

    wbimage-conformance impact --from 0.28.2 --to 0.31.0 capture/
    wbimage-conformance impact --from 0.28.2 --to spec capture/ --format html --output impact.html
    wbimage-conformance impact --from 0.20.1 --to 0.28.2 capture/ --verify --fail-on degraded
    wbimage-conformance impact --from 0.31.0 --to mypkg.images:Image capture/ sample.npy

A side is a wandb release (computed by its family's model, impact/models.py; `--real` runs the
release itself, in a virtualenv made in the user cache folder or `--venvs`), `spec` (the
reference implementation), or anything `run --impl` accepts (always run for real, in its worker
and sandbox). `--verify` runs the real releases on the first samples of each site and compares
them with the models; a disagreement is reported and the real pixels are used.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path

from wbimage_conformance.commands import outputs
from wbimage_conformance.errors import UsageError
from wbimage_conformance.impact import engine, models, render_text, samples
from wbimage_conformance.impact.real import DEFAULT_TIMEOUT, RealSide
from wbimage_conformance.run import sandbox
from wbimage_conformance.stored import writing

NAME = "impact"
HELP = "what moving from one wandb release (or implementation) to another does to a capture's images"
EXIT_CODES = ("exit codes: 0 nothing --fail-on names; 1 --fail-on matched (or a sample got no answer, so a change "
              "cannot be ruled out); 2 a usage or configuration error; 3 --verify found a release model that "
              "disagrees with its real release (the report uses the real pixels)")
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"
DEFAULT_VERIFY_SAMPLES = 5


#: Each format's writer: (module under wbimage_conformance.impact, function), imported when used.
WRITERS = {"text": ("render_text", "render"), "json": ("render_json", "render"), "html": ("render_html", "html"),
           "markdown": ("render_markdown", "markdown")}


def rendered(fmt: str, impact: engine.Impact) -> str:
    module, function = WRITERS[fmt]
    return str(getattr(importlib.import_module(f"wbimage_conformance.impact.{module}"), function)(impact))


FORMATS = tuple(WRITERS)


def _target(text: str) -> tuple[str, str]:
    fmt, equals, path = text.partition("=")
    if not equals or not path or fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}")
    return fmt, path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wbimage_conformance.history import venvs

    parser.add_argument("inputs", nargs="+", metavar="DIR|FILE",
                        help="capture folders (or their manifest.json), .npy arrays, image files")
    parser.add_argument("--from", dest="before", required=True, metavar="SIDE",
                        help="a wandb release (0.28.2), spec, or an implementation as run --impl takes it")
    parser.add_argument("--to", dest="after", required=True, metavar="SIDE", help="the same kinds as --from")
    parser.add_argument("--real", action="store_true",
                        help="run the releases themselves for every sample instead of their models")
    parser.add_argument("--verify", action="store_true",
                        help="also run the real releases on the first samples of each site and compare with the models")
    parser.add_argument("--verify-samples", type=int, default=DEFAULT_VERIFY_SAMPLES, metavar="N",
                        help=f"samples per site --verify runs (default {DEFAULT_VERIFY_SAMPLES}; 0: every sample)")
    parser.add_argument("--fail-on", choices=("changed", "degraded"), default=None,
                        help="exit 1 when a sample changed (or only: degraded: became black, white, flat, "
                             "scrambled, or raises)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="the report on standard output (default text)")
    parser.add_argument("--output", metavar="PATH", help="write the --format report here instead of standard output")
    parser.add_argument("--report", action="append", type=_target, default=[], metavar="FORMAT=PATH",
                        help="one more report into a file (repeatable)")
    parser.add_argument("--venvs", type=Path, metavar="DIR",
                        help=f"where release virtualenvs are made or found (default {venvs.default_root()})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="per sample, for real implementations")
    parser.add_argument("--sandbox", choices=sandbox.MODES, default="auto")


def _say(message: str) -> None:
    print(f"wbimage-conformance: impact: {message}", file=sys.stderr, flush=True)


def _release(given: str) -> str | None:
    """The wandb release a side names: `0.28.2`, also spelled `v0.28.2` or `wandb==0.28.2`."""
    match = re.fullmatch(r"(?:wandb==|v)?(\d+\.\d+\.\d+)", given.strip())
    return match.group(1) if match else None


def _side(given: str, args: argparse.Namespace) -> engine.Side:
    if given == "spec":
        return engine.Side(given, models.SpecModel())
    release = _release(given)
    if release is None:
        real = RealSide(given, timeout=args.timeout, sandbox_mode=args.sandbox)
        return engine.Side(given, None, real, real_only=True)
    given = release
    model = models.release_model(given)
    if model is None:
        _say(f"no model of wandb {given} (no family of the measured releases, {models.FIRST_MEASURED} to "
             f"{models.LAST_MEASURED}, holds it): the release itself is run")
    if model is not None and not (args.real or args.verify):
        return engine.Side(given, model)
    from wbimage_conformance.history import venvs

    try:
        python = venvs.ensure_release(args.venvs or venvs.default_root(), given, _say)
    except venvs.VenvError as exc:
        raise UsageError(f"impact: wandb {given}: {exc}") from None
    real = RealSide(f"wandb@{python}", timeout=args.timeout, sandbox_mode=args.sandbox)
    return engine.Side(given, model, real, real_only=model is None or args.real)


def _history_note(before: str, after: str) -> str | None:
    """What the saved history says of the two releases, on the suite's own pixel cases."""
    before, after = _release(before) or "", _release(after) or ""
    if not (before and after):
        return None
    from wbimage_conformance.history import agreement, packed

    runs = {run.version: run for run in packed.load()}
    if before not in runs or after not in runs:
        return None
    found = agreement.between(runs[before], runs[after])
    note = (f"the saved history: wandb {before} and {after} give the same outcome on {found.same} of "
            f"{found.compared} of the suite's pixel cases")
    if found.differing:
        common = "; ".join(f"{cause} ({count})" for cause, count in found.most_common(2))
        note += f"; they differ on {len(found.differing)}, most for: {common}"
    return note


def run(args: argparse.Namespace) -> int:
    if args.verify_samples < 0:
        raise UsageError(f"impact: --verify-samples must be 0 or more, not {args.verify_samples}")
    if args.timeout != args.timeout or not 0 < args.timeout <= 3600:
        raise UsageError(f"impact: --timeout must be a number of seconds from 0 to 3600, not {args.timeout}")
    found = samples.read(args.inputs)
    if not found:
        raise UsageError("impact: the inputs hold no sample")
    for target in [args.output, *(path for _, path in args.report)]:
        if target:
            outputs.prepare_path(target)
    before, after = _side(args.before, args), _side(args.after, args)
    verify = (-1 if args.verify_samples == 0 else args.verify_samples) if args.verify else 0
    impact = engine.compute(found, before, after, verify_per_site=verify)
    note = _history_note(args.before, args.after)
    if note:
        impact.notes.append(note)
    _emit(impact, args)
    return _exit_code(impact, args.fail_on)


def _emit(impact: engine.Impact, args: argparse.Namespace) -> None:
    text = rendered(args.format, impact)
    if args.output:
        writing.replace_text(Path(args.output), text)
        _say(f"{args.format} report written: {args.output}")
    else:
        sys.stdout.write(text)
    if args.format != "text" or args.output:
        sys.stderr.write(render_text.render(impact))
    for fmt, path in args.report:
        writing.replace_text(Path(path), rendered(fmt, impact))
        _say(f"{fmt} report written: {path}")
    summary = os.environ.get(STEP_SUMMARY)
    if summary:
        with open(summary, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(rendered("markdown", impact) + "\n")


def _exit_code(impact: engine.Impact, fail_on: str | None) -> int:
    if impact.models_disagree:
        return 3
    if fail_on is None:
        return 0
    wanted = ("degraded",) if fail_on == "degraded" else ("degraded", "changed")
    return 1 if any(impact.count(verdict) for verdict in (*wanted, "unknown")) else 0
