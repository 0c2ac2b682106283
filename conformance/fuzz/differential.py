"""Differential fuzzing: two implementations on the same generated inputs, every minimal
disagreement turned into a case whose expectation comes from the spec.

Why: hand-written cases only check what someone thought of. Here Hypothesis draws `Image`
calls from `wbimage_conformance.fuzz.strategies`, both implementations answer each one in their own
worker processes (`runner.Session`, the JSON-lines protocol; nothing runs in this process),
and any difference in pixels, metadata or outcome is a disagreement. Hypothesis then shrinks
it to a minimal input, and that input becomes a case file. The expected values of the case
are computed by `wbimage_conformance.oracle`, the spec's own exact evaluator: never by the
implementation under test and never by the one it is compared with, so the new case judges
both.

Reproducible: Hypothesis runs with a fixed seed, no example database, no time-dependent
phases and without the literals it would otherwise mine from the caller's own loaded modules
(which depend on what happens to be imported, and change with every edit of the code), so the
same seed, the same implementations, the same Hypothesis and the same `--max-examples` give
the same examples, the same findings and byte-identical case files.

Disagreements are told apart by which fields differ (pixels, mode, error, ...); each kind is
shrunk on its own, so one run can report several.

The oracle and Hypothesis are imported when a search starts, not with this module, so the
command line can list `fuzz` without them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance.cases import casefiles as case_files
from wbimage_conformance.cases import materialize, writer
from wbimage_conformance.model import Case, Mismatch, Observation, Result, Status
from wbimage_conformance.run import compare, runner

if sys.version_info >= (3, 11):  # built in from Python 3.11; Hypothesis brings the backport before that
    _ExceptionGroup = BaseExceptionGroup  # noqa: F821 - a builtin from 3.11, the branch taken only there
else:  # pragma: no cover - Python 3.10
    from exceptiongroup import BaseExceptionGroup as _ExceptionGroup

DEFAULT_MAX_EXAMPLES = 500
_IMAGE_KWARGS = ("mode", "file_type", "normalize", "caption")
_FIELDS_COMPARED = ("mode", "format", "caption", "grouping")


class FuzzError(runner.RunnerError):
    """A usage or configuration problem (exit code 2)."""


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A minimal example on which the two implementations answered differently."""

    example: Any                      # strategies.ImageCall
    fields: tuple[str, ...]           # what differs: pixels, mode, error, outcome, ...
    details: tuple[str, ...]          # one line per difference
    impl_outcome: str                 # what the implementation under test did, one line
    against_outcome: str              # what the other one did
    flaky: bool = False               # Hypothesis could not repeat it at the end


@dataclass(frozen=True)
class Finding:
    """A disagreement and what became of it: a case (with the verdicts of both
    implementations on it, and where it was written) or the reason there is none."""

    disagreement: Disagreement
    case_id: str | None = None
    expectation: str = ""             # the oracle's answer, one line
    clauses: tuple[str, ...] = ()
    verdicts: tuple[tuple[str, str], ...] = ()   # (implementation label, status)
    path: Path | None = None
    not_written: str = ""             # why no case exists (the oracle cannot express it)


@dataclass(frozen=True)
class FuzzReport:
    impl: str
    against: str
    seed: int
    max_examples: int
    calls: int                        # probes made, generation and shrinking together
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.findings


# -- comparing two answers -----------------------------------------------------------------


def probe_case(example: Any) -> Case:
    """The example as a case without expectations, to send through a Session."""
    return Case(id="fuzz-probe", title="fuzz probe", clauses=("fuzz",), level="required",
                input=example.input, call=example.call, expect={}, allowed=())


def describe_outcome(result: Result) -> str:
    """One line for what an implementation did with a probe."""
    obs = result.observation
    if obs is None:
        return f"{result.status.value}: {result.message}" if result.message else result.status.value
    if obs.raised:
        return f"raises {obs.error_type}: {_clip(obs.error_message or '', 100)}"
    parts = []
    if obs.mode is not None:
        parts.append(f"mode {obs.mode}")
    if isinstance(obs.size, (tuple, list)) and len(obs.size) == 2:
        parts.append(f"size {obs.size[0]}x{obs.size[1]}")
    parts.append(f"pixels {_pixels_text(obs.pixels)}")
    if obs.format is not None:
        parts.append(f"format {obs.format}")
    if obs.caption is not None:
        parts.append(f"caption {obs.caption!r}")
    return ", ".join(parts)


