"""Properties over generated malformed inputs: a case file or an expectations file either loads
or raises the one configuration error of its kind (exit code 2, message starting with the
file's name); a worker's reply either decodes or raises ProtocolError. Never another
exception, whatever the bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wbimage_conformance.cases import casefiles
from wbimage_conformance.run import expectations
from wbimage_conformance.worker import protocol

import runner_support as support

EXPECTATIONS = """implementation: wandb
versions: ">=0.20.1,<0.29"
environment: {numpy: 2.4.6, pillow: 12.3.0, torch: null}
deviations:
  unit-plain:
    status: failed
    reason: "rounds: 51 -> 52"
    clause: norm.unit
"""
#: Pieces that YAML, the schema and the loaders treat specially.
TOKENS = ["&a ", "*a", "[", "]", "{", "}", ": ", "- ", "? ", "!!python/object:os.system", "!!binary", "'", '"',
          "\n", "  ", "\t", "#", "|", ">", "---", "...", "%YAML 1.1", "nan", "-inf", "1e999", "9" * 60, "0x1p-1",
          "~", "null", "true", "2001-13-45", "\x00", "\udcff", "é", "[" * 80, "]" * 80, "*a, *a, *a"]

edits = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 8), st.sampled_from(TOKENS)), min_size=1, max_size=6)


def _mutate(text: str, changes: list[tuple[int, int, str]]) -> str:
    for position, cut, token in changes:
        position %= len(text) + 1
        text = text[:position] + token + text[position + cut:]
    return text


def _write(tmp_path_factory, name: str, text: str):
    path = tmp_path_factory.mktemp("hostile") / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


@pytest.mark.parametrize("name, text, load, error", [
    ("cases.yaml", support.VALID_CASE_TEXT, casefiles.load_file, casefiles.CaseFileError),
    ("exp.yaml", EXPECTATIONS, expectations.load, expectations.ExpectationsError),
])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=edits)
def test_a_mutated_file_loads_or_fails_with_its_own_one_line_error(tmp_path_factory, name, text, load, error, changes):
    path = _write(tmp_path_factory, name, _mutate(text, changes))
    try:
        load(path)
    except error as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc).strip()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "id", "outcome", "observation", "pixels", "$ndarray", "npy", "npy_path", "object",
                         "shape", "$float", "$bytes", "$dict", "$object", "error", "size", "notes", "capabilities",
                         "environment", "implementation", "name", "version", "protocol"]), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=500, deadline=None)
@given(value=json_values)
def test_any_json_reply_decodes_or_is_a_protocol_error(value):
    line = json.dumps(value).encode() + b"\n"
    try:
        message = protocol.loads(line)
    except protocol.ProtocolError:
        return
    try:
        protocol.parse_hello_reply(message)  # Worker.start turns only ProtocolError into a clean stop
    except protocol.ProtocolError:
        pass
    try:
        protocol.decode_observation(message.get("observation") or {})
    except (protocol.ProtocolError, KeyError, TypeError, ValueError):
        pass  # what Session._judge turns into a crash of the case, with the reason
