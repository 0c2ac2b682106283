"""Files a docs example leaves in its folder are read within bounds, never through a link,
never by blocking, never by allocating what a header claims (worker/npy_reader.py).

Each example here sabotages the files the recorder wrote for its own wandb.Image call, after
the call, so the checker (and the probe in the sandbox) meet them when they read the arrays.
"""

from __future__ import annotations

import os
import struct
import textwrap
import time

import numpy as np
import pytest

from wbimage_conformance.doccheck import classify, sessions
from wbimage_conformance.doccheck.markdown import parse_page
from wbimage_conformance.worker import npy_reader

#: An example's call, then its sabotage of the files the recorder wrote.
CALL = """\
import glob, os, struct
import numpy as np
import wandb
image = wandb.Image(np.array([[-1.0, 0.0, 1.0]]))
# -1 -> 0, 0 -> 127.5, 1 -> 255
"""


def run(code: str, lanes: bool):
    text = f"## Examples\n\n**Example 2**\n\n```python\n{CALL}{textwrap.dedent(code).strip()}\n```\n"
    page = classify.classify(parse_page(text, "left.en.md"))
    job = sessions.plan(page)
    started = time.monotonic()
    if lanes:
        (outcome,) = sessions.run_all([job], "reference", 20, 1, "auto")
    else:
        outcome = sessions.run_page(job, sessions.sandbox_command("reference", "auto"), 20)
    return outcome, time.monotonic() - started


def header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """A NumPy 1.0 header claiming `shape`, with no data after it (written for the test)."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (117 - len(text)) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("ascii")


@pytest.mark.parametrize("lanes", [False, True], ids=["per-page", "lane"])
def test_a_pixels_file_replaced_by_a_fifo_is_a_crash_not_a_hang(lanes):
    outcome, seconds = run("""
        for name in glob.glob("pixels-*.npy"):
            os.unlink(name)
            os.mkfifo(name)
        """, lanes)
    assert outcome.status == "crash" and "not a regular file" in outcome.message
    assert seconds < 60


@pytest.mark.parametrize("lanes", [False, True], ids=["per-page", "lane"])
def test_a_pixels_file_replaced_by_a_link_to_a_host_file_is_never_opened(lanes, tmp_path):
    secret = tmp_path / "secret.npy"
    np.save(secret, np.array([[7, 7, 7]], dtype=np.uint8))
    outcome, _ = run(f"""
        for name in glob.glob("pixels-*.npy"):
            os.unlink(name)
            os.symlink({str(secret)!r}, name)
        """, lanes)
    assert outcome.status == "crash" and "a link, or missing" in outcome.message
    assert outcome.arrays == {}


def test_an_input_whose_header_claims_80_gb_is_refused_by_the_probe_and_the_checker():
    outcome, seconds = run(f"""
        for name in glob.glob("input-*.npy"):
            with open(name, "wb") as handle:
                handle.write({header((100_000, 100_000))!r})
        """, lanes=False)
    assert outcome.status == "crash"
    assert "claims 80,000,000,000 bytes" in outcome.message
    assert seconds < 60


def test_a_forged_recording_cannot_name_a_file_outside_the_recorders_names():
    outcome, _ = run("""
        recorder = next(c.cell_contents for c in type(image).__init__.__closure__
                        if type(c.cell_contents).__name__ == "Recorder")
        recorder.calls[0]["observed"]["pixels"] = "../../../../etc/passwd"
        """, lanes=False)
    assert outcome.status == "crash" and "not a name the recorder gives" in outcome.message


@pytest.mark.parametrize("levels, message", [
    (100, "the example's recording nests deeper than 64 levels"),
    (5000, "the example's process exited"),  # too deep for its own json.dumps
])
def test_a_forged_recording_nested_deeply_is_a_crash(levels, message):
    outcome, _ = run(f"""
        recorder = next(c.cell_contents for c in type(image).__init__.__closure__
                        if type(c.cell_contents).__name__ == "Recorder")
        deep = []
        for _ in range({levels}):
            deep = [deep]
        recorder.calls[0]["kwargs"]["boxes"] = deep
        """, lanes=False)
    assert outcome.status == "crash" and message in outcome.message


# -- the reader itself --------------------------------------------------------------------


def test_the_reader_reads_what_numpy_saved(tmp_path):
    for index, array in enumerate([np.arange(12, dtype=np.float32).reshape(3, 4),
                                   np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)),
                                   np.zeros((0, 3), dtype=np.int16), np.array(True)]):
        np.save(tmp_path / f"input-{index}.npy", array)
        got = npy_reader.load(tmp_path, f"input-{index}.npy")
        assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(header((3,)) + b"\0" * 8), "the file holds 8"),           # short of its claim
    (lambda p: p.write_bytes(header((1,)) + b"\0" * 64), "the file holds 64"),         # longer than its claim
    (lambda p: p.write_bytes(header((2**40, 2**40), "<u1")), "claims"),                # beyond the cap
    (lambda p: p.write_bytes(header((-1, 2))), "shape"),
    (lambda p: p.write_bytes(header((2,), "|O")), "not a plain array's"),
    (lambda p: p.write_bytes(b"\x93NUMPY\x09\x00junk"), "not a NumPy"),
    (lambda p: p.write_bytes(b""), "not a NumPy"),
    (lambda p: os.mkfifo(p), "not a regular file"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: p.symlink_to("/dev/zero"), "a link"),
])
def test_the_reader_refuses_what_the_recorder_did_not_write(tmp_path, make, message):
    make(tmp_path / "pixels-1.npy")
    with pytest.raises(npy_reader.ArrayFileError, match=message):
        npy_reader.load(tmp_path, "pixels-1.npy")


@pytest.mark.parametrize("name", ["zz.npy", "../pixels-1.npy", "/etc/passwd", "pixels-1.npy/..", "input-1.npz", 3])
def test_the_reader_takes_only_the_recorders_names(tmp_path, name):
    with pytest.raises(npy_reader.ArrayFileError, match="not a name the recorder gives"):
        npy_reader.load(tmp_path, name)


def test_the_reader_does_not_enter_a_folder_that_is_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    np.save(tmp_path / "real" / "input-1.npy", np.zeros(2))
    (tmp_path / "page-1").symlink_to(tmp_path / "real")
    with pytest.raises(npy_reader.ArrayFileError, match="folder cannot be opened"):
        npy_reader.load(tmp_path / "page-1", "input-1.npy")