def _pixels_text(pixels: Any) -> str:
    if isinstance(pixels, np.ndarray):
        if pixels.size <= 16:
            return json.dumps(pixels.tolist())
        return f"{pixels.dtype} array of shape {list(pixels.shape)}"
    return _clip(repr(pixels), 60)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def observation_differences(ours: Observation, theirs: Observation) -> list[Mismatch]:
    """Where `ours` differs from `theirs`, as the comparator's mismatches with `theirs` in
    the role of the expectation. Errors agree when one type is the other or among its bases;
    the messages are free. The encoded format is compared only when both expose one."""
    if ours.raised or theirs.raised:
        if ours.raised and theirs.raised:
            if (ours.error_type == theirs.error_type or ours.error_type in theirs.error_bases
                    or theirs.error_type in ours.error_bases):
                return []
            return [Mismatch("error.type", theirs.error_type, ours.error_type)]
        return [Mismatch("error", _raised(theirs), _raised(ours))]
    expect: dict[str, Any] = {f: getattr(theirs, f) for f in _FIELDS_COMPARED}
    found: list[Mismatch] = []
    if isinstance(theirs.pixels, np.ndarray) and theirs.pixels.dtype == np.uint8 and theirs.pixels.ndim:
        expect["pixels"] = theirs.pixels.tolist()
    elif not _same_array(ours.pixels, theirs.pixels):
        found.append(Mismatch("pixels", theirs.pixels, ours.pixels,
                              {"summary": f"{_pixels_text(ours.pixels)} against {_pixels_text(theirs.pixels)}"}))
    if theirs.size is not None:
        expect["size"] = list(theirs.size)
    elif ours.size is not None:
        found.append(Mismatch("size", None, list(ours.size)))
    if ours.encoded is not None and theirs.encoded is not None:
        expect["encoded"] = theirs.encoded
    found = compare.check(expect, ours) + found
    if ours.input_mutated != theirs.input_mutated:
        found.append(Mismatch("input", "modified" if theirs.input_mutated else "unchanged",
                              "modified" if ours.input_mutated else "unchanged"))
    return found


def _raised(obs: Observation) -> str:
    return f"{obs.error_type}: {obs.error_message}" if obs.raised else "no exception"


def _same_array(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    return compare.same(a, b)


def compare_results(example: Any, ours: Result, theirs: Result, labels: tuple[str, str]) -> Disagreement | None:
    """The disagreement between two answers to the probe of `example`, or None. A skipped
    probe (an input kind one side does not take) compares nothing; a crash, timeout or setup
    error on one side only is a disagreement on the outcome."""
    if Status.SKIPPED in (ours.status, theirs.status):
        return None
    if ours.observation is not None and theirs.observation is not None:
        mismatches = observation_differences(ours.observation, theirs.observation)
        if not mismatches:
            return None
        fields = tuple(sorted({m.field.split(".")[0] for m in mismatches}))
        details = tuple(f"{m.field}: {_mismatch_text(m, labels)}" for m in mismatches)
    elif ours.observation is None and theirs.observation is None and ours.status is theirs.status:
        return None
    else:
        fields = ("outcome",)
        details = (f"outcome: {labels[0]} {_state(ours)}, {labels[1]} {_state(theirs)}",)
    return Disagreement(example, fields, details, describe_outcome(ours), describe_outcome(theirs))


def _state(result: Result) -> str:
    return "answered" if result.observation is not None else result.status.value


def _mismatch_text(m: Mismatch, labels: tuple[str, str]) -> str:
    """A mismatch with the implementations named ("expected" is the other one's value)."""
    if m.field == "pixels" and "summary" in m.detail:
        text = m.detail["summary"].replace("expected ", f"{labels[1]} ").replace("got ", f"{labels[0]} ")
        return _clip(text, 240)
    return _clip(f"{labels[0]} {m.actual!r}, {labels[1]} {m.expected!r}", 240)


# -- the search ----------------------------------------------------------------------------


class _Found(AssertionError):
    """Raised inside the Hypothesis test for a disagreement; subclassed per kind of
    disagreement so that Hypothesis shrinks each kind on its own."""

    def __init__(self, disagreement: Disagreement) -> None:
        super().__init__("; ".join(disagreement.details))
        self.disagreement = disagreement


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """Hypothesis (6.131 on) sometimes draws a literal found in the source of any non-installed
    module in sys.modules: the examples of a seed would then depend on which modules were
    imported before the search. Switched off for the search (private names: where a Hypothesis
    has none of them, there is nothing to switch off)."""
    from hypothesis.internal.conjecture import providers

    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "CONSTANTS_CACHE"):
        yield
        return
    saved = providers._get_local_constants, providers.CONSTANTS_CACHE
    empty = providers.Constants() if hasattr(providers, "Constants") else None
    providers._get_local_constants = (lambda: empty) if empty is not None else saved[0]
    providers.CONSTANTS_CACHE = {}  # type: ignore[assignment]  # emptied for the run, the saved cache put back after
    try:
        yield
    finally:
        providers._get_local_constants, providers.CONSTANTS_CACHE = saved


