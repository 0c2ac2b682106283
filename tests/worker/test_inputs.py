"""From a case's input to the caller's data: materializing arrays, building tensors, PIL
images and files in the worker, snapshots that catch mutation, reproduction lines, and
finding adapters (including through an entry point)."""

from __future__ import annotations

import os
import pathlib
import subprocess
from pathlib import Path

import numpy as np
import pytest

from wbimage_conformance.cases import generators, materialize
from wbimage_conformance.model import Case
from wbimage_conformance.run.reproduction import reproduction
from wbimage_conformance.worker import adapters, inputs, protocol

import runner_support as support


def make_case(input_spec, call=None):
    return Case(id="cc", title="t", clauses=("norm.unit",), level="required", input=input_spec,
                call=call or {"api": "Image"}, expect={"mode": "L"}, allowed=())


def built(input_spec, tmp_path, make_image=lambda d, k: ("image", d, k)):
    """Materialize, send through the wire form, and build in this process, as a worker would."""
    wire = materialize.to_wire(materialize.materialize(make_case(input_spec)), tmp_path)
    return inputs.build(protocol.decode_value(protocol.encode_value(wire)), make_image)


# -- materialize ----------------------------------------------------------------------------

def test_inline_values_follow_the_case_dtype(tmp_path):
    array = built({"kind": "numpy", "dtype": "float16", "value": [[0.1, "0x1.ffcp-1", "nan"]]}, tmp_path)
    assert array.dtype == np.float16
    assert array[0, 0] == np.float16(0.1) and array[0, 1] == np.float16(float.fromhex("0x1.ffcp-1"))
    assert np.isnan(array[0, 2])


def test_generated_values_are_the_generator_s(tmp_path):
    expected = generators.generate("integers", 3, [2, 2, 3], "int64")
    spec = {"kind": "numpy", "dtype": "int64", "generate": {"name": "integers", "seed": 3}, "shape": [2, 2, 3],
            "digest": generators.digest(expected)}
    assert np.array_equal(built(spec, tmp_path), expected)


@pytest.mark.parametrize("dtype, low, high", [
    ("int64", 0, 256), ("uint8", 0, 256), ("int8", -128, 128), ("int16", -5, 5),
    ("int64", -2**63, 2**63 - 1), ("uint64", 0, 2**64 - 1), ("float32", -3, 3),
])
def test_generated_integers_are_splitmix64_outputs_reduced_into_the_range(dtype, low, high):
    made = generators.generate("integers", 11, [5, 7], dtype, {"low": low, "high": high})
    want = [int(v) % (high - low) + low for v in generators.splitmix64(11, 35).tolist()]
    assert made.dtype == np.dtype(dtype) and made.shape == (5, 7)
    assert [int(v) for v in made.ravel().tolist()] == want


def test_generated_integers_outside_the_dtype_are_refused():
    with pytest.raises(generators.GeneratorError, match="bad params"):
        generators.generate("integers", 11, [5], "uint8", {"low": -1, "high": 3})


def test_large_arrays_travel_as_files_beside_the_request_s_folder_and_go_with_it(tmp_path):
    big = np.arange(materialize.INLINE_ARRAY_LIMIT // 8 + 1, dtype=np.float64)
    small = np.arange(materialize.INLINE_ARRAY_LIMIT // 8, dtype=np.float64)
    staging = materialize.Staging(tmp_path / "case-1", shared=tmp_path)
    wires = [materialize.to_wire(materialize.Materialized({"kind": "numpy", "array": a, "order": "C"}), staging)
             for a in (big, small)]
    assert "npy_path" in wires[0]["array"] and "npy" in wires[1]["array"]
    assert not (tmp_path / "case-1").exists()  # no folder to make and remove
    for wire, array in zip(wires, (big, small)):
        assert np.array_equal(inputs.build(wire, None), array)
    staging.remove()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("order, check", [
    ("C", lambda a: a.flags.c_contiguous and a.flags.owndata),
    ("F", lambda a: a.flags.f_contiguous and not a.flags.c_contiguous),
    ("reversed-view", lambda a: a.strides[0] < 0),
])
def test_memory_layouts(tmp_path, order, check):
    array = built({"kind": "numpy", "dtype": "uint8", "value": [[1, 2, 3], [4, 5, 6]], "order": order}, tmp_path)
    assert check(array)
    assert array.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_readonly(tmp_path):
    array = built({"kind": "numpy", "dtype": "uint8", "value": [[1]], "readonly": True}, tmp_path)
    assert not array.flags.writeable


def test_tensor_options(tmp_path):
    torch = pytest.importorskip("torch")
    value = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6], [0.7, 0.8]]]
    tensor = built({"kind": "tensor", "dtype": "bfloat16", "value": value, "contiguous": False, "requires_grad": True}, tmp_path)
    assert tensor.dtype == torch.bfloat16 and tensor.requires_grad and not tensor.is_contiguous()
    assert tensor.float().tolist() == torch.tensor(np.array(value, dtype=np.float32)).to(torch.bfloat16).float().tolist()
    flat = built({"kind": "tensor", "dtype": "uint8", "value": [1, 2, 3], "contiguous": False}, tmp_path)
    assert flat.tolist() == [1, 2, 3] and not flat.is_contiguous()


