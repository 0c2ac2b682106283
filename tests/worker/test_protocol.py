"""The JSON-lines protocol: values and arrays round-trip, messages follow the schema, and the
suite's own worker speaks it with minimal imports."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wbimage_conformance.model import Observation
from wbimage_conformance.run import runner
from wbimage_conformance.worker import protocol

import runner_support as support

SCHEMA_PATH = Path(protocol.__file__).parents[1] / "schemas" / "protocol.schema.json"


@pytest.fixture(scope="module")
def validate():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    return lambda message: validator.validate(json.loads(protocol.dumps(message)))


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2.5, "text", "日本語", [1, [2, 3]], {"a": [1, None]},
    b"\x00\xffbytes", {1: "int key"}, {"$looks": "like a tag"},
])
def test_values_round_trip(value):
    assert protocol.decode_value(json.loads(protocol.dumps({"type": "x", "v": protocol.encode_value(value)}))["v"]) == value


@pytest.mark.parametrize("special", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_travel_as_tags_in_strict_json(special):
    line = protocol.dumps({"type": "x", "v": protocol.encode_value(special)})
    assert b"NaN" not in line and b"Infinity" not in line
    back = protocol.decode_value(json.loads(line)["v"])
    assert (math.isnan(back) and math.isnan(special)) or back == special


def test_tuples_travel_as_lists():
    assert protocol.decode_value(protocol.encode_value((1, (2, 3)))) == [1, [2, 3]]


def test_objects_json_cannot_hold_become_opaque():
    back = protocol.decode_value(protocol.encode_value(np.int64(65500)))
    assert isinstance(back, protocol.Opaque)
    assert back.type == "numpy.int64" and back.value == 65500
    assert back != 65500
    assert protocol.decode_value(protocol.encode_value(np.str_("L"))).type == "numpy.str_"
    odd = protocol.decode_value(protocol.encode_value(object()))
    assert odd.type == "object" and odd.repr.startswith("<object object")


@pytest.mark.parametrize("array", [
    np.array([[0.25, -1.0]], dtype=np.float16),
    np.arange(24, dtype=np.uint16).reshape(2, 3, 4),
    np.array([[True, False]]),
    np.array([[1 + 2j]], dtype=np.complex64),
    np.array([["a", "bc"]]),
    np.zeros((0, 3), dtype=np.float32),
    np.array(7.5),
])
def test_arrays_round_trip_bit_exactly(array):
    back = protocol.decode_array(json.loads(json.dumps(protocol.encode_array(array))))
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


NPY_CASES = [
    np.zeros((2, 3)),
    np.zeros((2, 3), order="F"),
    np.arange(210.0).reshape(5, 6, 7).transpose(2, 0, 1),
    np.zeros((4, 6), np.float16)[:, ::2],
    np.array(3, np.uint8),
    np.zeros((0,), ">i4"),
    np.array([1.5], ">f8"),
    np.array(["ab", "c"]),
    np.zeros((2, 2), "U3", order="F"),
    np.zeros(3, "S0"),
    np.zeros((1,), dtype=[("a", "<i4")]),
    np.zeros((1,) * 40),
    np.zeros((123456789, 0)),
]


@pytest.mark.parametrize("array", NPY_CASES, ids=lambda a: f"{a.dtype.str}-{a.shape[:3]}")
def test_npy_bytes_are_what_numpy_save_writes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    assert protocol.npy_bytes(array) == buffer.getvalue()


@pytest.mark.parametrize("array", NPY_CASES, ids=lambda a: f"{a.dtype.str}-{a.shape[:3]}")
def test_npy_arrays_read_back_as_numpy_load_reads_them(array):
    raw = protocol.npy_bytes(array)
    mine, numpy_s = protocol.npy_array(raw), np.load(io.BytesIO(raw), allow_pickle=False)
    assert mine.dtype == numpy_s.dtype and mine.shape == numpy_s.shape and mine.strides == numpy_s.strides
    assert mine.tobytes() == numpy_s.tobytes()
    assert mine.flags.writeable and not np.shares_memory(mine, np.frombuffer(raw, np.uint8))


def test_npy_in_another_form_is_read_by_numpy():
    raw = protocol.npy_bytes(np.arange(3, dtype=np.int16))
    spaced = raw.replace(b"'descr': '<i2', ", b"'descr':'<i2',  ")  # same length, not numpy.save's form
    assert protocol.npy_array(spaced).tolist() == [0, 1, 2]


def test_truncated_npy_data_is_an_error():
    raw = protocol.npy_bytes(np.arange(4, dtype=np.int32))
    with pytest.raises(ValueError):
        protocol.npy_array(raw[:-2])


def test_object_arrays_travel_without_pickle():
    array = np.array([[1, "two"], [None, 3.5]], dtype=object)
    wire = protocol.encode_array(array)
    assert "npy" not in wire
    back = protocol.decode_array(wire)
    assert back.dtype == object and back.tolist() == array.tolist()


def test_arrays_from_a_npy_file(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(5))
    assert protocol.decode_array({"npy_path": str(tmp_path / "a.npy")}).tolist() == [0, 1, 2, 3, 4]


def test_observation_round_trips():
    obs = Observation(pixels=np.array([[1, 2]], dtype=np.uint8), mode="L", size=(2, 1), format="png", encoded="png",
                      caption="c", grouping=3, error_type=None, input_mutated=True, notes=("n",))
    back = protocol.decode_observation(json.loads(json.dumps(protocol.encode_observation(obs))))
    assert back.pixels.tolist() == [[1, 2]] and back.size == (2, 1)
    assert (back.mode, back.caption, back.grouping, back.input_mutated, back.notes) == ("L", "c", 3, True, ("n",))
    err = Observation(error_type="ValueError", error_bases=("Exception", "BaseException"), error_message="m")
    back = protocol.decode_observation(protocol.encode_observation(err))
    assert (back.error_type, back.error_bases, back.error_message) == ("ValueError", ("Exception", "BaseException"), "m")


def test_minimal_observation_takes_defaults():
    back = protocol.decode_observation({"value": "L"})
    assert back.value == "L" and back.has_value and not back.raised
    with pytest.raises(protocol.ProtocolError, match="unknown observation members"):
        protocol.decode_observation({"colour": "red"})


@pytest.mark.parametrize("line, message", [
    (b"not json\n", "not a JSON line"),
    (b"[1, 2]\n", "JSON object with a string 'type'"),
    (b'{"no_type": 1}\n', "JSON object with a string 'type'"),
])
def test_bad_lines_are_protocol_errors(line, message):
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.loads(line)


def test_hello_reply_checks():
    with pytest.raises(protocol.ProtocolError, match="could not start: no wandb"):
        protocol.parse_hello_reply({"type": "hello", "error": "no wandb"})
    with pytest.raises(protocol.ProtocolError, match="speaks protocol version 9"):
        protocol.parse_hello_reply({"type": "hello", "protocol": 9, "implementation": {"name": "x"}})
    shake = protocol.parse_hello_reply(protocol.hello_reply("x", None, ["numpy"], {"python": "3.11"}))
    assert shake.capabilities == frozenset({"numpy"}) and shake.version is None


def talk(impl_command, messages, env=None):
    lines = "".join(json.dumps(m) + "\n" for m in messages)
    done = subprocess.run(impl_command, input=lines, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    return [json.loads(line) for line in done.stdout.splitlines()], done


def worker_command(impl="reference"):
    spec = runner.ImplSpec.parse(impl)
    return list(spec.command), spec.env


def sample_requests():
    arr = protocol.encode_array(np.array([[0.2, 0.3]], dtype=np.float32))
    return [
        protocol.hello_request("test"),
        protocol.run_request("image", {"api": "Image", "kwargs": {"caption": "c"}},
                             {"kind": "numpy", "array": arr, "order": "F", "readonly": True}),
        protocol.run_request("to-uint8", {"api": "to_uint8"}, {"kind": "numpy", "array": arr}),
        protocol.run_request("guess", {"api": "guess_mode", "kwargs": {"file_type": "png"}}, {"kind": "numpy", "array": arr}),
        protocol.run_request("attr", {"api": "attribute", "name": "MAX_ITEMS"}, {"kind": "python", "value": None}),
        protocol.run_request("sig", {"api": "signature"}, {"kind": "python", "value": None}),
        protocol.run_request("captions", {"api": "all_captions"},
                             {"kind": "images", "items": [{"of": {"kind": "numpy", "array": arr}, "kwargs": {"caption": "a"}}]}),
        protocol.run_request("pil", {"api": "Image"}, {"kind": "pil", "array": protocol.encode_array(np.zeros((2, 2, 3), np.uint8)), "mode": "RGBA"}),
        protocol.run_request("bad-input", {"api": "Image"}, {"kind": "numpy", "array": arr, "order": "Z"}),
        {"type": "bye"},
    ]


def test_every_message_of_a_conversation_follows_the_schema(validate, monkeypatch):
    support.use_fixtures_path(monkeypatch)
    requests = sample_requests()
    for message in requests:
        if message.get("id") != "bad-input":  # deliberately outside the schema
            validate(message)
    command, env = worker_command(support.toy("ToyImage"))
    replies, done = talk(command, requests, env)
    assert done.returncode == 0, done.stderr
    assert len(replies) == len(requests) - 1
    for reply in replies:
        validate(reply)
    hello, image, to_uint8, guess, attr, sig, captions, pil, bad = replies
    assert hello["implementation"]["name"] == "toy_impls:ToyImage"
    assert {"numpy", "tensor", "pil", "path", "normalize-keyword"} <= set(hello["capabilities"])
    obs = protocol.decode_observation(image["observation"])
    assert obs.pixels.tolist() == [[51, 76]] and obs.mode == "L" and obs.caption == "c" and obs.encoded == "png"
    assert protocol.decode_observation(to_uint8["observation"]).pixels.tolist() == [[51, 76]]
    assert protocol.decode_observation(guess["observation"]).value == "L"
    assert protocol.decode_observation(attr["observation"]).value == 108
    signature = protocol.decode_observation(sig["observation"]).value
    assert signature[0] == ["mode", None] and signature[-1] == ["normalize", True]
    assert protocol.decode_observation(captions["observation"]).value == ["a"]
    assert protocol.decode_observation(pil["observation"]).mode == "RGBA"
    assert bad["outcome"] == "setup-error" and "unknown order 'Z'" in bad["reason"]


def test_failing_start_is_a_hello_with_an_error(validate):
    command, env = worker_command("no_such_module:Image")
    replies, done = talk(command, [protocol.hello_request("test")], env)
    assert done.returncode == 2
    (reply,) = replies
    validate(reply)
    assert "No module named 'no_such_module'" in reply["error"]


def test_the_exec_example_speaks_the_same_protocol(validate, monkeypatch):
    support.use_fixtures_path(monkeypatch)
    command = [sys.executable, str(support.EXEC_IMPL), "--class", "toy_impls:ToyImage"]
    requests = [m for m in sample_requests() if m.get("id") in (None, "image", "to-uint8", "guess", "attr")]
    replies, done = talk(command, requests)
    assert done.returncode == 0, done.stderr
    for reply in replies:
        validate(reply)
    assert protocol.decode_observation(replies[1]["observation"]).pixels.tolist() == [[51, 76]]