def _kind_of_disagreement(classes: dict[tuple[str, ...], type[_Found]], fields: tuple[str, ...]) -> type[_Found]:
    if fields not in classes:
        name = "Disagreement_" + "_".join(f.replace("-", "_") for f in fields)
        classes[fields] = type(name, (_Found,), {})
    return classes[fields]


def search(
    probe: Callable[[Any], Disagreement | None],
    strategy: Any,
    *,
    max_examples: int,
    seed: int,
) -> tuple[list[Disagreement], int]:
    """Run Hypothesis over `strategy`, calling `probe` on each example; the minimal
    disagreements found, in a stable order, and the number of probes made."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as with_seed

    classes: dict[tuple[str, ...], type[_Found]] = {}
    calls = [0]

    def test(example: Any) -> None:
        calls[0] += 1
        found = probe(example)
        if found is not None:
            raise _kind_of_disagreement(classes, found.fields)(found)

    configured = settings(
        max_examples=max_examples,
        database=None,
        derandomize=False,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    run = configured(with_seed(seed)(given(strategy)(test)))
    try:
        with _no_local_constants():
            run()
    except BaseException as exc:  # sorted out below, anything else re-raised
        found, others = _unwrap(exc, flaky=False)
        if others:
            raise others[0] from exc
        found.sort(key=lambda d: (d.fields, _example_key(d.example)))
        return found, calls[0]
    return [], calls[0]


def _unwrap(exc: BaseException, flaky: bool) -> tuple[list[Disagreement], list[BaseException]]:
    if isinstance(exc, _Found):
        return [replace(exc.disagreement, flaky=flaky)], []
    if isinstance(exc, _ExceptionGroup):
        is_flaky = flaky or "Flaky" in type(exc).__name__
        found: list[Disagreement] = []
        others: list[BaseException] = []
        for inner in exc.exceptions:
            f, o = _unwrap(inner, is_flaky)
            found += f
            others += o
        return found, others
    return [], [exc]


def _example_key(example: Any) -> str:
    return json.dumps({"input": example.input, "call": example.call}, sort_keys=True, ensure_ascii=False, default=repr)


# -- the case a disagreement becomes ---------------------------------------------------------

_BRANCH_CLAUSE = {"unit": "norm.unit", "signed": "norm.signed", "other": "norm.other", "disabled": "norm.disabled"}


@dataclass(frozen=True)
class SpecAnswer:
    """The oracle's expectation for an example, or the reason it has none."""

    expect: dict[str, Any] | None
    clauses: tuple[str, ...] = ()
    summary: str = ""                 # the expectation, one line
    headline: str = ""                # what the case shows, for its title
    reason: str = ""                  # why there is no expectation