def test_requires_grad_on_an_integer_tensor_is_a_setup_error(tmp_path):
    pytest.importorskip("torch")
    with pytest.raises(inputs.SetupError, match="requires_grad"):
        built({"kind": "tensor", "dtype": "uint8", "value": [[[1]]], "requires_grad": True}, tmp_path)


def test_pil_input_is_converted_to_the_case_mode(tmp_path):
    image = built({"kind": "pil", "mode": "RGBA", "dtype": "uint8", "value": [[[1, 2, 3]]]}, tmp_path)
    assert image.mode == "RGBA" and np.asarray(image).tolist() == [[[1, 2, 3, 255]]]
    same = built({"kind": "pil", "mode": "L", "dtype": "uint8", "value": [[7]]}, tmp_path)
    assert same.mode == "L"


def test_path_inputs_are_written_by_the_runner(tmp_path):
    from PIL import Image as PILImage

    path = built({"kind": "path", "filename": "x.png", "dtype": "uint8", "value": [[1, 2]]}, tmp_path)
    assert isinstance(path, str) and path.endswith("x.png")
    assert np.asarray(PILImage.open(path)).tolist() == [[1, 2]]
    text = built({"kind": "path", "filename": "t.png", "encode_as": "none", "text": "not a png", "as": "pathlib"}, tmp_path)
    assert isinstance(text, pathlib.Path) and text.read_text() == "not a png"
    missing = built({"kind": "path", "filename": "gone.png"}, tmp_path)
    assert not Path(missing).exists()


def test_image_and_images_inputs_use_the_implementation(tmp_path):
    spec = {"kind": "image", "of": {"kind": "numpy", "dtype": "uint8", "value": [[1]]}, "kwargs": {"caption": "in"}}
    kind, data, kwargs = built(spec, tmp_path)
    assert kind == "image" and data.tolist() == [[1]] and kwargs == {"caption": "in"}
    many = built({"kind": "images", "items": [{"of": spec["of"]}, {"of": spec["of"], "kwargs": {"caption": "b"}}]}, tmp_path)
    assert [k for _, _, k in many] == [{}, {"caption": "b"}]


def test_a_failing_inner_image_is_a_setup_error(tmp_path):
    def refuse(data, kwargs):
        raise ValueError("no")

    spec = {"kind": "image", "of": {"kind": "numpy", "dtype": "uint8", "value": [[1]]}}
    with pytest.raises(inputs.SetupError, match="building the Image to pass in failed: ValueError: no"):
        built(spec, tmp_path, refuse)


def test_python_values_arrive_as_written(tmp_path):
    assert built({"kind": "python", "value": [1, "two", None]}, tmp_path) == [1, "two", None]


def test_kinds_of_a_nested_input():
    spec = {"kind": "images", "items": [{"of": {"kind": "tensor", "dtype": "float32", "value": [[[0.5]]]}},
                                        {"of": {"kind": "python", "value": 1}}]}
    assert materialize.materialize(make_case(spec)).kinds() == {"images", "tensor", "python"}


# -- snapshots ------------------------------------------------------------------------------

