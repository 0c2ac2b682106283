"""What the spec says about the examples a page's session ran (sessions.py), and what the
page says about them.

Three kinds of verdict come out of one block's outcome:

- *example* findings: the implementation disagrees with the spec on what the example made.
  Every recorded `wandb.Image` call is evaluated by the spec's own evaluator
  (`wbimage_conformance.oracle`, exact arithmetic) on the very input the example built: pixels bit
  for bit, mode, size, format, encoded format, caption.
- *claim* findings: the page says something the spec contradicts ("multiplied by 256",
  "not clipped", a heading's range the data does not have, ".gif" where the code asks for
  jpg). Claims about values are also tried on the implementation: a probe calls
  `wandb.Image` on a tiny input of the example's kind and dtype holding the values the claim
  names, and the implementation's answer is compared with the spec's.
- what stopped a block: the page's own mistake (an error), or what a page may leave to its
  reader (a note that says which wandb.Image calls could therefore not be checked): a name
  the page never defines, a module not installed here, a placeholder, a file or a W&B service
  value the page does not provide, the network.

"0 -> 127.5" is a note, not an error: [norm.truncation] says the pixel is 127 and the
comment describes the real-valued intermediate.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance import oracle
from wbimage_conformance.doccheck import coverage, pyparse, stops
from wbimage_conformance.doccheck.findings import ExampleRun, Finding, Severity
from wbimage_conformance.doccheck.findings import error as report_error, note as report_note, warning as report_warning
from wbimage_conformance.doccheck.claims import Claim
from wbimage_conformance.doccheck.classify import image_calls
from wbimage_conformance.doccheck.sessions import CLIP_PROBE, FACTOR_PROBE, Job, Outcome, PageJob, PageOutcome
from wbimage_conformance.doccheck.specdata import SpecData
from wbimage_conformance.oracle.annotations import box_outside
from wbimage_conformance.run import compare

_BRANCH_CLAUSE = {"unit": "norm.unit", "signed": "norm.signed", "other": "norm.other", "disabled": "norm.disabled"}
_KIND_NAMES = {"pil": "PIL image", "path": "file path", "image": "copied wandb.Image", "other": "value of another type"}
_SPEC_RANGE = {"unit": (Fraction(0), Fraction(1)), "signed": (Fraction(-1), Fraction(1))}


# -- what the spec says about one recorded call ---------------------------------------------


@dataclass(frozen=True)
class Expected:
    pixels: np.ndarray | None = None
    mode: str | None = None
    size: tuple[int, int] | None = None
    format: str | None = None
    encoded: str | None = None
    error: str | None = None           # the exception type the spec names
    reason: str = ""
    clause: str = ""


def expected_for(call: dict[str, Any], arrays: dict[str, np.ndarray]) -> Expected | None:
    """The spec's outcome for a recorded call, or None when the spec does not decide pixels
    here (a copy of another Image)."""
    info = call["input"]
    kwargs = call.get("kwargs", {})
    kind = info.get("kind")
    file_type = kwargs.get("file_type")
    try:
        if kind in ("numpy", "tensor"):
            data = arrays[info["array"]]
            normalize = kwargs.get("normalize", True)
            branch = oracle.branch_of(data, bool(normalize)) if isinstance(normalize, bool) else None
            picture = oracle.image(data, kind, mode=kwargs.get("mode"), file_type=file_type, normalize=normalize)
            outside = box_outside(kwargs.get("boxes"), *picture.size)
            if outside is not None:
                return Expected(error="ValueError", reason=outside, clause="boxes.domain")
            return Expected(picture.pixels, picture.mode, picture.size, picture.format, picture.encoded,
                            clause=_BRANCH_CLAUSE.get(branch or "", "norm.applies"))
        if kind in ("pil", "path"):
            if "array" not in info:
                return Expected(error="ValueError", reason=f"the path does not load: {info.get('unreadable')}",
                                clause="input.path")
            pixels = arrays[info["array"]]
            mode = info.get("mode")
            if kind == "path":
                fmt = Path(info["path"]).suffix.lstrip(".")
                return Expected(pixels, mode, (pixels.shape[1], pixels.shape[0]), fmt, None, clause="input.path")
            fmt = oracle.check_file_type(file_type)
            if fmt in oracle.JPEG_FILE_TYPES and mode not in ("L", "RGB"):
                return Expected(error="ValueError", reason=f"a {mode} PIL image cannot be stored as {fmt}",
                                clause="input.pil")
            height, width = pixels.shape[:2]
            oracle.check_size(width, height)
            return Expected(pixels, mode, (width, height), fmt, oracle.ENCODED_FORMAT[fmt], clause="input.pil")
        if kind == "image":
            return None
        return Expected(error="TypeError", reason=f"a {info.get('type')} is not an accepted input",
                        clause="input.unsupported")
    except oracle.SpecError as exc:
        return Expected(error=exc.error_type, reason=str(exc), clause="")


def compare_call(call: dict[str, Any], expected: Expected, arrays: dict[str, np.ndarray]) -> list[str]:
    """How the implementation's result differs from the spec's (empty: it does not)."""
    error = call.get("error")
    if expected.error is not None:
        if error is None:
            return [f"returned an image where the spec raises {expected.error} ({expected.reason})"]
        names = [error["type"], *error.get("bases", [])]
        return [] if expected.error in names else [(f"raised {error['type']}: {error['message']}; the spec raises "
                                                   f"{expected.error} ({expected.reason})")]
    if error is not None:
        return [f"raised {error['type']}: {error['message']}"]
    observed = call.get("observed") or {}
    problems = []
    if expected.pixels is not None:
        problems += _pixel_problems(expected.pixels, arrays.get(observed.get("pixels") or ""))
    is_path = (call.get("input") or {}).get("kind") == "path"
    problems += [problem for name in ("mode", "format", "encoded")
                 if (problem := _field_problem(name, getattr(expected, name), observed.get(name), is_path))]
    if expected.size is not None and observed.get("size") is not None and tuple(observed["size"]) != tuple(expected.size):
        problems.append(f"size {tuple(observed['size'])}; the spec's is {tuple(expected.size)}")
    caption = call.get("kwargs", {}).get("caption")
    if isinstance(caption, str) and observed.get("caption") != caption:
        problems.append(f"caption {observed.get('caption')!r}; the call passed {caption!r}")
    return problems


def _pixel_problems(want: np.ndarray, pixels: np.ndarray | None) -> list[str]:
    if pixels is None:
        return ["its image has no readable pixels"]
    mismatch = compare.compare_pixels(_digest(want), pixels)
    if mismatch is None:
        return []
    stats = compare.difference_stats(want, pixels) if pixels.shape == want.shape else None
    if not stats:
        return ["pixels: " + str(mismatch.detail.get("summary", "differ"))]
    return [f"pixels: {stats['differing']} of {stats['total']} values differ; first at "
            f"{tuple(stats['first_index'])}: the spec gives {stats['expected_at_first']}, "
            f"the implementation {stats['actual_at_first']}"]


def _field_problem(name: str, want: Any, got: Any, is_path: bool) -> str | None:
    """A mode, format or encoding that differs from the spec's; a path's format is compared
    without case (the file's extension decides its spelling), and a missing encoding is not
    a difference."""
    if want is None or (name == "encoded" and got is None):
        return None
    if name == "format" and isinstance(got, str) and is_path:
        return None if got.lower() == str(want).lower() else f"format {got!r}; the spec's is {want!r}"
    return None if got == want else f"{name} {got!r}; the spec's is {want!r}"


def _digest(pixels: np.ndarray) -> dict[str, Any]:
    import hashlib

    return {"shape": list(pixels.shape), "sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()}


# -- evaluating one example -----------------------------------------------------------------


@dataclass
class _Context:
    job: Job
    outcome: Outcome
    spec: SpecData
    cases: tuple[str, ...]
    page_job: PageJob
    stopped: dict[int, int] = field(default_factory=dict)   # fence line of an earlier block -> line it stopped at
    out: list[Finding] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.job.page.path

    @property
    def subject(self) -> str:
        return self.job.block.key or self.job.block.kind

    def add(self, severity: str, check: str, line: int, message: str, clauses: tuple[str, ...] = (),
            cases: tuple[str, ...] | None = None) -> None:
        make = {"error": report_error, "warning": report_warning, "note": report_note}[severity]
        self.out.append(make(check, self.path, line, self.subject, message, clauses=clauses,
                             cases=self.cases if cases is None else cases))

    def page_line(self, code_line: int | None) -> int:
        return self.job.block.block.page_line(code_line) if code_line else self.job.block.line

    def calls(self, role: str = "example") -> list[dict[str, Any]]:
        return [c for c in self.outcome.reply.get("calls", []) if c.get("role") == role]

    def probe_calls(self, probe_id: str) -> list[dict[str, Any]]:
        return [c for c in self.calls("probe") if c.get("probe") == probe_id]


def evaluate_page(job: PageJob, outcome: PageOutcome, spec: SpecData, impl: str
                  ) -> tuple[list[Finding], list[ExampleRun]]:
    """Every block of a page's session: findings and one run record per block."""
    found: list[Finding] = []
    runs: list[ExampleRun] = []
    if outcome.status != "ok" and job.jobs:  # the page did not run: one finding, on its first block
        first = job.jobs[0]
        found, _ = evaluate(first, outcome.block(first.number), spec, impl, job)
        status = {"timeout": "timeout", "skipped": "skipped"}.get(outcome.status, "error")
        runs = [ExampleRun(job.page.path, j.block.line, j.block.key or j.block.kind, status,
                             round(outcome.duration_s, 3), 0, (), outcome.message) for j in job.jobs]
        return found, runs
    stopped: dict[int, int] = {}
    for block_job in job.jobs:
        block_outcome = outcome.block(block_job.number)
        more, run = evaluate(block_job, block_outcome, spec, impl, job, stopped)
        found.extend(more)
        runs.append(run)
        if block_outcome.status != "ok":
            error = block_outcome.reply.get("error") or {}
            failed_line = error.get("line")
            stopped[block_job.block.line] = block_job.block.block.page_line(failed_line) \
                if failed_line else block_job.block.line
    return found, runs


def evaluate(job: Job, outcome: Outcome, spec: SpecData, impl: str, page_job: PageJob,
             stopped: dict[int, int] | None = None) -> tuple[list[Finding], ExampleRun]:
    page, block = job.page, job.block
    cases = tuple(coverage.case_ids(page, block.key, spec))
    ctx = _Context(job, outcome, spec, cases, page_job, dict(stopped or {}))
    if outcome.status == "timeout":
        ctx.add("error", "example", block.line, outcome.message)
    elif outcome.status == "skipped":
        ctx.add("warning", "example", block.line, f"not run: {outcome.message}")
    elif outcome.status in ("crash", "sandbox-error"):
        ctx.add("error", "example", block.line, f"the example could not be run: {outcome.message}")
    else:
        _check_raised(ctx, impl)
        _check_calls(ctx, impl)
        for index, claim in enumerate(job.claims):
            _check_claim(ctx, claim, job.probe_of.get(index), impl)
    errors = [f for f in ctx.out if f.severity is Severity.ERROR]
    status = {"timeout": "timeout", "skipped": "skipped", "crash": "error", "sandbox-error": "error"}.get(
        outcome.status, "failed" if errors else ("stopped" if outcome.status == "raised" else "passed"))
    logged = tuple(sorted({k for log in outcome.reply.get("logs", []) for k in log.get("keys", {})}))
    message = outcome.message
    if not message and ctx.out and status in ("failed", "stopped"):  # say what, in one line
        first = errors[0] if errors else ctx.out[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = f"[{first.check}] line {first.line}: {first.message}{more}"
    run = ExampleRun(page.path, block.line, block.key or block.kind, status, round(outcome.duration_s, 3),
                       len(ctx.calls()), logged, message)
    return ctx.out, run


def _unchecked_calls(ctx: _Context, code_line: int | None) -> list[int]:
    """Page lines of the block's wandb.Image calls that did not run because it stopped at
    `code_line`: those in the top-level statement holding that line and after it."""
    tree = ctx.job.block.tree
    if tree is None:
        return []
    recorded = {c.get("line") for c in ctx.calls()}
    start = code_line or 1
    for statement in tree.body:
        if statement.lineno <= start <= (statement.end_lineno or statement.lineno):
            start = statement.lineno
            break
    return sorted({ctx.page_line(call.lineno) for call in image_calls(tree)
                   if call.lineno >= start and call.lineno not in recorded})


def _with_unchecked(ctx: _Context, message: str, code_line: int | None) -> str:
    lines = _unchecked_calls(ctx, code_line)
    if not lines:
        return message
    shown = ", ".join(map(str, lines[:6])) + (", ..." if len(lines) > 6 else "")
    return f"{message}; the wandb.Image call(s) at line(s) {shown} were therefore not checked"


def _check_raised(ctx: _Context, impl: str) -> None:
    error = ctx.outcome.reply.get("error")
    if ctx.outcome.status != "raised" or not error:
        return
    line = ctx.page_line(error.get("line"))
    failed_call = next((c for c in ctx.calls() if c.get("error")), None)
    if failed_call is not None and error.get("origin") == "implementation":
        _check_failed_call(ctx, impl, error, failed_call, line)
        return
    stop = stops.explain(error, ctx.job, ctx.page_job.names, ctx.stopped, line)
    if stop.severity:
        message = stop.message if stop.severity == "error" else _with_unchecked(ctx, f"stops here: {stop.message}",
                                                                                error.get("line"))
        ctx.add(stop.severity, "example", line, message)


def _check_failed_call(ctx: _Context, impl: str, error: dict[str, Any], call: dict[str, Any], line: int) -> None:
    """The block stopped inside wandb.Image: the spec decides whether the example or the
    implementation is wrong."""
    if call["input"].get("type") == "ellipsis" or line in ctx.page_job.names.placeholder_lines:
        ctx.add("note", "example", line, _with_unchecked(
            ctx, f"stops here: wandb.Image got a placeholder the reader fills in (`...`): {error['type']}: "
                 f"{error['message']}", error.get("line")))
        return
    if call["input"].get("kind") == "path" and "No such file" in str(call["input"].get("unreadable")):
        ctx.add("note", "example", line, _with_unchecked(
            ctx, f"stops here: wandb.Image is given a file the page does not provide ({call['input'].get('path')!r})",
            error.get("line")))
        return
    expected = expected_for(call, ctx.outcome.arrays)
    if expected is not None and expected.error is not None:
        line = _literal_line(ctx, error.get("line"), expected.reason) or line
        ctx.add("error", "example", line,
                f"the example itself is wrong: the spec raises {expected.error} on this wandb.Image call "
                f"({expected.reason}), and so does the implementation ({error['type']})",
                (expected.clause,) if expected.clause else ())
        return
    ctx.add("error", "example", line,
            f"the implementation ({impl}) raises {error['type']} in wandb.Image: {error['message']}",
            (expected.clause,) if expected and expected.clause else ())


_PATH_STEP = re.compile(r"\[('(?:[^'\\]|\\.)*'|\d+)\]")


def _literal_line(ctx: _Context, code_line: int | None, reason: str) -> int | None:
    """The page line of the part of a literal argument a spec error names, e.g. the box
    `boxes['predictions']['box_data'][1]`, when the call writes it out; else None."""
    match = re.match(r"(\w+)((?:\[[^\]]+\])+)", reason)
    tree = ctx.job.block.tree
    if match is None or tree is None or code_line is None:
        return None
    calls = [c for c in image_calls(tree) if c.lineno <= code_line <= (c.end_lineno or c.lineno)]
    node = next((k.value for c in calls for k in c.keywords if k.arg == match.group(1)), None)
    for step in _PATH_STEP.findall(match.group(2)):
        if isinstance(node, ast.Dict) and step.startswith("'"):
            try:
                key = pyparse.literal(step)
            except ValueError:
                return None
            node = next((v for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and k.value == key), None)
        elif isinstance(node, (ast.List, ast.Tuple)) and step.isdigit() and int(step) < len(node.elts):
            node = node.elts[int(step)]
        else:
            return None
    return ctx.page_line(node.lineno) if node is not None else None


def _check_calls(ctx: _Context, impl: str) -> None:
    """One finding per source line of a wandb.Image call (a loop makes several calls there):
    the first differing call's differences, and how many of the line's calls differ."""
    by_line: dict[Any, list[tuple[dict[str, Any], Expected, list[str]]]] = {}
    for call in ctx.calls():
        if call.get("error"):
            continue  # reported by _check_raised (the example stopped there)
        expected = expected_for(call, ctx.outcome.arrays)
        if expected is None:
            continue
        compared = compare_call(call, expected, ctx.outcome.arrays)
        by_line.setdefault(call.get("line"), []).append((call, expected, compared))
    for line, results in by_line.items():
        differing = [r for r in results if r[2]]
        if not differing:
            continue
        call, expected, problems = differing[0]
        count = (f" ({len(differing)} of the {len(results)} calls made here differ; the first:)"
                 if len(results) > 1 else "")
        clause = (expected.clause,) if expected.clause else ()
        ctx.add("error", "example", ctx.page_line(line),
                f"the implementation ({impl}) differs from the spec on this example's wandb.Image call "
                f"({_describe_input(call)}){count}: " + "; ".join(problems), clause)


def _describe_input(call: dict[str, Any]) -> str:
    info = call["input"]
    kind = info.get("kind")
    if kind in ("numpy", "tensor"):
        return f"{info.get('dtype')} {kind} of shape {tuple(info.get('shape', ()))}"
    if kind == "pil":
        return f"{info.get('mode')} PIL image"
    return str(kind)


def _target_call(ctx: _Context, claim: Claim) -> dict[str, Any] | None:
    calls = ctx.calls()
    if claim.target.startswith("call:"):
        line = int(claim.target.split(":", 1)[1])
        return next((c for c in calls if c.get("line") == line), None)
    return calls[0] if calls else None


def _input_array(ctx: _Context, call: dict[str, Any]) -> np.ndarray | None:
    info = call["input"]
    if info.get("kind") in ("numpy", "tensor") and info.get("array") in ctx.outcome.arrays:
        return ctx.outcome.arrays[info["array"]]
    return None


def _f(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else repr(float(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6g}"
    return str(value)


def _check_claim(ctx: _Context, claim: Claim, probe_id: str | None, impl: str) -> None:
    said = f"the page says {claim.describe()} ({claim.text!r})"
    if claim.kind == "range":
        _check_range(ctx, claim, said)
        return
    if claim.kind == "default-format":
        if claim.values[0] != "png":
            ctx.add("error", "claim", claim.line, f"{said}; the spec's default file type is png ([file-type.default])",
                    ("file-type.default",))
        return
    if claim.kind == "format":
        _check_format(ctx, claim, said)
        return
    call = _target_call(ctx, claim)
    if call is None:
        ctx.add("note", "claim", claim.line, f"{said}; not checked: the example made no wandb.Image call there")
        return
    kind = call["input"].get("kind")
    normalize = call.get("kwargs", {}).get("normalize", True)
    if claim.kind in ("normalized", "not-normalized"):
        applied = kind in ("numpy", "tensor") and normalize is not False
        if claim.kind == "not-normalized" and applied:
            ctx.add("error", "claim", claim.line, f"{said}; but the call passes a {kind} with normalize left True, "
                    "which the spec normalizes ([norm.applies])", ("norm.applies",))
        elif claim.kind == "normalized" and not applied:
            why = ("normalize=False" if kind in ("numpy", "tensor")
                   else f"a {_KIND_NAMES.get(kind, kind)} is used as it is")
            ctx.add("error", "claim", claim.line, f"{said}; but {why} ([norm.applies])", ("norm.applies", "input.pil"))
        return
    data = _input_array(ctx, call)
    if claim.kind in ("rescaled", "not-rescaled"):
        _check_rescaled(ctx, claim, said, kind, normalize, data)
        return
    if data is None:
        ctx.add("note", "claim", claim.line,
                f"{said}; not checked: the call's input is a {kind}, not an array or tensor")
        return
    branch = oracle.branch_of(data, normalize is not False) if isinstance(normalize, bool) else "other"
    clause = _BRANCH_CLAUSE[branch]
    probe = ctx.probe_calls(probe_id)[0] if probe_id and ctx.probe_calls(probe_id) else None
    if claim.kind == "factor":
        _check_factor(ctx, claim, said, branch, data, probe, impl)
    elif claim.kind == "mapping":
        _check_mapping(ctx, claim, said, branch, data, probe, impl)
    elif claim.kind in ("clip", "no-clip"):
        _check_clip(ctx, claim, said, "norm.disabled" if normalize is False else "norm.other", probe, impl)
    else:
        ctx.add("note", "claim", claim.line, f"{said}; not a kind of claim this checker evaluates ({clause})")


def _check_rescaled(ctx: _Context, claim: Claim, said: str, kind: str, normalize: Any, data: np.ndarray | None) -> None:
    """Rescaling happens for arrays and tensors in [0, 1] or [-1, 1] with normalize=True; with
    normalize=False values are only clipped, other data only clipped, PIL images kept."""
    if kind not in ("numpy", "tensor"):
        rescaled, why = False, f"a {_KIND_NAMES.get(kind, kind)} is used as it is ([input.pil], [norm.applies])"
        clause = "norm.applies"
    elif normalize is False:
        rescaled, why, clause = False, "with normalize=False values are only clipped to [0, 255]", "norm.disabled"
    elif data is not None:
        branch = oracle.branch_of(data, True)
        clause = _BRANCH_CLAUSE[branch]
        rescaled = branch in ("unit", "signed")
        why = f"this data takes [{clause}]" + ("" if rescaled else ", which only clips")
    else:
        return
    if claim.kind == "rescaled" and not rescaled:
        ctx.add("error", "claim", claim.line, f"{said}; but {why}", (clause,))
    elif claim.kind == "not-rescaled" and rescaled:
        ctx.add("error", "claim", claim.line, f"{said}; but {why}, which rescales", (clause,))


def _probe_table(ctx: _Context, probe: dict[str, Any] | None) -> list[tuple[float, int, int | None]]:
    """(input value, the spec's pixel, the implementation's pixel or None) for a probe call."""
    if probe is None:
        return []
    data = _input_array(ctx, probe)
    if data is None:
        return []
    expected = expected_for(probe, ctx.outcome.arrays)
    if expected is None or expected.pixels is None:
        return []
    spec_values = expected.pixels.reshape(-1)
    pixels = ctx.outcome.arrays.get((probe.get("observed") or {}).get("pixels") or "")
    got = (pixels.reshape(-1) if pixels is not None and pixels.size == spec_values.size and not probe.get("error")
           else None)
    return [(float(v), int(spec_values[i]), int(got[i]) if got is not None else None)
            for i, v in enumerate(data.reshape(-1))]


def _check_probe_against_spec(ctx: _Context, claim: Claim, probe: dict[str, Any] | None, clause: str,
                              impl: str, values: list[float]) -> None:
    """The implementation's answer to a probe against the spec's, for the claimed values."""
    if probe is None:
        return
    if probe.get("error"):
        error = probe["error"]
        expected = expected_for(probe, ctx.outcome.arrays)
        if expected is not None and expected.error is None:
            ctx.add("error", "example", claim.line, f"the implementation ({impl}) raises {error['type']} on "
                    f"{_describe_input(probe)} holding {', '.join(_f(v) for v in values)} (probe of the claim "
                    f"{claim.describe()!r}): {error['message']}", (clause,))
        return
    wrong = [(v, s, i) for v, s, i in _probe_table(ctx, probe) if i is not None and i != s and v in values]
    if wrong:
        shown = ", ".join(f"{_f(v)} → {i} (spec: {s})" for v, s, i in wrong[:4])
        ctx.add("error", "example", claim.line, f"the implementation ({impl}) does not do what the spec says for "
                f"the values this claim is about: {shown} ({_describe_input(probe)})", (clause,))
        return
    expected = expected_for(probe, ctx.outcome.arrays)
    problems = compare_call(probe, expected, ctx.outcome.arrays) if expected is not None else []
    if problems:
        ctx.add("error", "example", claim.line, f"the implementation ({impl}) differs from the spec on "
                f"{_describe_input(probe)} holding {', '.join(_f(v) for v in values)} (probe of the claim "
                f"{claim.describe()!r}): " + "; ".join(problems), (clause,))


def _check_factor(ctx: _Context, claim: Claim, said: str, branch: str, data: np.ndarray,
                  probe: dict[str, Any] | None, impl: str) -> None:
    factor = claim.values[0]
    low, high = _data_range(data)
    if branch != "unit":
        ctx.add("error", "claim", claim.line, f"{said}; but this data is in [{_f(low)}, {_f(high)}], which takes "
                f"[{_BRANCH_CLAUSE[branch]}], not the multiplication by 255 of [norm.unit]",
                (_BRANCH_CLAUSE[branch], "norm.unit"))
    elif factor != 255:
        table = _probe_table(ctx, probe)
        evidence = [(v, s) for v, s, _ in table if v in FACTOR_PROBE and math.floor(v * float(factor)) != s]
        shown = "; ".join(f"{_f(v)} → {s} by the spec, {math.floor(v * float(factor))} by the page's rule"
                          for v, s in evidence[:2])
        shown_part = f" ({shown})" if shown else ""
        ctx.add("error", "claim", claim.line, f"{said}; [norm.unit] multiplies by 255{shown_part}",
                ("norm.unit",), tuple(ctx.spec.cases_for_clause("norm.unit", ctx.job.page.locale, 4)) + ctx.cases)
    _check_probe_against_spec(ctx, claim, probe, "norm.unit", impl, list(FACTOR_PROBE))


def _check_mapping(ctx: _Context, claim: Claim, said: str, branch: str, data: np.ndarray,
                   probe: dict[str, Any] | None, impl: str) -> None:
    table = {v: s for v, s, _ in _probe_table(ctx, probe)}
    fmt = oracle.format_of(data.dtype)
    clause = _BRANCH_CLAUSE[branch]
    for a, b in claim.values:
        spec_value = table.get(float(a))
        if spec_value is None:
            spec_value = oracle.normalize_value(oracle.exact_value(float(a)), branch, fmt) if branch != "disabled" \
                else oracle.normalize_value(oracle.exact_value(float(a)), "disabled", fmt)
        if b == spec_value:
            continue
        if b.denominator != 1 and math.floor(b) == spec_value and 0 <= b < 256:
            ctx.add("note", "claim", claim.line, f"the page says {_f(a)} → {_f(b)}; the pixel is {spec_value}: the "
                    f"conversion to uint8 truncates the real-valued {_f(b)} ([norm.truncation]); informative, not an "
                    f"error", ("norm.truncation", clause))
            continue
        ctx.add("error", "claim", claim.line, f"the page says {_f(a)} → {_f(b)}; for this data [{clause}] gives "
                f"{_f(a)} → {spec_value}", (clause,))
    _check_probe_against_spec(ctx, claim, probe, clause, impl, [float(a) for a, _ in claim.values])


def _check_clip(ctx: _Context, claim: Claim, said: str, clause: str, probe: dict[str, Any] | None, impl: str) -> None:
    table = _probe_table(ctx, probe)
    evidence = "; ".join(f"{_f(v)} → {s}" for v, s, _ in table if v in (-4.0, 300.0))
    if claim.kind == "no-clip":
        ctx.add("error", "claim", claim.line, f"{said}; [{clause}] clips every value to [0, 255]"
                + (f" (spec: {evidence})" if evidence else ""), (clause,), _clip_cases(ctx, clause))
    elif claim.values and tuple(claim.values) != (0, 255):
        low, high = claim.values
        ctx.add("error", "claim", claim.line, f"{said}; [{clause}] clips to [0, 255], not [{_f(low)}, {_f(high)}]"
                + (f" (spec: {evidence})" if evidence else ""), (clause,), _clip_cases(ctx, clause))
    _check_probe_against_spec(ctx, claim, probe, clause, impl, list(CLIP_PROBE))


def _clip_cases(ctx: _Context, clause: str) -> tuple[str, ...]:
    return tuple(ctx.spec.cases_for_clause(clause, ctx.job.page.locale, 4)) + ctx.cases


def _data_range(data: np.ndarray) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        if data.dtype.kind == "f":
            return float(np.nanmin(data)), float(np.nanmax(data))
        return float(data.min()), float(data.max())


def _check_range(ctx: _Context, claim: Claim, said: str) -> None:
    low, high = claim.values
    if claim.target.startswith("variable:"):
        name = claim.target.split(":", 1)[1]
        stats = ctx.outcome.reply.get("variables", {}).get(name)
        if stats is None:
            return  # not an array: the words are about something else
        found, what = (stats["min"], stats["max"]), f"{name}"
    else:
        call = _target_call(ctx, claim)
        data = _input_array(ctx, call) if call is not None else None
        if data is None:
            return
        found, what = _data_range(data), "the data passed to wandb.Image"
    if not (low <= Fraction(found[0]) and Fraction(found[1]) <= high):
        ctx.add("error", "claim", claim.line, f"{said}; running the example, {what} holds values in "
                f"[{_f(found[0])}, {_f(found[1])}], outside [{_f(low)}, {_f(high)}]", ("norm.range",))
        return
    if claim.target == "example" and ctx.calls():
        call = ctx.calls()[0]
        data = _input_array(ctx, call)
        normalize = call.get("kwargs", {}).get("normalize", True)
        if data is not None and normalize is not False:
            branch = oracle.branch_of(data, True)
            for name, (a, b) in _SPEC_RANGE.items():
                if (low, high) == (a, b) and branch != name:
                    ctx.add("error", "claim", claim.line, f"{said}; but the data takes [{_BRANCH_CLAUSE[branch]}], "
                            f"not [{_BRANCH_CLAUSE[name]}]", (_BRANCH_CLAUSE[branch],))


def _check_format(ctx: _Context, claim: Claim, said: str) -> None:
    wanted = claim.values[0]
    family = {"jpg": "jpeg", "jpeg": "jpeg"}
    for call in ctx.calls():
        expected = expected_for(call, ctx.outcome.arrays)
        if expected is None or expected.format is None:
            continue
        if family.get(expected.format, expected.format) != family.get(wanted, wanted):
            ctx.add("error", "claim", claim.line, f"{said}; but the example's images have format "
                    f"{expected.format!r} (file_type={call.get('kwargs', {}).get('file_type')!r}, "
                    "[file-type.accepted])", ("file-type.accepted", "file-type.default"))
            return