def spec_answer(example: Any, fields: Sequence[str] = ("pixels",)) -> SpecAnswer:
    """What SPEC.md says `Image(**example)` gives, computed by wbimage_conformance.oracle, with the
    clauses the example exercises (the one closest to the differing `fields` first). Returns
    an answer with `expect=None` and a reason when the oracle cannot express it: inputs
    other than inline arrays and tensors, keywords it does not model, outcomes the spec
    leaves implementation-defined, and calls where several arguments are wrong at once (the
    spec does not say which error comes first)."""
    from wbimage_conformance import oracle

    spec = example.input
    kwargs = dict(example.kwargs)
    if spec.get("kind") not in ("numpy", "tensor") or "value" not in spec:
        return SpecAnswer(None, reason="the oracle evaluates inline arrays and tensors only")
    unknown = sorted(set(kwargs) - set(_IMAGE_KWARGS))
    if unknown:
        return SpecAnswer(None, reason=f"the oracle does not model the keyword(s) {', '.join(unknown)}")
    mode, file_type = kwargs.get("mode"), kwargs.get("file_type")
    normalize, caption = kwargs.get("normalize", True), kwargs.get("caption")
    if mode is not None and mode not in oracle.ACCEPTED_MODES:
        if not isinstance(mode, str):
            return SpecAnswer(None, reason=f"mode {mode!r} is not a string; the spec does not say what happens")
        if _is_pil_mode(mode):
            return SpecAnswer(None, reason=f"mode {mode!r} is a PIL mode other than L, RGB and RGBA: "
                                           "implementation-defined ([mode.explicit])")
    if caption is not None and not isinstance(caption, str):
        return SpecAnswer(None, reason=f"a {type(caption).__name__} caption is implementation-defined ([meta.caption])")
    try:
        data = materialize.materialize(probe_case(example)).input["array"]
    except materialize.MaterializeError as exc:
        return SpecAnswer(None, reason=f"the input cannot be built: {exc}")
    kind = spec["kind"]
    errors = _error_clauses(oracle, data, kind, kwargs)
    if len(errors) > 1:
        return SpecAnswer(None, reason=f"several arguments are wrong at once ({', '.join(errors)}); "
                                       "the spec does not say which error comes first")
    layout = ["input.array.layout" if kind == "numpy" else "input.tensor.layout"]
    if spec.get("dtype") == "bfloat16":
        layout.append("input.tensor.dtype")
    try:
        picture = oracle.image(data, kind, mode=mode, file_type=file_type, normalize=normalize)
    except oracle.SpecError as exc:
        clauses = _ordered(errors + layout)
        expect: dict[str, Any] = {"error": writer.FlowMap(type=exc.error_type)}
        return SpecAnswer(expect, tuple(clauses), f"raises {exc.error_type} ({exc})", f"raises {exc.error_type}")
    except AssertionError as exc:
        return SpecAnswer(None, reason=f"the oracle cannot evaluate it: {exc}")
    expect = {
        "pixels": writer.pixels_field(picture.pixels),
        "mode": picture.mode,
        "size": writer.Flow(list(picture.size)),
        "format": picture.format,
    }
    if file_type is not None or "encoded" in fields:
        expect["encoded"] = picture.encoded
    if "caption" in kwargs:
        expect["caption"] = caption
    clauses = _image_clauses(oracle, data, kind, kwargs, picture, fields, layout)
    summary = (f"pixels {_pixels_text(picture.pixels)}, mode {picture.mode}, "
               f"size {picture.size[0]}x{picture.size[1]}, format {picture.format}")
    if "caption" in kwargs:
        summary += f", caption {caption!r}"
    branch = oracle.branch_of(data, normalize=bool(normalize))
    taken = "normalize=False clips" if branch == "disabled" else f"the {branch} branch gives"
    headline = f"{taken} {_pixels_text(picture.pixels)}, mode {picture.mode}"
    return SpecAnswer(expect, tuple(clauses), summary, headline)