@pytest.mark.parametrize("change, what", [
    (lambda a: a.__setitem__((0, 0), 9), "ndarray values changed"),
    (lambda a: setattr(a.flags, "writeable", False), "ndarray flags changed"),
    (lambda a: a.resize((3, 1), refcheck=False), "ndarray shape, strides"),
])
def test_snapshot_sees_array_changes(change, what):
    array = np.array([[1, 2, 3]], dtype=np.uint8)
    before = inputs.snapshot(array)
    assert inputs.describe_change(before, inputs.snapshot(array)) == ""
    change(array)
    assert inputs.describe_change(before, inputs.snapshot(array)).startswith(what)


@pytest.mark.parametrize("size", [inputs.SNAPSHOT_BYTES_KEPT, inputs.SNAPSHOT_BYTES_KEPT + 1])
def test_snapshot_sees_one_changed_byte_in_content_kept_whole_or_as_a_digest(size):
    array = np.zeros(size, dtype=np.uint8)
    before = inputs.snapshot(array)
    assert inputs.describe_change(before, inputs.snapshot(array)) == ""
    array[-1] = 1
    assert inputs.describe_change(before, inputs.snapshot(array)) == "ndarray values changed"


def test_snapshot_sees_nan_unchanged():
    array = np.array([np.nan, 1.0])
    assert inputs.describe_change(inputs.snapshot(array), inputs.snapshot(array)) == ""


def test_snapshot_sees_tensor_changes():
    torch = pytest.importorskip("torch")
    tensor = torch.zeros(3, 2, 2, dtype=torch.bfloat16)
    before = inputs.snapshot(tensor)
    tensor[0, 0, 0] = 1
    assert "values changed" in inputs.describe_change(before, inputs.snapshot(tensor))
    before = inputs.snapshot(tensor)
    tensor.requires_grad_(True)
    assert "requires_grad changed" in inputs.describe_change(before, inputs.snapshot(tensor))


def test_snapshot_sees_pil_and_file_changes(tmp_path):
    from PIL import Image as PILImage

    image = PILImage.new("L", (2, 1))
    before = inputs.snapshot(image)
    image.putpixel((0, 0), 5)
    assert "pixels changed" in inputs.describe_change(before, inputs.snapshot(image))
    path = tmp_path / "f.png"
    path.write_bytes(b"one")
    before = inputs.snapshot(str(path))
    path.write_bytes(b"two")
    assert "file contents changed" in inputs.describe_change(before, inputs.snapshot(str(path)))


# -- reproduction lines ---------------------------------------------------------------------

@pytest.mark.parametrize("spec, call, line", [
    ({"kind": "numpy", "dtype": "float32", "value": [[0.2, 0.3]]}, {"api": "Image", "kwargs": {"normalize": False}},
     "I(np.array([[0.2, 0.3]], dtype=np.float32), normalize=False)"),
    ({"kind": "numpy", "dtype": "float64", "value": [["nan", "-inf", "0x1p-1"]]}, {"api": "to_uint8"},
     "I.to_uint8(np.array([[float('nan'), float('-inf'), 0.5]], dtype=np.float64))"),
    ({"kind": "tensor", "dtype": "float32", "generate": {"name": "uniform", "seed": 0}, "shape": [3, 64, 64],
      "digest": "sha256:" + "0" * 64}, {"api": "Image"},
     "I(torch.from_numpy(wbimage_conformance.cases.generators.generate('uniform', 0, [3, 64, 64], 'float32')))"),
    ({"kind": "pil", "mode": "RGB", "dtype": "uint8", "value": [[[1, 2, 3]]]}, {"api": "Image", "kwargs": {"file_type": "jpg"}},
     "I(PIL.Image.fromarray(np.array([[[1, 2, 3]]], dtype=np.uint8)).convert('RGB'), file_type='jpg')"),
    ({"kind": "path", "filename": "a.png", "dtype": "uint8", "value": [[1]]}, {"api": "Image"},
     "I('a.png')  # a.png: PNG of np.array([[1]], dtype=np.uint8)"),
    ({"kind": "python", "value": None}, {"api": "attribute", "name": "MAX_ITEMS"}, "I.MAX_ITEMS"),
    ({"kind": "python", "value": None}, {"api": "signature"}, "inspect.signature(I)"),
    ({"kind": "images", "items": [{"of": {"kind": "numpy", "dtype": "uint8", "value": [[1]]}, "kwargs": {"caption": "a"}}]},
     {"api": "all_captions"}, "I.all_captions([I(np.array([[1]], dtype=np.uint8), caption='a')])"),
])
def test_reproduction_lines(spec, call, line):
    assert reproduction(make_case(spec, call), "I") == line


