"""The bytes a saved report keeps for its pictures: read back exactly, and refused, saying why,
when they are not what their dtype, shape and sha256 say, without inflating more than those
allow."""

from __future__ import annotations

import base64
import hashlib
import json
import tracemalloc
import zlib

import numpy as np
import pytest
from report_samples import ENVIRONMENT, case

from wbimage_conformance.model import Mismatch, Result, RunReport, Status
from wbimage_conformance.report import render, saved_pixels


def saved(array: np.ndarray, data: bytes | None = None, **changes) -> dict:
    """An array as a report saves it, its bytes compressed here (not by the code under test)."""
    raw = array.tobytes() if data is None else data
    entry = {"kind": "ndarray", "dtype": str(array.dtype), "shape": list(array.shape),
             "sha256": hashlib.sha256(array.tobytes()).hexdigest(),
             "zlib_base64": base64.b64encode(zlib.compress(raw)).decode("ascii")}
    entry.update(changes)
    return entry


@pytest.mark.parametrize("array", [
    np.arange(300, dtype=np.uint8).reshape(10, 10, 3),
    np.array([[0.5, np.nan, -np.inf]] * 30, dtype=np.float32),
    (np.arange(70, dtype=">u2") * 999).reshape(7, 10),
    np.eye(9, dtype=bool),
    np.zeros((0, 5), np.int16),
], ids=["uint8", "float32-nan", "big-endian", "bool", "empty"])
def test_saved_bytes_read_back_as_the_very_array(array):
    back, why = saved_pixels.decode(saved(array))
    assert why == ""
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


def test_what_the_report_writes_is_what_the_reader_reads():
    array = (np.arange(100 * 80) % 251).astype(np.uint8).reshape(100, 80)
    result = Result(case("x", "norm.unit", "t", 1), Status.FAILED, mismatches=(Mismatch("pixels", array, array + 1),))
    written = json.loads(render(RunReport(ENVIRONMENT, (result,)), "json"))["results"][0]["mismatches"][0]
    for side, want in (("expected", array), ("actual", array + 1)):
        assert written[side]["sha256"] == hashlib.sha256(want.tobytes()).hexdigest()
        assert zlib.decompress(base64.b64decode(written[side]["zlib_base64"])) == want.tobytes()


@pytest.mark.parametrize("entry, why", [
    (saved(np.ones((9, 9), np.uint8), bytes(81)), "its saved bytes do not hash to its sha256"),
    (saved(np.ones((9, 9), np.uint8), bytes(80)), "not the zlib-compressed, base64-encoded bytes of its shape"),
    (saved(np.ones((9, 9), np.uint8), bytes(82)), "not the zlib-compressed, base64-encoded bytes of its shape"),
    (saved(np.ones((9, 9), np.uint8), zlib_base64="@@@@"), "not the zlib-compressed, base64-encoded bytes"),
    (saved(np.ones((9, 9), np.uint8), zlib_base64=base64.b64encode(b"not zlib").decode()), "not the zlib"),
    (saved(np.ones((9, 9), np.uint8), dtype="object"), "dtype or shape is not one of pixels"),
    (saved(np.ones((9, 9), np.uint8), dtype="<U3"), "dtype or shape is not one of pixels"),
    (saved(np.ones((9, 9), np.uint8), dtype="no such dtype"), "dtype or shape is not one of pixels"),
    (saved(np.ones((9, 9), np.uint8), shape=[9, -9]), "dtype or shape is not one of pixels"),
    (saved(np.ones((9, 9), np.uint8), shape="9x9"), "dtype or shape is not one of pixels"),
    (saved(np.ones((9, 9), np.uint8), left_out="its pixels (5 MiB) are over the 4 MiB a case may keep"),
     "left out of the saved report: its pixels (5 MiB) are over the 4 MiB a case may keep"),
    ({"kind": "ndarray", "dtype": "uint8", "shape": [9, 9], "sha256": "00" * 32}, "kept only its digest"),
    ({"kind": "ndarray", "dtype": "uint8", "shape": [1, 2], "sha256": "00" * 32, "values": [[1, 2]]},
     "its saved values do not hash to its sha256"),
])
def test_bytes_that_are_not_the_array_are_refused_with_the_reason(entry, why):
    array, reason = saved_pixels.decode(entry)
    assert array is None and why in reason


def test_a_zlib_bomb_is_not_inflated_beyond_the_size_its_shape_gives():
    bomb = saved(np.zeros((1024, 1024), np.uint8), bytes(256 * 2**20))   # 256 MiB of zeros in 255 KiB
    tracemalloc.start()
    try:
        array, why = saved_pixels.decode(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert array is None and "not the zlib-compressed" in why
    assert peak < 8 * 2**20


def test_a_shape_over_the_per_case_cap_is_refused_before_any_decoding():
    claim = saved(np.zeros((4, 4), np.uint8), shape=[2**31, 2**31])
    assert saved_pixels.decode(claim) == (None, "its dtype and shape give more bytes than the 4 MiB a case may keep")
    just_over = saved(np.zeros((4, 4), np.uint8), shape=[saved_pixels.CASE_LIMIT + 1])
    assert "more bytes than the 4 MiB" in saved_pixels.decode(just_over)[1]


def test_text_longer_than_its_bytes_could_need_is_refused_before_decoding():
    padded = saved(np.zeros((4, 4), np.uint8), zlib_base64="A" * 4096)
    assert saved_pixels.decode(padded) == (None, "its saved text is longer than 16 bytes can compress to")
