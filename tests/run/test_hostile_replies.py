"""A worker's replies are untrusted: however malformed, each ends the case as a crash with a
one-line reason, in bounded memory, and the run goes on; whatever a reply held, the run's
reports can be written and read back; and a big reply is not kept once judged."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wbimage_conformance import report as report_writers
from wbimage_conformance.model import Status
from wbimage_conformance.report import from_json
from wbimage_conformance.run import replies, retention, runner
from wbimage_conformance.worker import protocol

import runner_support as support

#: An exec: implementation that says hello properly, then answers every run request with the
#: line given on its command line (a JSON text), with N bytes of junk and no newline, or with
#: N MiB written to stderr, a last line there, and an exit.
HOSTILE = textwrap.dedent('''
    import json, os, sys
    hello = {"type": "hello", "protocol": 1, "implementation": {"name": "hostile", "version": "1"},
             "capabilities": ["numpy"], "environment": {}}
    reply = sys.argv[1]
    if reply.startswith("@"):
        reply = open(reply[1:], encoding="utf-8", errors="surrogatepass").read()
    for line in sys.stdin:
        message = json.loads(line)
        if message["type"] == "hello":
            print(json.dumps(hello), flush=True)
        elif message["type"] == "run":
            if reply.startswith("junk:"):
                sys.stdout.write("x" * int(reply[5:]))
                sys.stdout.flush()
            elif reply.startswith("stderr:"):
                block = b"e" * (1 << 20)
                for _ in range(int(reply[7:])):
                    os.write(2, block)
                os.write(2, b"\\nthe last words\\n")
                sys.exit(3)
            else:
                print(reply.replace("CASE", message["id"]), flush=True)
        else:
            break
''')


def _run_hostile(tmp_path, reply: str):
    return _run_hostile_report(tmp_path, reply).results


def _run_hostile_report(tmp_path, reply: str):
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE)
    cases_file = support.write_cases(tmp_path, [support.case("unit-plain"), support.case("unit-again")])
    from wbimage_conformance.cases import casefiles

    cases = casefiles.load_cases([cases_file])
    reply_file = tmp_path / "reply.json"  # long replies do not fit a command line; a sandbox would hide the file
    reply_file.write_text(reply, encoding="utf-8", errors="surrogatepass")
    return runner.run(cases, f"exec:{sys.executable} {script} @{reply_file}", timeout=30, sandbox_mode="none")


def _written_and_read_back(tmp_path, report):
    """Every report format written, and the JSON one read back as `report` reads it."""
    for fmt in report_writers.FORMATS:
        report_writers.write(report, fmt, tmp_path / f"report.{fmt}")
    return from_json.load(tmp_path / "report.json")


def _observed(observation: dict) -> str:
    return json.dumps({"type": "result", "id": "CASE", "outcome": "observed", "observation": observation})


@pytest.mark.parametrize("reply, message", [
    ('{"type": "result", "id": "CASE", "outcome": "observed", "observation": ' + "[" * 50000 + "]" * 50000 + "}",
     "nested too deeply"),
    (_observed({"pixels": {"$ndarray": {"npy_path": "/etc/passwd"}}}), "may not name a file"),
    ("not json at all", "not a JSON line"),
    (_observed({"value": "VALUE"}).replace('"VALUE"', "9" * 5000), "Exceeds the limit (4300 digits)"),
    ('{"type": "result", "id": "other", "outcome": "observed"}', "expected the result for"),
    (_observed({"pixels": {"$ndarray": {"npy": "kw=="}}}), "bad observation"),
])
def test_a_malformed_reply_is_a_crash_of_that_case_only(tmp_path, reply, message):
    results = _run_hostile(tmp_path, reply)
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]  # the second case ran too
    assert message in results[0].message and "\n" not in results[0].message


def test_an_endless_reply_line_is_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_REPLY_BYTES", 1 << 20)
    results = _run_hostile(tmp_path, f"junk:{4 << 20}")
    assert results[0].status is Status.CRASH
    assert f"longer than {1 << 20} bytes" in results[0].message


def test_800_mb_of_stderr_end_the_case_as_a_crash_quoting_its_last_line(tmp_path):
    """Drained as it comes and only its tail kept (pipe_drain.py): neither memory nor disk
    holds the 800 MB."""
    results = _run_hostile(tmp_path, "stderr:800")
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]
    assert results[0].message == "the worker exited with code 3; stderr: the last words"


def test_an_npy_header_claiming_more_than_it_holds_is_refused_before_allocation():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**7, 10**7)})
    with pytest.raises(protocol.ProtocolError, match="claims 100000000000000 elements"):
        protocol.npy_array(header.getvalue())


@pytest.mark.parametrize("hello, message", [
    ({"capabilities": 5}, "capabilities must be a list of strings"),
    ({"environment": ["numpy"]}, "environment must map names"),
    ({"environment": {"numpy": 2}}, "environment must map names"),
    ({"implementation": {"name": "x", "version": 3}}, "must be strings"),
])
def test_a_malformed_hello_is_a_protocol_error(hello, message):
    base = {"type": "hello", "protocol": 1, "implementation": {"name": "x"}, "capabilities": [], "environment": {}}
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.parse_hello_reply({**base, **hello})


def _nested(depth: int) -> str:
    """An observation value nested so that the whole reply line is `depth` levels deep."""
    inner = depth - 3  # the message, the observation, the value's own first list
    return _observed({"value": "VALUE", "has_value": True}).replace('"VALUE"', "[" * (inner + 1) + "]" * (inner + 1))


@pytest.mark.parametrize("depth", [600, 490, replies.MAX_DEPTH + 1])
def test_a_reply_nested_beyond_the_limit_is_a_crash_and_the_report_reads_back(tmp_path, depth):
    """At 600 levels (a 1 KB line) the run once died of RecursionError; at 490 it finished,
    and its own JSON report then crashed `report`."""
    line = _nested(depth)
    assert replies.measure(line.encode()).depth == depth and len(line) < 2000
    report = _run_hostile_report(tmp_path, line)
    assert [r.status for r in report.results] == [Status.CRASH, Status.CRASH]
    assert f"a reply nested too deeply ({depth} levels; at most {replies.MAX_DEPTH})" in report.results[0].message
    assert [r.status for r in _written_and_read_back(tmp_path, report).results] == [Status.CRASH, Status.CRASH]


def test_a_reply_at_the_depth_limit_is_judged_and_its_report_reads_back(tmp_path):
    report = _run_hostile_report(tmp_path, _nested(replies.MAX_DEPTH))
    assert [r.status for r in report.results] == [Status.FAILED, Status.FAILED]  # no pixels: a verdict
    assert [r.status for r in _written_and_read_back(tmp_path, report).results] == [Status.FAILED, Status.FAILED]


def test_a_lone_surrogate_in_a_reply_is_replaced_and_every_report_writes(tmp_path):
    reply = _observed({"error": {"type": "ValueError\ud800", "bases": ["Exception"], "message": "bad \udfff end"},
                       "notes": ["\ud83d"]})
    report = _run_hostile_report(tmp_path, reply)
    assert [r.status for r in report.results] == [Status.ERROR, Status.ERROR]
    assert report.results[0].message.startswith("raised ValueError\ufffd: bad \ufffd end")
    read = _written_and_read_back(tmp_path, report)
    assert "bad \ufffd end" in read.results[0].message
    for fmt in report_writers.FORMATS:
        (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")  # valid UTF-8 throughout


def test_a_reply_with_too_many_values_is_refused_before_it_is_parsed(tmp_path):
    count = replies.MAX_VALUES + 10
    results = _run_hostile(tmp_path, _observed({"value": "VALUE"}).replace('"VALUE"', "[" + ",".join(["0"] * count) + "]"))
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]
    assert "a reply with too many values" in results[0].message


@pytest.mark.parametrize("observation, message", [
    ('[1, 2]', "'observation' must be an object"),
    ('{"error": ["ValueError"]}', "'error' must be an object with a string 'type'"),
    ('{"error": {"type": 5}}', "'error' must be an object with a string 'type'"),
    ('{"error": {"type": "E", "bases": "Exception"}}', "'bases' must be a list"),
    ('{"notes": "a note"}', "'notes' must be a list"),
    ('{"pixels": {"$float": [1]}}', "bad observation"),
    ('{"pixels": {"$dict": 5}}', "bad observation"),
    ('{"pixels": {"$dict": [[{"a": 1}, 2]]}}', "bad observation"),
    ('{"value": {"$object": {"repr": "x"}}}', "bad observation"),
    ('{"pixels": {"$ndarray": {"object": [1, 2, 3], "shape": [2, -5]}}}', "bad observation"),
    ('{"pixels": {"$ndarray": {"object": [1], "shape": [100000000000, 100000000000]}}}', "bad observation"),
])
def test_a_malformed_observation_member_is_a_one_line_crash(tmp_path, observation, message):
    reply = '{"type": "result", "id": "CASE", "outcome": "observed", "observation": %s}' % observation
    results = _run_hostile(tmp_path, reply)
    assert [r.status for r in results] == [Status.CRASH, Status.CRASH]
    assert message in results[0].message and "\n" not in results[0].message


def test_a_big_reply_is_summarized_once_judged_and_reports_say_what_it_was(tmp_path, monkeypatch):
    """The limit is lowered so a 30,000-byte array counts as big; on the real limit a 60 MB
    array per case once kept 1.3 GB in the runner for 17 cases."""
    monkeypatch.setattr(retention, "KEEP_WHOLE_BYTES", 10_000)
    pixels = np.full((100, 100, 3), 7, dtype=np.uint8)
    wire = protocol.encode_value(pixels)
    report = _run_hostile_report(tmp_path, _observed({"pixels": wire, "mode": "RGB", "error": None,
                                                      "caption": "c" * 50_000}))
    first = report.results[0]
    assert first.status is Status.FAILED
    digest = hashlib.sha256(pixels.tobytes()).hexdigest()
    assert dict(first.observation.pixels) == {"kind": "ndarray", "dtype": "uint8", "shape": [100, 100, 3], "sha256": digest}
    assert first.observation.caption.endswith("(48000 more characters)")
    (pixel_mismatch,) = [m for m in first.mismatches if m.field == "pixels"]
    assert pixel_mismatch.actual == first.observation.pixels
    assert "shape [100, 100, 3], expected [1, 2]" in first.message
    read = _written_and_read_back(tmp_path, report)
    assert digest in (tmp_path / "report.json").read_text(encoding="utf-8")
    assert read.results[0].status is Status.FAILED


def test_a_small_reply_is_kept_whole(tmp_path):
    pixels = np.array([[51, 77]], dtype=np.uint8)
    results = _run_hostile(tmp_path, _observed({"pixels": protocol.encode_value(pixels), "mode": "L", "size": [2, 1]}))
    assert results[0].status is Status.FAILED
    assert isinstance(results[0].observation.pixels, np.ndarray)  # triage and the HTML report need it


# -- properties: any line gives a message or a ProtocolError; any message a verdict or a crash --

TAGS = ["$float", "$bytes", "$ndarray", "$dict", "$object", "npy", "npy_path", "object", "shape", "type", "repr",
        "value", "pixels", "error", "bases", "message", "notes", "size", "mode", "caption", "has_value"]
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(alphabet=st.characters() | st.sampled_from(["\ud800", "\udfff", "\\", '"', "\x1b"]), max_size=12)
           | st.sampled_from(["kw==", "k05VTVBZAQB2AHsn", "nan", "-inf", "9" * 50, "\x1b[2J", '\\"']))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(TAGS) | st.text(max_size=4), inner, max_size=4), max_leaves=30)
observations = st.dictionaries(st.sampled_from(TAGS[10:] + ["grouping", "format", "encoded", "input_mutated"]),
                               json_values, max_size=6)
PIECES = [b"[", b"]", b"{", b"}", b'"', b"\\", b'\\"', b",", b":", b"\\u", b"d800", b"\xff", b"\n", b" ", b"0", b"1e999",
          b'"type"', b'"result"', b'"observation"', b"[" * 70, b"]" * 70, b"9" * 5000]
lines = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)


def _tree_depth(value) -> int:
    if isinstance(value, (list, dict)):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((_tree_depth(v) for v in children), default=0)
    return 0


@settings(max_examples=400, deadline=None, derandomize=True)
@given(value=json_values, chunk=st.sampled_from([1, 2, 3, 5, 64, replies.SCAN_CHUNK]), ascii_only=st.booleans())
def test_the_scan_measures_the_depth_a_parser_finds(value, chunk, ascii_only):
    line = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    original = replies.SCAN_CHUNK
    replies.SCAN_CHUNK = chunk  # chunk borders inside strings, escapes and runs of backslashes
    try:
        shape = replies.measure(line)
    finally:
        replies.SCAN_CHUNK = original
    assert shape.depth == _tree_depth(json.loads(line))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(line=lines)
def test_any_line_is_a_message_or_a_protocol_error(line):
    try:
        message, _ = replies.parse(line)
    except protocol.ProtocolError as exc:
        assert "\n" not in str(exc)
        return
    json.dumps(message, ensure_ascii=False).encode("utf-8")  # every string encodable


@settings(max_examples=300, deadline=None, derandomize=True)
@given(observation=observations)
def test_any_observation_is_a_verdict_or_a_crash_of_its_case(observation):
    """What Session._verdict does with a parsed reply: a verdict, or one of the errors it turns
    into the case's crash; never another exception, which would end the run."""
    from wbimage_conformance.cases import casefiles

    line = json.dumps({"type": "result", "id": "unit-plain", "outcome": "observed", "observation": observation},
                      ensure_ascii=False).encode("utf-8", "surrogatepass")
    case = casefiles.load_cases([_CASES])[0]
    try:
        message, shape = replies.parse(line)
        _, verdict = runner.Session._judge(case, message["observation"])
    except runner._UNJUDGEABLE:
        return
    assert verdict.status in (Status.PASSED, Status.FAILED, Status.ERROR)
    if retention.needs_summary(shape.size, shape.values):
        retention.summarize_observation(protocol.decode_observation(message["observation"]), {})


_CASES = support.write_cases(Path(tempfile.mkdtemp(prefix="hostile-replies-")), [support.case("unit-plain")])
