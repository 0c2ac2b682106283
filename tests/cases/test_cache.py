"""The validation cache: an unchanged case file is not validated again, a case is always built
from its file, and an entry that is damaged, stale or edited changes nothing but the time taken."""

from __future__ import annotations

import json
import os

import pytest

from wbimage_conformance import spec
from wbimage_conformance.cases import cache, casefiles, selection

import runner_support as support


@pytest.fixture
def cases_folder(tmp_path, monkeypatch):
    """Two small case files as a folder of their own (the second with an implementation-defined
    case and a path input); an empty cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "cases"
    folder.mkdir()
    support.write_cases(folder, [support.case("api-one"), support.case("api-two", clauses=["api.signature"])], "api.yaml")
    either = support.case("classes-either", level="implementation-defined", allowed=[{"mode": "L"}, {"mode": "RGB"}],
                          rationale="either mode is allowed")
    del either["expect"]
    on_disk = support.case("classes-file", clauses=["input.path"], expect={"mode": "L"})
    on_disk["input"] = {"kind": "path", "filename": "a.png", "dtype": "uint8", "value": [[1, 2]]}
    support.write_cases(folder, [either, on_disk], "classes.yaml")
    return folder


@pytest.fixture
def validations(monkeypatch):
    """The paths of the files validated in full, in order."""
    seen: list[str] = []
    real = casefiles._validated

    def counting(path, *args):
        seen.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(casefiles, "_validated", counting)
    return seen


def entries(tmp_path):
    return sorted((tmp_path / "xdg" / "wbimage-conformance" / "validated").glob("*.json"))


def test_a_second_load_validates_nothing_and_gives_the_same_cases(cases_folder, validations):
    first = casefiles.load_case_set([cases_folder])
    assert validations == ["api.yaml", "classes.yaml"]
    second = casefiles.load_case_set([cases_folder])
    assert validations == ["api.yaml", "classes.yaml"]
    assert repr(second) == repr(first) and len(first.cases) > 1


def test_an_entry_holds_no_input_and_no_expected_value(cases_folder, tmp_path):
    casefiles.load_case_set([cases_folder])
    text = " ".join(entry.read_text(encoding="utf-8") for entry in entries(tmp_path))
    assert len(entries(tmp_path)) == 2
    for field in ("input", "expect", "pixels", "kwargs", "value"):
        assert f'"{field}"' not in text


def test_a_changed_file_is_validated_again(cases_folder, validations):
    casefiles.load_case_set([cases_folder])
    path = cases_folder / "classes.yaml"
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    path.write_text(text.replace(title, title.split("title:")[0] + "title: changed after caching", 1), encoding="utf-8")
    again = casefiles.load_case_set([cases_folder])
    assert validations[2:] == ["classes.yaml"]
    assert "changed after caching" in [c.title for c in again.cases]
    assert again.digest == casefiles.case_set_digest(casefiles.case_files([cases_folder]))


def test_a_file_made_invalid_after_caching_is_an_error(cases_folder):
    casefiles.load_case_set([cases_folder])
    path = cases_folder / "api.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: required", "level: sometimes", 1), encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError, match=r"api.yaml:\d+: .*sometimes"):
        casefiles.load_case_set([cases_folder])


@pytest.mark.parametrize("damage", [
    lambda data: b"not json at all",
    lambda data: data[: len(data) // 2],                                         # cut short
    lambda data: b"[]",                                                          # another shape
    lambda data: data.replace(b'"key": "', b'"key": "0', 1),                     # another key
    lambda data: data.replace(b'"cases": [[', b'"cases": [[1, ', 1),             # a field of the wrong type
    lambda data: b'{"key": "' + b"[" * 100_000 + b'"}',                          # nested beyond the parser
    lambda data: b" " * (cache.MAX_ENTRY_BYTES + 1),                             # too large to read
], ids=["not-json", "cut-short", "list", "other-key", "wrong-type", "deep", "too-large"])
def test_a_damaged_entry_is_ignored_and_rebuilt(cases_folder, tmp_path, validations, damage):
    first = casefiles.load_case_set([cases_folder])
    for entry in entries(tmp_path):
        entry.write_bytes(damage(entry.read_bytes()))
    assert repr(casefiles.load_case_set([cases_folder])) == repr(first)
    assert validations == ["api.yaml", "classes.yaml"] * 2
    assert repr(casefiles.load_case_set([cases_folder])) == repr(first)
    assert len(validations) == 4  # rebuilt entries are used


def test_an_edited_entry_never_supplies_a_case(cases_folder, tmp_path, validations):
    """Titles, levels and lines written into an entry by someone else: the cases still come from
    the file, which is validated again because it does not match the entry."""
    first = casefiles.load_case_set([cases_folder])
    for entry in entries(tmp_path):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["cases"] = [[i, "forged title", c, "implementation-defined", line + 1] for i, _, c, _, line in data["cases"]]
        entry.write_text(json.dumps(data), encoding="utf-8")
    again = casefiles.load_case_set([cases_folder])
    assert repr(again) == repr(first)
    assert "forged title" not in [c.title for c in again.cases]
    assert validations == ["api.yaml", "classes.yaml"] * 2


def test_a_selection_reads_only_the_files_holding_selected_cases(cases_folder, validations, monkeypatch):
    whole = casefiles.load_case_set([cases_folder])
    chosen = next(c for c in whole.cases if c.file.endswith("classes.yaml"))
    parsed: list[str] = []
    real = casefiles._parse
    monkeypatch.setattr(casefiles, "_parse", lambda path, raw: parsed.append(path.name) or real(path, raw))
    part = casefiles.load_case_set([cases_folder], keep=selection.predicate(chosen.id))
    assert parsed == ["classes.yaml"] and len(validations) == 2
    assert [c.id for c in part.cases] == [c.id for c in whole.cases if chosen.id in c.id or chosen.id in c.title.lower()]
    assert part.ids == whole.ids == tuple(c.id for c in whole.cases)
    assert (part.files, part.digest) == (whole.files, whole.digest)


def test_a_selection_that_keeps_nothing_still_knows_every_id(cases_folder):
    part = casefiles.load_case_set([cases_folder], keep=selection.predicate("no-case-has-this-word"))
    assert part.cases == () and len(part.ids) > 1


def test_a_duplicate_id_is_found_from_the_cache_too(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    one = support.write_cases(tmp_path, [support.case("same")], "a.yaml")
    casefiles.load_case_set([one])
    two = support.write_cases(tmp_path, [support.case("other"), support.case("same")], "b.yaml")
    casefiles.load_case_set([two])
    with pytest.raises(casefiles.CaseFileError, match=r"b.yaml:\d+: case 'same'.*first defined at .*a.yaml:3"):
        casefiles.load_case_set([one, two], keep=selection.predicate("other"))


def test_another_spec_is_another_key(cases_folder, tmp_path):
    casefiles.load_case_set([cases_folder])
    smaller = tmp_path / "SPEC.md"
    smaller.write_text(spec.SPEC_PATH.read_text(encoding="utf-8").replace("**[api.signature]**", "api.signature"),
                       encoding="utf-8")
    with pytest.raises(casefiles.CaseFileError, match="'api.signature' is not a clause of SPEC.md"):
        casefiles.load_case_set([cases_folder], spec_path=smaller)


def test_an_unwritable_cache_costs_only_time(cases_folder, tmp_path, monkeypatch, validations):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = casefiles.load_case_set([cases_folder])
    assert repr(casefiles.load_case_set([cases_folder])) == repr(first)
    assert len(validations) == 4


def test_the_oldest_entries_go_beyond_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for number in range(4):
        casefiles.load_case_set([support.write_cases(tmp_path, [support.case(f"case-{number}")], f"{number}.yaml")])
        for entry in entries(tmp_path):  # written in turn, whatever the clock's resolution
            if json.loads(entry.read_text())["cases"][0][0] == f"case-{number}":
                os.utime(entry, (1000 + number, 1000 + number))
    kept = [json.loads(e.read_text())["cases"][0][0] for e in entries(tmp_path)]
    assert sorted(kept) == ["case-2", "case-3"]


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "wbimage-conformance"
