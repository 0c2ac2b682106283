"""`wbimage-conformance fuzz`: exit codes 0/1/2, what it prints, and the pieces that decide
what a disagreement is and which case it becomes."""

from __future__ import annotations

import os

import numpy as np
import pytest
from locations import FIXTURES

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.commands import cli
from wbimage_conformance.fuzz import differential as fuzz
from wbimage_conformance.fuzz.strategies import ImageCall
from wbimage_conformance.model import Observation


@pytest.fixture(autouse=True)
def fixtures_on_worker_path(monkeypatch):
    existing = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES) + (os.pathsep + existing if existing else ""))


def fuzz_cli(capsys, *args):
    code = cli.main(["fuzz", *[str(a) for a in args]])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_without_a_disagreement(capsys):
    code, out, err = fuzz_cli(capsys, "--impl", "reference", "--max-examples", 8, "--seed", 3)
    assert code == 0, err
    assert "no disagreement found" in out and "seed 3" in out


def test_exit_1_and_a_written_case_on_a_disagreement(capsys, tmp_path):
    # unsandboxed: the verdicts are tested here (test_sandbox_user_code runs such code under bwrap)
    code, out, err = fuzz_cli(capsys, "--impl", "wrong_implementations:RoundsInsteadOfTruncating",
                              "--max-examples", 40, "--write-cases", tmp_path / "new", "--sandbox", "none")
    assert code == 1, err
    (path,) = sorted((tmp_path / "new").glob("fuzz-*.yaml"))
    assert f"wrote {path}" in out
    assert "RoundsInsteadOfTruncating failed, reference passed" in out
    (case,) = cases.load_file(path)
    assert case.clauses[0] in ("norm.unit", "norm.signed")


@pytest.mark.parametrize("args, says", [
    (["--impl", "reference", "--max-examples", "0"], "--max-examples must be at least 1"),
    (["--max-examples", "3"], "--impl"),
    (["--impl", "reference", "--seed", "x"], "invalid int"),
    (["--impl", "no_such_module_anywhere:Image", "--max-examples", "3"], "no_such_module_anywhere"),
])
def test_exit_2_on_usage_errors(capsys, args, says):
    code, out, err = fuzz_cli(capsys, *args)
    assert code == 2
    assert out == "" and says in err and len(err.strip().splitlines()) == 1


def test_exit_2_when_the_case_directory_is_a_file(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = fuzz_cli(capsys, "--impl", "reference", "--max-examples", 3, "--write-cases", blocker)
    assert code == 2 and "not a directory" in err


# -- what counts as a disagreement -------------------------------------------------------------


def image(pixels, **fields) -> Observation:
    defaults = {"mode": "L", "size": (len(pixels[0]), len(pixels)), "format": "png", "encoded": "png"}
    return Observation(pixels=np.array(pixels, dtype=np.uint8), **{**defaults, **fields})


def raised(error_type: str, *bases: str) -> Observation:
    return Observation(error_type=error_type, error_bases=bases, error_message="no")


def fields_of(ours: Observation, theirs: Observation) -> list[str]:
    return [m.field for m in fuzz.observation_differences(ours, theirs)]


def test_equal_images_agree():
    assert fields_of(image([[1, 2]]), image([[1, 2]])) == []


def test_pixels_and_metadata_are_compared():
    assert fields_of(image([[1, 2]]), image([[1, 3]])) == ["pixels"]
    assert fields_of(image([[1, 2]], caption="a"), image([[1, 2]], caption="b")) == ["caption"]
    assert fields_of(image([[1, 2]], mode="RGB"), image([[1, 2]])) == ["mode"]


def test_an_unexposed_encoded_file_is_not_a_disagreement():
    assert fields_of(image([[1]], encoded=None), image([[1]])) == []
    assert fields_of(image([[1]], encoded="jpeg"), image([[1]])) == ["encoded"]


def test_errors_agree_along_the_class_hierarchy_and_messages_are_free():
    assert fields_of(raised("FileNotFoundError", "OSError"), raised("OSError")) == []
    assert fields_of(raised("ValueError"), raised("TypeError")) == ["error.type"]
    assert fields_of(raised("ValueError"), image([[1]])) == ["error"]


# -- which case a disagreement becomes ---------------------------------------------------------


def call(dtype: str, value, kind: str = "numpy", **kwargs) -> ImageCall:
    return ImageCall({"kind": kind, "dtype": dtype, "value": value}, kwargs)


@pytest.mark.parametrize("example, first", [
    (call("float32", [[0.25, 1.0]]), "norm.unit"),
    (call("float16", [[-0.5, 0.5]], kind="tensor"), "norm.signed"),
    (call("int16", [[3, 300]]), "norm.other"),
    (call("float64", [["nan", 0.5]]), "norm.special"),
    (call("float32", [[0.25, 2.0]], normalize=False), "norm.disabled"),
])
def test_the_first_clause_is_the_branch_the_oracle_takes(example, first):
    answer = fuzz.spec_answer(example, ("pixels",))
    assert answer.clauses[0] == first
    assert fuzz.case_id(example, answer.clauses[0]).startswith("fuzz-" + first.replace(".", "-") + "-")


def test_clauses_follow_the_differing_fields():
    example = call("float32", [[0.5]], caption="c", file_type="bmp", mode="RGB")
    assert fuzz.spec_answer(example, ("caption",)).clauses[0] == "meta.caption"
    assert fuzz.spec_answer(example, ("encoded",)).clauses[0] == "file-type.accepted"
    assert fuzz.spec_answer(example, ("mode",)).clauses[0] == "mode.explicit"
    assert "norm.bounds" in fuzz.spec_answer(call("float32", [["-0.0", 1.0]])).clauses
    assert "norm.integer" in fuzz.spec_answer(call("int8", [[-1, 1]])).clauses
    raised_on_valid_input = fuzz.spec_answer(call("int8", [[0, 1]]), ("error",))
    assert raised_on_valid_input.clauses[:2] == ("input.array.dtype", "input.array.layout")


def test_errors_the_spec_requires_become_error_cases():
    answer = fuzz.spec_answer(call("uint8", [[1]], file_type="gif"), ("error",))
    assert answer.expect == {"error": {"type": "ValueError"}}
    assert answer.clauses[0] == "file-type.accepted"
    jpeg_alpha = fuzz.spec_answer(call("float32", [[[0.1, 0.2, 0.3, 0.4]]], mode="RGBA", file_type="jpg"), ("error",))
    assert jpeg_alpha.clauses[0] == "mode.jpeg-alpha"
    assert fuzz.spec_answer(call("uint8", [[1]], normalize="yes")).expect == {"error": {"type": "TypeError"}}


@pytest.mark.parametrize("example, reason", [
    (call("uint8", [[1]], mode="P"), "implementation-defined"),
    (call("uint8", [[1]], caption=5), "implementation-defined"),
    (call("uint8", [[1]], mode="XYZ", file_type="gif"), "which error comes first"),
    (ImageCall({"kind": "pil", "mode": "L", "dtype": "uint8", "value": [[1]]}), "arrays and tensors only"),
    (call("uint8", [[1]], grouping=3), "does not model"),
])
def test_what_the_oracle_cannot_express_is_said_not_written(example, reason):
    answer = fuzz.spec_answer(example)
    assert answer.expect is None and reason in answer.reason
