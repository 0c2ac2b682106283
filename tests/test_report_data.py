"""A hand-built RunReport with every status and every kind of mismatch, for the report tests.

Other test_report_* modules import `sample_report` from here. The few tests in this module
check that the sample really covers what those tests rely on.
"""

from __future__ import annotations

import numpy as np

from wbimage_conformance.model import Case, Environment, Mismatch, Observation, Result, RunReport, Status

NASTY = "ValueError: bad <input> & \"quotes\" 'single' — 正規化 정규화 ünïcödé"

SIGNED_EXPECTED = np.array([[0, 127, 255]], dtype=np.uint8)
SIGNED_ACTUAL = np.array([[0, 128, 255]], dtype=np.uint8)

RGB_EXPECTED = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
RGB_ACTUAL = RGB_EXPECTED.copy()
RGB_ACTUAL[1, 2, 0] = 200      # first difference, at [1, 2, 0]: expected 21, got 200
RGB_ACTUAL[3, 4, 2] = 60       # expected 59, got 60

BIG_ACTUAL = np.full((16, 16, 3), 7, dtype=np.uint8)
BIG_DIGEST = {"shape": [16, 16, 3], "sha256": "ab" * 32}

SHAPE_EXPECTED = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
SHAPE_ACTUAL = np.stack([SHAPE_EXPECTED] * 3, axis=-1)

FLOAT_EXPECTED = np.array([[0, 255]], dtype=np.uint8)
FLOAT_ACTUAL = np.array([[0.0, np.nan]], dtype=np.float32)

ENVIRONMENT = Environment(
    suite_version="0.1.0",
    case_set_digest="sha256:" + "0123456789abcdef" * 4,
    implementation="reference",
    implementation_version="0.1.0",
    python="3.11.9",
    numpy="2.4.0",
    pillow="13.0.0",
    torch=None,
    platform="Linux-6.8-x86_64",
)


def case(case_id: str, clause: str, title: str, line: int, *more: str) -> Case:
    family = clause.split(".")[0]
    return Case(
        id=case_id, title=title, clauses=(clause, *more), level="required",
        input={"kind": "numpy", "dtype": "float32", "value": [[0.0]]}, call={"api": "Image"},
        expect={"pixels": [[0]]}, allowed=(), file=f"spec/cases/{family}.yaml", line=line,
    )


def repro(call: str) -> str:
    return f"import numpy as np, wandb; wandb.Image({call})"


