"""A capture folder read back: parts merged into one manifest, and a part that is not what a
capture writes refused with file:line: field, exit code 2."""

from __future__ import annotations

import json

import pytest

from wbimage_conformance.capture import manifest
from wbimage_conformance.errors import ConfigurationError

LIMITS = {"max_per_site": 2, "max_bytes_per_site": 1000, "max_total_bytes": 5000}


def sample(index: int, pid: int) -> dict:
    return {"index": index, "kind": "numpy", "type": "numpy.ndarray", "file": f"samples/a.py-3-x/{index:04d}.npy",
            "bytes": 200, "pid": pid, "dtype": "uint8", "shape": [2, 2], "min": 0, "max": 9, "has_nan": False,
            "kwargs": {"mode": None}, "other_kwargs": []}


def part(pid: int, indices: list[int], calls: int, dropped: int) -> dict:
    return {"format": 1, "sampling": "first", "limits": LIMITS, "processes": [{"pid": pid, "python": "3.11.7"}],
            "sites": [{"site": "/p/a.py:3", "file": "/p/a.py", "line": 3, "function": "f", "folder": "samples/a.py-3-x",
                       "calls": calls, "kept": len(indices),
                       "dropped": {"count": dropped, "bytes": 0, "total": 0, "error": 0},
                       "samples": [sample(index, pid) for index in indices]}]}


def write_parts(folder, *parts):
    (folder / "parts").mkdir(parents=True)
    for number, content in enumerate(parts):
        (folder / "parts" / f"{number}.json").write_text(json.dumps(content, indent=1))


def test_parts_of_two_processes_merge_into_one_site(tmp_path):
    write_parts(tmp_path, part(7, [1], calls=4, dropped=3), part(5, [0], calls=2, dropped=1))
    merged = manifest.read(tmp_path)
    (site,) = merged["sites"]
    assert (site["calls"], site["kept"], site["dropped"]["count"]) == (6, 2, 4)
    assert [s["index"] for s in site["samples"]] == [0, 1]
    assert [p["pid"] for p in merged["processes"]] == [5, 7]


def test_the_merged_manifest_is_written_and_read_back_alone(tmp_path):
    write_parts(tmp_path, part(5, [0, 1], calls=2, dropped=0))
    merged, where = manifest.finish(tmp_path, LIMITS)
    assert where == tmp_path / "manifest.json"
    for path in (tmp_path / "parts").iterdir():
        path.unlink()
    assert manifest.read(tmp_path) == merged


def test_a_part_with_a_negative_count_names_file_line_and_field(tmp_path):
    broken = part(5, [0], calls=-1, dropped=0)
    write_parts(tmp_path, broken)
    with pytest.raises(ConfigurationError) as caught:
        manifest.read(tmp_path)
    path = tmp_path / "parts" / "0.json"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"calls": -1' in text)
    assert str(caught.value).startswith(f"{path}:{line}: sites[0].calls: -1 is less than the minimum of 0")


def test_a_sample_file_outside_the_folder_is_refused(tmp_path):
    broken = part(5, [0], calls=1, dropped=0)
    broken["sites"][0]["samples"][0]["file"] = "../../etc/passwd"
    write_parts(tmp_path, broken)
    with pytest.raises(ConfigurationError, match=r"sites\[0\]\.samples\[0\]\.file"):
        manifest.read(tmp_path)


def test_parts_with_different_limits_are_refused(tmp_path):
    other = part(6, [1], calls=1, dropped=0)
    other["limits"] = dict(LIMITS, max_per_site=9)
    write_parts(tmp_path, part(5, [0], calls=1, dropped=0), other)
    with pytest.raises(manifest.CaptureError, match=r"1\.json: limits: .* differ from"):
        manifest.read(tmp_path)


def test_a_folder_without_a_capture_is_refused(tmp_path):
    with pytest.raises(manifest.CaptureError, match="no capture here"):
        manifest.read(tmp_path)


def test_the_summary_names_each_limit_that_dropped(tmp_path):
    data = part(5, [0, 1], calls=9, dropped=5)
    data["sites"][0]["dropped"].update(bytes=1, error=1)
    line = manifest.summary(data, "here")
    assert line == ("wbimage capture: 1 call site(s), 9 call(s), 2 sample(s) kept (400 bytes) in here; dropped 7: "
                    "5 over --max-per-site, 1 over --max-bytes-per-site, 1 failed to record "
                    "(limits: first 2 per site, 1000 bytes per site, 5000 bytes in all)")


def test_sites_are_listed_by_file_then_line_number(tmp_path):
    later, earlier = part(5, [], calls=1, dropped=1), part(5, [], calls=1, dropped=1)
    later["sites"][0].update(site="/p/a.py:10", line=10)
    earlier["sites"][0].update(site="/p/a.py:9", line=9)
    write_parts(tmp_path, later, earlier)
    assert [site["line"] for site in manifest.read(tmp_path)["sites"]] == [9, 10]