def _is_pil_mode(mode: str) -> bool:
    from PIL import ImageMode

    try:
        ImageMode.getmode(mode)
    except KeyError:
        return False
    return True


def _error_clauses(oracle: Any, data: np.ndarray, kind: str, kwargs: dict[str, Any]) -> list[str]:
    """The clause of every argument the spec rejects on its own."""
    found = []
    try:
        oracle.image(data, kind)
    except oracle.SpecError:
        if data.size == 0:
            found.append("input.empty")
        elif data.dtype.kind not in "biuf":
            found.append("input.array.dtype" if kind == "numpy" else "input.tensor.dtype")
        else:
            found.append("input.array.layout" if kind == "numpy" else "input.tensor.layout")
    if not isinstance(kwargs.get("normalize", True), (bool, np.bool_)):
        found.append("norm.disabled")
    file_type = kwargs.get("file_type")
    try:
        oracle.check_file_type(file_type)
    except oracle.SpecError:
        found.append("file-type.accepted")
    mode = kwargs.get("mode")
    if mode is not None and mode not in oracle.ACCEPTED_MODES:
        found.append("mode.explicit")
    elif mode == "RGBA" and file_type in oracle.JPEG_FILE_TYPES:
        found.append("mode.jpeg-alpha")
    return found


def _image_clauses(oracle: Any, data: np.ndarray, kind: str, kwargs: dict[str, Any], picture: Any,
                   fields: Sequence[str], layout: list[str]) -> list[str]:
    """The clauses an image result rests on; the one the differing fields point at first."""
    normalize = bool(kwargs.get("normalize", True))
    branch = oracle.branch_of(data, normalize=normalize)
    floating = data.dtype.kind == "f"
    norm = [_BRANCH_CLAUSE[branch]]
    if floating and not np.all(np.isfinite(data)):
        norm.insert(0, "norm.special")
    if normalize:
        norm.append("norm.range")
        if _touches_bounds(data):
            norm.append("norm.bounds")
    if not floating:
        norm.append("norm.integer")
    elif branch in ("unit", "signed"):
        norm.append("norm.precision")  # only these formulas round
    guessed = oracle.guess_mode(data.shape, kind)
    mode_clauses = []
    if kwargs.get("mode") is not None:
        mode_clauses.append("mode.explicit")
    elif guessed == "RGBA" and picture.mode == "RGB":
        mode_clauses.append("mode.jpeg-alpha")
    else:
        mode_clauses.append("mode.guess")
    file_clauses = ["file-type.accepted" if "file_type" in kwargs else "file-type.default"]
    meta = ["meta.caption"] if "caption" in kwargs else []
    touched = set(fields)
    if "error" in touched:
        # One side raised where the spec gives an image: the clause that accepts this input.
        first = ["input.array.dtype" if kind == "numpy" else "input.tensor.dtype"] + layout + norm
    elif touched & {"pixels", "outcome"}:
        first = norm + layout
    elif touched & {"mode", "size"}:
        first = mode_clauses + layout
    elif touched & {"format", "encoded"}:
        first = file_clauses
    elif touched & {"caption", "grouping"}:
        first = meta or ["meta.caption"]
    elif "input" in touched:
        first = ["input.immutable"]
    else:
        first = norm
    rest = norm + layout
    if kwargs.get("mode") is not None or touched & {"mode", "size"}:
        rest += mode_clauses
    if "file_type" in kwargs or touched & {"format", "encoded"}:
        rest += file_clauses
    return _ordered(first + rest + meta)


def _touches_bounds(data: np.ndarray) -> bool:
    """[norm.bounds] is at stake: the data holds -0.0, or its minimum or maximum is one
    representable step from -1, 0 or 1."""
    if data.dtype.kind != "f":
        return False
    if bool(np.any((data == 0) & np.signbit(data))):
        return True
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return False
    near = set()
    for point in (-1.0, 0.0, 1.0):
        for toward in (-math.inf, math.inf):
            near.add(float(np.nextafter(data.dtype.type(point), data.dtype.type(toward))))
    return float(finite.min()) in near or float(finite.max()) in near