def test_reproduction_of_layout_options_evaluates_to_the_same_array():
    spec = {"kind": "numpy", "dtype": "float32", "value": [[0.5, 0.25], [1.0, 0.0]], "order": "reversed-view", "readonly": True}
    text = reproduction(make_case(spec, {"api": "to_uint8"}), "I")
    expression = text[len("I.to_uint8("):-1]
    array = eval(expression, {"np": np})  # the line is meant to be pasted; check that it means what it says
    assert array.tolist() == [[0.5, 0.25], [1.0, 0.0]] and not array.flags.writeable and array.strides[0] < 0


# -- adapters -------------------------------------------------------------------------------

def test_reference_adapter():
    adapter = adapters.load("reference")
    assert (adapter.name, adapter.display) == ("reference", "reference.Image")
    assert "normalize-keyword" in adapter.capabilities


def test_adapter_notes_a_missing_keyword_and_an_instance_guess_mode(monkeypatch):
    support.use_fixtures_path(monkeypatch)
    no_normalize = adapters.load(support.toy("NoNormalizeImage"))
    assert "normalize-keyword" not in no_normalize.capabilities
    obs = adapters.perform(no_normalize, "Image", np.zeros((1, 1)), {"normalize": False})
    assert obs.error_type == "TypeError"
    assert "toy_impls.NoNormalizeImage has no keyword argument 'normalize'" in obs.notes
    instance = adapters.load(support.toy("InstanceGuessModeImage"))
    obs = adapters.perform(instance, "guess_mode", np.zeros((2, 2, 3)), {})
    assert obs.value == "RGB"
    assert any("instance method" in n for n in obs.notes)


def test_signature_lists_parameters_after_data_or_path(monkeypatch):
    support.use_fixtures_path(monkeypatch)
    sig = adapters.perform(adapters.load(support.toy("NoNormalizeImage")), "signature", None, {}).value
    assert [name for name, _ in sig] == ["mode", "caption", "grouping", "classes", "boxes", "masks", "file_type"]


def test_observe_reads_the_encoded_bytes(monkeypatch):
    support.use_fixtures_path(monkeypatch)
    obs = adapters.perform(adapters.load(support.toy("ToyImage")), "Image", np.zeros((2, 2, 3)), {"file_type": "bmp"})
    assert (obs.format, obs.encoded, obs.size, obs.mode) == ("bmp", "bmp", (2, 2), "RGB")


def test_entry_point_registration(tmp_path, monkeypatch):
    dist = tmp_path / "toy_plugin-0.7.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-plugin\nVersion: 0.7\n")
    (dist / "entry_points.txt").write_text("[wbimage_conformance.implementations]\ntoy = toy_impls:ToyImage\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    support.use_fixtures_path(monkeypatch)
    adapter = adapters.load("toy")
    assert (adapter.name, adapter.version, adapter.display) == ("toy", "0.7", "toy_impls.ToyImage")
    with pytest.raises(adapters.UnknownImplementation, match="or a registered one: toy"):
        adapters.load("not-registered")


def test_worker_survives_a_folder_named_like_the_implementation_in_the_working_directory(tmp_path):
    (tmp_path / "reference").mkdir()  # would shadow the package if cwd came first on sys.path
    from wbimage_conformance.run import runner

    spec = runner.ImplSpec.parse("reference")
    lines = protocol.dumps(protocol.hello_request("t")) + protocol.dumps({"type": "bye"})
    done = subprocess.run(list(spec.command), input=lines, capture_output=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, **spec.env})
    assert done.returncode == 0, done.stderr
    assert b'"name":"reference"' in done.stdout
