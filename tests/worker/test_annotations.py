"""Classes, boxes and masks in the runner: `$array` and `$file` in keyword arguments, the
all_boxes/all_masks calls with a run stand-in, file references read back, and the caller's
keyword arguments checked for changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.cases import materialize
from wbimage_conformance.model import Case, Status
from wbimage_conformance.run import runner
from wbimage_conformance.run.reproduction import reproduction
from wbimage_conformance.worker import inputs, protocol
from wbimage_conformance.worker.adapters import run_files

import runner_support as support

IMAGE = {"kind": "numpy", "dtype": "uint8", "value": [[1, 2, 3], [4, 5, 6]]}
BOX = {"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1}


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


def make_case(kwargs, input_spec=None, api="Image"):
    return Case(id="cc", title="t", clauses=("boxes.form",), level="required", input=input_spec or IMAGE,
                call={"api": api, "kwargs": kwargs}, expect={"mode": "L"}, allowed=())


def arguments_through_the_wire(kwargs, tmp_path):
    """Materialize, encode as the runner sends them, decode as a worker does."""
    wire = materialize.kwargs_to_wire(materialize.materialize(make_case(kwargs)), tmp_path)
    return inputs.decode_arguments(json.loads(json.dumps(wire)))


# -- $array and $file -----------------------------------------------------------------------


def test_an_array_argument_arrives_as_an_ndarray(tmp_path):
    decoded = arguments_through_the_wire({"masks": {"m": {"mask_data": {"$array": {"dtype": "int16", "value": [[1, 2]]}}}}},
                                         tmp_path)
    data = decoded["masks"]["m"]["mask_data"]
    assert isinstance(data, np.ndarray) and data.dtype == np.int16 and data.tolist() == [[1, 2]]


def test_a_scalar_argument_arrives_as_a_numpy_scalar(tmp_path):
    decoded = arguments_through_the_wire({"classes": [{"id": {"$array": {"dtype": "uint8", "value": 3, "as": "scalar"}}}]},
                                         tmp_path)
    value = decoded["classes"][0]["id"]
    assert type(value) is np.uint8 and value == 3


def test_a_tensor_argument_arrives_as_a_tensor(tmp_path):
    torch = pytest.importorskip("torch")
    decoded = arguments_through_the_wire({"boxes": {"p": {"box_data": [{"class_id": {"$array": {
        "dtype": "int64", "value": [1, 2], "as": "tensor"}}}]}}}, tmp_path)
    value = decoded["boxes"]["p"]["box_data"][0]["class_id"]
    assert torch.is_tensor(value) and value.dtype == torch.int64 and value.tolist() == [1, 2]


def test_integer_keys_survive_the_wire(tmp_path):
    decoded = arguments_through_the_wire({"boxes": {"p": {"box_data": [], "class_labels": {1: "car"}}}}, tmp_path)
    assert decoded == {"boxes": {"p": {"box_data": [], "class_labels": {1: "car"}}}}


def test_a_file_argument_is_written_and_passed_as_its_path(tmp_path):
    decoded = arguments_through_the_wire({"masks": {"m": {"path": {"$file": {
        "filename": "m.png", "dtype": "uint8", "value": [[0, 7]]}}}}}, tmp_path)
    path = decoded["masks"]["m"]["path"]
    assert isinstance(path, str) and path.startswith(str(tmp_path)) and path.endswith("m.png")
    assert np.asarray(PILImage.open(path)).tolist() == [[0, 7]]


def test_tensors_and_files_in_arguments_count_as_input_kinds():
    built = materialize.materialize(make_case({
        "boxes": {"p": {"box_data": [{"class_id": {"$array": {"dtype": "int64", "value": 1, "as": "tensor"}}}]}},
        "masks": {"m": {"path": {"$file": {"filename": "m.png", "encode_as": "none"}}}},
    }))
    assert built.kinds() == {"numpy", "tensor", "path"}


def test_arguments_of_images_inside_the_input_are_built_too(tmp_path):
    spec = {"kind": "images", "items": [{"of": IMAGE, "kwargs": {"masks": {"m": {"mask_data": {
        "$array": {"dtype": "uint8", "value": [[0, 1, 2], [3, 4, 5]]}}}}}}]}
    wire = materialize.to_wire(materialize.materialize(make_case({}, spec, "all_masks")), tmp_path)
    seen = []
    inputs.build(json.loads(json.dumps(wire)), lambda data, kwargs: seen.append(kwargs))
    assert seen[0]["masks"]["m"]["mask_data"].tolist() == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize(("argument", "message"), [
    # caught by the schema
    ({"$array": {"dtype": "uint8", "value": 1}, "x": 1}, r"is not valid under any of the given schemas"),
    ({"$array": {"value": 1}}, r"\$array = .*'dtype' is a required property"),
    ({"$file": {"dtype": "uint8"}}, r"\$file = .*'filename' is a required property"),
    ({"$array": {"dtype": "uint8", "value": 1, "as": "vector"}}, r"\$array\.as = 'vector'"),
    # caught when the arguments are built
    ({"$array": {"dtype": "uint8", "value": [1, 2], "as": "scalar"}}, r"a scalar needs a single value"),
    ({"$array": {"dtype": "uint8", "value": 300}}, r"300 does not fit in uint8"),
    ({"$array": {"dtype": "object", "value": 1, "as": "tensor"}}, r"'object' cannot be handed over as 'tensor'"),
])
def test_a_bad_argument_tag_is_a_case_file_error_naming_the_field(tmp_path, argument, message):
    path = support.write_cases(tmp_path, [support.case("bad", kwargs={"classes": [{"id": argument, "name": "a"}]})])
    with pytest.raises(cases.CaseFileError, match=r"call\.kwargs\.classes\[0\]\.id.*" + message):
        cases.load_file(path)


# -- reading file references back -------------------------------------------------------------


@pytest.mark.parametrize(("path", "canonical"), [
    ("media/metadata/boxes2D/key_0_8667114d9397249a995b.boxes2D.json", "media/metadata/boxes2D/key_0_*.boxes2D.json"),
    ("media/images/mask/key_0_abc123.png", "media/images/mask/key_0_*.png"),
    ("media/images/mask/key_0_abc123", "media/images/mask/key_0_*"),
    ("media/images/mask/other_0_abc.png", "media/images/mask/other_0_abc.png"),
    ("media/images/mask/key_0_a-b.png", "media/images/mask/key_0_a-b.png"),
    ("media/images/mask/key_0_.png", "media/images/mask/key_0_.png"),
])
def test_the_id_in_a_file_name_is_written_as_a_star(path, canonical):
    assert run_files.canonical_path(path, "key_0_") == canonical


def write(run_dir, relative, raw):
    target = Path(run_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw)
    return {"_type": "boxes2D", "path": relative, "sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}


def test_a_reference_that_agrees_with_its_file_becomes_path_and_content(tmp_path):
    reference = write(tmp_path, "media/metadata/boxes2D/key_0_ab.boxes2D.json", b'{"box_data": []}')
    assert run_files.resolve([{"p": reference}, None], str(tmp_path), "key", 0) == [
        {"p": {"_type": "boxes2D", "path": "media/metadata/boxes2D/key_0_*.boxes2D.json", "file": {"box_data": []}}},
        None,
    ]


def test_a_digest_or_size_that_disagrees_is_kept(tmp_path):
    reference = write(tmp_path, "a/key_0_ab.json", b"[]")
    reference.update(sha256="0" * 64, size=99)
    resolved = run_files.resolve(reference, str(tmp_path), "key", 0)
    assert resolved["sha256"] == "0" * 64 and resolved["size"] == 99 and resolved["file"] == []


def test_other_members_are_kept(tmp_path):
    reference = {**write(tmp_path, "a/key_0_ab.json", b"1"), "caption": "c"}
    assert run_files.resolve(reference, str(tmp_path), "key", 0)["caption"] == "c"


def test_an_image_file_is_read_as_mode_size_and_pixels(tmp_path):
    PILImage.fromarray(np.array([[0, 9, 255]], dtype=np.uint8)).save(tmp_path / "m.png")
    raw = (tmp_path / "m.png").read_bytes()
    reference = {"_type": "mask", "path": "m.png", "sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    assert run_files.resolve(reference, str(tmp_path), "key", 0)["file"] == {"mode": "L", "size": [3, 1], "pixels": [[0, 9, 255]]}


@pytest.mark.parametrize(("path", "raw", "says"), [
    ("missing.json", None, "missing"),
    ("../outside.json", None, "not read"),
    ("/etc/hostname", None, "not read"),
    ("bad.json", b"{", "unreadable: not UTF-8 JSON"),
    ("bad.png", b"not a png", "unreadable: not an image"),
])
def test_a_file_that_cannot_be_read_is_described(tmp_path, path, raw, says):
    if raw is not None:
        (tmp_path / path).write_bytes(raw)
    resolved = run_files.resolve({"path": path, "sha256": "x", "size": 1}, str(tmp_path), "key", 0)
    assert resolved["file"].startswith(says)


def test_values_without_references_are_left_as_they_are():
    assert run_files.resolve(False, "/nowhere", "key", 0) is False
    assert run_files.resolve([None, {"a": 1}], "/nowhere", "key", 0) == [None, {"a": 1}]


def test_the_stand_in_run_has_only_a_fresh_directory_removed_afterwards():
    with run_files.fresh_run() as run:
        assert vars(run) == {"dir": run.dir} and list(Path(run.dir).iterdir()) == []
    assert not Path(run.dir).exists()


# -- end to end, in worker processes ---------------------------------------------------------


def run_case(tmp_path, impl, case_data):
    path = support.write_cases(tmp_path, [case_data])
    # unsandboxed: the verdicts are tested here (test_sandbox_user_code runs such code under bwrap)
    (result,) = runner.run(cases.load_cases([path]), impl, sandbox_mode="none").results
    return result


def boxes_case(expect, **call_kwargs):
    return support.case(
        "bx", input={"kind": "images", "items": [{"of": IMAGE, "kwargs": {"boxes": {"p": {"box_data": [BOX]}}}}]},
        call={"api": "all_boxes", **({"kwargs": call_kwargs} if call_kwargs else {})}, expect=expect)


def test_all_boxes_on_the_reference_passes_with_the_file_read_back(tmp_path):
    expect = {"value": [{"p": {"_type": "boxes2D", "path": "media/metadata/boxes2D/k_3_*.boxes2D.json",
                               "file": {"box_data": [BOX]}}}]}
    result = run_case(tmp_path, "reference", boxes_case(expect, run_key="k", step=3))
    assert result.status is Status.PASSED, result.message
    assert result.reproduction.endswith(", reference.RunStub(tempfile.mkdtemp()), 'k', 3)")


def test_a_reported_digest_that_does_not_match_the_file_fails(tmp_path):
    expect = {"value": [{"p": {"_type": "boxes2D", "path": "media/metadata/boxes2D/key_0_*.boxes2D.json",
                               "file": {"box_data": [BOX]}}}]}
    result = run_case(tmp_path, "annotation_impls:StaleDigestImage", boxes_case(expect))
    assert result.status is Status.FAILED
    (observed,) = result.mismatches[0].actual
    assert observed["p"]["sha256"] == "0" * 64 and observed["p"]["size"] == 1


def test_a_reference_outside_run_dir_is_not_read_and_fails(tmp_path):
    case = support.case(
        "mk", input={"kind": "images", "items": [{"of": IMAGE, "kwargs": {"masks": {"m": {"mask_data": {
            "$array": {"dtype": "uint8", "value": [[0, 1, 2], [3, 4, 5]]}}}}}}]},
        call={"api": "all_masks"},
        expect={"value": [{"m": {"_type": "mask", "path": "media/images/mask/key_0_*.mask.png",
                                 "file": {"mode": "L", "size": [3, 2], "pixels": [[0, 1, 2], [3, 4, 5]]}}}]})
    result = run_case(tmp_path, "annotation_impls:EscapingPathImage", case)
    assert result.status is Status.FAILED
    (observed,) = result.mismatches[0].actual
    assert observed["m"]["file"].startswith("not read")


def test_changing_the_caller_s_keyword_arguments_fails_on_field_input(tmp_path):
    case = support.case(
        "kw", input=IMAGE, call={"api": "Image", "kwargs": {"masks": {"m": {"mask_data": {
            "$array": {"dtype": "uint8", "value": [[0, 1, 2], [3, 4, 5]]}}}}}},
        expect={"pixels": [[1, 2, 3], [4, 5, 6]], "mode": "L", "size": [3, 2]})
    assert run_case(tmp_path, "reference", case).status is Status.PASSED
    result = run_case(tmp_path, "annotation_impls:LabelWritingImage", case)
    assert result.status is Status.FAILED
    assert [m.field for m in result.mismatches] == ["input"] and "keyword arguments changed" in result.message


def test_an_adapter_without_all_boxes_has_the_case_skipped():
    from wbimage_conformance.worker.adapters import Unmappable, perform

    class Minimal:
        pass

    with pytest.raises(Unmappable, match="the adapter has no all_boxes"):
        perform(Minimal(), "all_boxes", [], {})


def test_the_protocol_lists_the_new_apis():
    assert {"all_boxes", "all_masks"} <= set(protocol.APIS)


def test_reproduction_spells_array_scalar_tensor_and_file_arguments():
    case = make_case({
        "masks": {"m": {"mask_data": {"$array": {"dtype": "uint8", "value": [[1]]}},
                        "path": {"$file": {"filename": "m.png", "dtype": "uint8", "value": [[1]]}}}},
        "classes": [{"id": {"$array": {"dtype": "int64", "value": 2, "as": "scalar"}}, "name": "a"},
                    {"id": {"$array": {"dtype": "int64", "value": 3, "as": "tensor"}}, "name": "b"}],
    })
    line = reproduction(case, "I")
    assert "'mask_data': np.array([[1]], dtype=np.uint8)" in line
    assert "'path': 'm.png'" in line and line.endswith("# m.png: PNG of np.array([[1]], dtype=np.uint8)")
    assert "'id': np.array(2, dtype=np.int64)[()]" in line
    assert "'id': torch.from_numpy(np.array(3, dtype=np.int64))" in line