def _ordered(clauses: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for clause in clauses:
        if clause not in seen:
            seen.append(clause)
    return seen


def case_id(example: Any, primary_clause: str) -> str:
    """`fuzz-<clause>-<hash>`: the hash covers the input and the call, so the same example
    always gets the same id and a different one (almost surely) another."""
    digest = hashlib.sha256(_example_key(example).encode("utf-8")).hexdigest()[:10]
    return f"fuzz-{primary_clause.replace('.', '-')}-{digest}"


def case_title(example: Any, answer: SpecAnswer) -> str:
    spec = example.input
    shape = tuple(np.shape(np.array(spec["value"], dtype=object)))
    noun = "array" if spec["kind"] == "numpy" else "tensor"
    kwargs = ", ".join(f"{k}={v!r}" for k, v in example.kwargs.items())
    call = f"Image(x{', ' + kwargs if kwargs else ''})"
    return f"found by fuzzing: {call} for a {spec['dtype']} {noun} x of shape {shape}: {answer.headline}"


def render_case_file(example: Any, answer: SpecAnswer, header: Sequence[str]) -> tuple[str, str]:
    """The case id and the text of a one-case file, in the YAML style of the shipped cases."""
    identifier = case_id(example, answer.clauses[0])
    spec = example.input
    case_input = {"kind": spec["kind"], "dtype": spec["dtype"], "value": writer.flow(spec["value"])}
    built = writer.case(
        identifier, case_title(example, answer), answer.clauses, case_input,
        writer.image_call(**example.kwargs), answer.expect, tags=["fuzz"],
    )
    body = writer.dump({"family": "fuzz", "cases": [built]})
    return identifier, "".join(f"# {line}\n" for line in header) + "\n" + body


# -- the whole command -----------------------------------------------------------------------


def run(
    impl: str | runner.Session,
    against: str | runner.Session = "reference",
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
    write_cases: Path | str | None = None,
    strategy: Any = None,
    timeout: float = runner.DEFAULT_TIMEOUT,
    sandbox_mode: str = "auto",
) -> FuzzReport:
    """Fuzz `impl` against `against`; write a case per minimal disagreement into
    `write_cases` when given. `strategy` (default: `strategies.image_calls()` limited to the
    input kinds both implementations take) draws `strategies.ImageCall` examples.

    `impl` and `against` are --impl names, or Sessions already entered (they stay open: the
    caller owns them), which lets several searches share running workers; those started here
    run in the sandbox `sandbox_mode` asks for (run/sandbox.py)."""
    if max_examples < 1:
        raise FuzzError(f"--max-examples must be at least 1, not {max_examples}")
    target = Path(write_cases) if write_cases is not None else None
    if target is not None and target.exists() and not target.is_dir():
        raise FuzzError(f"--write-cases {target}: exists and is not a directory")
    try:
        from wbimage_conformance.fuzz import strategies
    except ImportError as exc:
        raise FuzzError(f"fuzz needs Hypothesis ({exc}); install it with: pip install hypothesis") from None

    with contextlib.ExitStack() as stack:
        ours, theirs = (
            side if isinstance(side, runner.Session)
            else stack.enter_context(runner.Session(side, timeout=timeout, sandbox_mode=sandbox_mode))
            for side in (impl, against)
        )
        labels = (ours.spec.label, theirs.spec.label)
        if strategy is None:
            caps = (ours.handshake.capabilities if ours.handshake else frozenset()) & \
                   (theirs.handshake.capabilities if theirs.handshake else frozenset())
            kinds = [k for k in ("numpy", "tensor") if k in caps]
            if not kinds:
                raise FuzzError(f"{labels[0]} and {labels[1]} share no array or tensor input kind to fuzz")
            strategy = strategies.image_calls(kinds=kinds)

        def both(case: Case) -> tuple[Result, Result]:
            # One after the other: decoding replies in two threads at once (numpy.load uses
            # ast.literal_eval) once raised CPython 3.11's spurious "AST constructor
            # recursion depth mismatch" SystemError (python/cpython#106905).
            return ours.run_case(case), theirs.run_case(case)

        def probe(example: Any) -> Disagreement | None:
            return compare_results(example, *both(probe_case(example)), labels)

        found, calls = search(probe, strategy, max_examples=max_examples, seed=seed)
        header = [
            (f"Written by: wbimage-conformance fuzz --impl {labels[0]} --against {labels[1]} "
            f"--seed {seed} --max-examples {max_examples}"),
            "A minimal input on which the two implementations disagree. Expected values come from",
            "wbimage_conformance.oracle (the spec's formulas), never from either implementation.",
        ]
        findings = [_finding(d, header, labels, both, target) for d in found]
    return FuzzReport(labels[0], labels[1], seed, max_examples, calls, tuple(findings))


def _finding(
    disagreement: Disagreement,
    header: list[str],
    labels: tuple[str, str],
    both: Callable[[Case], tuple[Result, Result]],
    target: Path | None,
) -> Finding:
    answer = spec_answer(disagreement.example, disagreement.fields)
    if answer.expect is None:
        return Finding(disagreement, not_written=answer.reason)
    lines = header + [f"The two differ on: {', '.join(disagreement.fields)}."]
    identifier, text = render_case_file(disagreement.example, answer, lines)
    with tempfile.TemporaryDirectory(prefix="wbimage-fuzz-") as scratch:
        checked = Path(scratch) / f"{identifier}.yaml"
        checked.write_text(text, encoding="utf-8")
        known = frozenset(c.id for c in case_files.load_clauses())
        (case,) = case_files.load_file(checked, known)  # schema, values, clauses: as the runner reads it
    mine, other = both(case)
    verdicts = ((labels[0], mine.status.value), (labels[1], other.status.value))
    path = None
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{identifier}.yaml"
        path.write_text(text, encoding="utf-8")
    return Finding(disagreement, identifier, answer.summary, answer.clauses, verdicts, path)


def format_report(report: FuzzReport) -> str:
    """The text the command prints."""
    out = [(f"fuzz: {report.impl} against {report.against}, seed {report.seed}, "
           f"up to {report.max_examples} examples ({report.calls} calls with shrinking)")]
    if report.ok:
        out.append("no disagreement found")
        return "\n".join(out) + "\n"
    count = len(report.findings)
    out.append(f"{count} disagreement{'s' if count != 1 else ''} found")
    width = max(len(report.impl), len(report.against))
    for number, finding in enumerate(report.findings, start=1):
        d = finding.disagreement
        out.append("")
        flaky = " (flaky: it did not repeat)" if d.flaky else ""
        out.append(f"{number}. on {', '.join(d.fields)}{flaky}; minimal example:")
        out.append(f"   input: {json.dumps(d.example.input, ensure_ascii=False)}")
        kwargs = ", ".join(f"{k}={v!r}" for k, v in d.example.kwargs.items())
        out.append(f"   call:  Image(input{', ' + kwargs if kwargs else ''})")
        out.append(f"   {report.impl:<{width}}  {d.impl_outcome}")
        out.append(f"   {report.against:<{width}}  {d.against_outcome}")
        for line in d.details:
            out.append(f"   {line}")
        if finding.case_id is None:
            out.append(f"   no case written: the oracle cannot express the expectation: {finding.not_written}")
            continue
        out.append(f"   the spec (oracle): {finding.expectation}  [{', '.join(finding.clauses)}]")
        verdicts = ", ".join(f"{label} {status}" for label, status in finding.verdicts)
        out.append(f"   case {finding.case_id}: {verdicts}{_verdict_note(finding.verdicts)}")
        if finding.path is not None:
            out.append(f"   wrote {finding.path}")
        else:
            out.append("   not written (pass --write-cases DIR to keep it)")
    return "\n".join(out) + "\n"


def _verdict_note(verdicts: tuple[tuple[str, str], ...]) -> str:
    statuses = {status for _, status in verdicts}
    if statuses == {Status.PASSED.value}:
        return " (the case does not tell them apart: they differ where the spec leaves room)"
    if Status.PASSED.value not in statuses:
        return " (neither follows the spec here)"
    return ""