def sample_results() -> tuple[Result, ...]:
    return (
        Result(case("norm-unit-half", "norm.unit", "Unit floats scale by 255", 3), Status.PASSED,
               reproduction_source=repro("np.array([[0.5]], dtype=np.float32)"), duration_s=0.0123),
        Result(case("norm-signed-zero", "norm.signed", "Signed floats: zero maps to 127", 12), Status.FAILED,
               mismatches=(Mismatch("pixels", SIGNED_EXPECTED, SIGNED_ACTUAL, {
                   "differing": np.int64(1), "total": 3, "first_index": (np.intp(0), np.intp(1)),
                   "expected_at_first": np.uint8(127), "actual_at_first": np.uint8(128),
                   "max_abs_diff": np.int64(1)}),),
               reproduction_source=repro("np.array([[-1.0, 0.0, 1.0]], dtype=np.float32)"), duration_s=0.02),
        Result(case("norm-unit-rgb-grid", "norm.unit", "A 4x5 RGB grid keeps its values", 40), Status.FAILED,
               mismatches=(Mismatch("pixels", RGB_EXPECTED, RGB_ACTUAL),),
               reproduction_source=repro("np.arange(60, dtype=np.uint8).reshape(4, 5, 3)"), duration_s=0.03),
        Result(case("mode-guess-big", "mode.guess", "A 16x16 RGB array is RGB", 7), Status.FAILED,
               mismatches=(Mismatch("pixels", BIG_DIGEST, BIG_ACTUAL),),
               reproduction_source=repro("generate('uniform', seed=3, shape=(16, 16, 3))"), duration_s=0.04),
        Result(case("input-array-gray-stays-gray", "input.array.layout", "(H, W) stays (H, W)", 21), Status.FAILED,
               mismatches=(Mismatch("pixels", SHAPE_EXPECTED, SHAPE_ACTUAL),
                           Mismatch("mode", "L", "RGB")),
               reproduction_source=repro("np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)"), duration_s=0.01),
        Result(case("file-type-jpg", "file-type.accepted", "file_type='jpg' gives JPEG", 9), Status.FAILED,
               mismatches=(Mismatch("format", "jpg", "png"), Mismatch("size", (3, 1), [1, 3])),
               reproduction_source=repro("np.zeros((1, 3)), file_type='jpg'"), duration_s=0.05),
        Result(case("to-uint8-float-nan", "norm.special", "to_uint8 returns uint8 for NaN", 55), Status.FAILED,
               mismatches=(Mismatch("pixels", FLOAT_EXPECTED, FLOAT_ACTUAL),),
               reproduction_source="import numpy as np, wandb; wandb.Image.to_uint8(np.array([[0.0, np.nan]]))",
               duration_s=0.001),
        Result(case("input-weird-error", "input.dispatch", "A list of lists is an array", 30), Status.ERROR,
               message=NASTY, reproduction_source=repro("[[1, 2], [3, 4]]"), duration_s=0.002),
        Result(case("input-tensor-chw", "input.tensor.layout", "Tensors are (C, H, W)", 4), Status.SKIPPED,
               message="torch is not installed"),
        Result(case("input-tensor-gray", "input.tensor.layout", "A (1, H, W) tensor is L", 14), Status.SKIPPED,
               message="torch is not installed"),
        Result(case("norm-disabled-clips", "norm.disabled", "normalize=False clips to [0, 255]", 8), Status.XFAILED,
               mismatches=(Mismatch("pixels", np.array([[255, 0]], dtype=np.uint8),
                                    np.array([[44, 212]], dtype=np.uint8)),),
               expectation_reason="0.20.1-0.28.x wrap with astype(uint8) instead of clipping [norm.disabled]",
               reproduction_source=repro("np.array([[300, -44]]), normalize=False"), duration_s=0.003),
        Result(case("norm-bounds-top", "norm.bounds", "255.0 stays 255", 18), Status.XPASSED,
               expectation_reason="listed as failing in expectations/wandb.yaml",
               reproduction_source=repro("np.array([[255.0]])"), duration_s=0.004),
        Result(case("limits-huge-loop", "limits.max-dimension", "An oversized image is refused", 2), Status.TIMEOUT,
               message="no answer within 5.0 s", reproduction_source=repro("np.zeros((70000, 1))"), duration_s=5.0),
        Result(case("input-path-segfault", "input.path", "A path is read as a file", 6), Status.CRASH,
               message="worker died: signal 11 (SIGSEGV)\x00\x1b[0m", reproduction_source="wandb.Image('a.png')",
               duration_s=0.5, observation=Observation(error_type="SystemExit")),
        Result(case("file-type-default-png", "file-type.default", "The default file type is png", 1),
               Status.PASSED, duration_s=0.006),
    )


def sample_report() -> RunReport:
    return RunReport(ENVIRONMENT, sample_results())


def test_sample_covers_every_status():
    assert {r.status for r in sample_report().results} == set(Status)


def test_sample_has_the_mismatch_kinds_the_report_tests_rely_on():
    mismatches = [m for r in sample_report().results for m in r.mismatches]
    pixels = [m for m in mismatches if m.field == "pixels"]
    assert any(isinstance(m.expected, dict) for m in pixels)                       # digest only
    assert any(m.expected.shape != m.actual.shape for m in pixels if isinstance(m.expected, np.ndarray))
    assert any(m.field != "pixels" for m in mismatches)                            # metadata
