"""The case files: valid, unique, tied to SPEC.md, reproducible, and consistent with themselves."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import make_cases
import numpy as np
import pytest
import yaml
from locations import UPSTREAM_DOCS

from wbimage_conformance import oracle
from wbimage_conformance.cases import casefiles, writer
from wbimage_conformance.cases.generators import digest, generate
from wbimage_conformance.cases.values import array_from_value
from wbimage_conformance.spec import CASE_SCHEMA_PATH, CASES_DIR, SPEC_PATH

import shipped_cases

EXAMPLES = ("example-1", "example-2", "example-3", "example-4", "usage-numpy", "usage-pil", "usage-jpg")
LOCALES = ("ja", "ko", "en")


def load(path: Path) -> dict[str, Any]:
    """A case file as plain data; libyaml's safe loader where PyYAML has it (collection reads all of them)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))
#: Every case's id and file name, from the suite's case index (its validation cache): the tests
#: per case are listed without parsing a case file, and each reads its case from the file
#: itself when it runs. test_the_case_index_lists_every_case_of_the_files holds the index to
#: the files.
CASE_IDS = shipped_cases.index()
SPEC_CLAUSES = re.findall(r"^\*\*\[([a-z0-9.-]+)\]\*\*", SPEC_PATH.read_text(encoding="utf-8"), flags=re.MULTILINE)


@cache
def documents() -> dict[str, dict[str, Any]]:
    """Every case file as plain data, read once, when a test first needs it."""
    return {path.name: load(path) for path in CASE_FILES}


def all_cases() -> list[tuple[str, dict[str, Any]]]:
    """(file name, case) for every case of every file, in file order."""
    return [(name, item) for name, document in documents().items() for item in document["cases"]]


@cache
def _cases_by_id() -> dict[str, dict[str, Any]]:
    return {item["id"]: item for _, item in all_cases()}


def case_item(case_id: str) -> tuple[str, dict[str, Any]]:
    """The file name and the case with this id, as the file has them."""
    return CASE_IDS[case_id], _cases_by_id()[case_id]


def case_ids(params: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [item["id"] for _, item in params]


def inputs_of(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """An input and every input nested in it (image copies, image lists)."""
    yield spec
    if spec["kind"] == "image":
        yield from inputs_of(spec["of"])
    if spec["kind"] == "images":
        for item in spec["items"]:
            yield from inputs_of(item["of"])


def expectations_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["expect"]] if "expect" in item else list(item["allowed"])


def test_there_are_case_files():
    assert CASE_FILES, f"no case files in {CASES_DIR}"
    assert len(all_cases()) >= 300


def test_the_case_index_lists_every_case_of_the_files():
    """The tests per case are parametrized from the index: a case it left out would go unchecked."""
    assert [(name, item["id"]) for name, item in all_cases()] == [(name, case_id) for case_id, name in CASE_IDS.items()]


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_case_file_validates_against_schema(path):
    schema = json.loads(CASE_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(documents()[path.name])]
    assert not errors, f"{path.name}:\n" + "\n".join(errors[:10])


def test_case_ids_are_unique():
    seen: dict[str, str] = {}
    duplicates = []
    for name, item in all_cases():
        if item["id"] in seen:
            duplicates.append(f"{item['id']} in {name} and {seen[item['id']]}")
        seen[item["id"]] = name
    assert not duplicates


def test_case_ids_carry_their_family_prefix():
    wrong = [f"{name}: {item['id']}" for name, item in all_cases() if not item["id"].startswith(Path(name).stem.split("-")[0] + "-")]
    assert not wrong


def test_spec_has_clauses():
    assert len(SPEC_CLAUSES) > 30
    assert len(set(SPEC_CLAUSES)) == len(SPEC_CLAUSES)


def test_every_case_clause_exists_in_spec():
    known = set(SPEC_CLAUSES)
    unknown = sorted({f"{item['id']}: {c}" for _, item in all_cases() for c in item["clauses"] if c not in known})
    assert not unknown


def test_every_spec_clause_has_a_case():
    covered = {c for _, item in all_cases() for c in item["clauses"]}
    missing = [c for c in SPEC_CLAUSES if c not in covered]
    assert not missing


def test_every_spec_statement_has_a_case():
    statements = [s.id for s in casefiles.load_statements()]
    covered = {s for _, item in all_cases() for s in item.get("statements", ())}
    assert statements and not [s for s in statements if s not in covered]


def test_every_required_error_is_checked_for_what_its_message_names():
    """§0 "Error messages": a required error names the parameter and what was received, so
    its case carries a pattern; only the allowed outcomes of implementation-defined cases
    may leave the message free."""
    unchecked = [item["id"] for _, item in all_cases() if item["level"] == "required"
                 and "error" in item["expect"] and "match" not in item["expect"]["error"]]
    assert not unchecked


@pytest.mark.parametrize("case_id", list(CASE_IDS))
def test_generated_inputs_match_their_digest(case_id):
    name, item = case_item(case_id)
    for spec in inputs_of(item["input"]):
        if "generate" in spec:
            gen = spec["generate"]
            made = generate(gen["name"], gen["seed"], spec["shape"], spec["dtype"], gen.get("params"))
            assert digest(made) == spec["digest"], f"{name}: {item['id']}"
            assert list(made.shape) == spec["shape"]


@pytest.mark.parametrize("case_id", list(CASE_IDS))
def test_inline_values_are_readable(case_id):
    _, item = case_item(case_id)
    for spec in inputs_of(item["input"]):
        if "value" in spec and spec["kind"] in ("numpy", "tensor", "pil", "path"):
            array_from_value(spec["value"], spec["dtype"])


@pytest.mark.parametrize("case_id", list(CASE_IDS))
def test_expectations_are_consistent(case_id):
    """Pixels are uint8 and agree with mode and size; error patterns compile."""
    _, item = case_item(case_id)
    for expect in expectations_of(item):
        if "error" in expect and "match" in expect["error"]:
            re.compile(expect["error"]["match"])
        pixels = expect.get("pixels")
        if pixels is None:
            continue
        if isinstance(pixels, list):
            array = np.array(pixels)
            assert array.size > 0, "empty pixels are written as shape and sha256, so the shape is kept"
            assert array.min() >= 0 and array.max() <= 255
            shape = list(array.shape)
        else:
            shape = pixels["shape"]
        if item["call"]["api"] == "Image":
            channels = {"L": None, "LA": 2, "RGB": 3, "RGBA": 4}[expect["mode"]]
            expected_shape = [expect["size"][1], expect["size"][0]] + ([channels] if channels else [])
            assert shape == expected_shape, item["id"]


def test_sources_name_known_sections():
    """ja and ko section names are quoted from the pages we hold; en names from SPEC.md's table
    (the English guide names two sections differently from the English page)."""
    headings = {("image", loc): {names[loc] for names in writer.SECTIONS.values()} for loc in LOCALES}
    headings[("normalization-guide", "en")] = headings[("image", "en")] | set(writer.GUIDE_HEADINGS.values())
    bad = []
    for _, item in all_cases():
        for cited in item.get("sources", []):
            if cited["section"] not in headings.get((cited["doc"], cited["locale"]), set()):
                bad.append(f"{item['id']}: {cited}")
    assert not bad


@pytest.mark.skipif(not UPSTREAM_DOCS.is_dir(), reason="upstream docs not available")
@pytest.mark.parametrize("locale", ["ja", "ko"])
def test_cited_headings_occur_in_the_upstream_page(locale):
    page = (UPSTREAM_DOCS / f"image.{locale}.md").read_text(encoding="utf-8")
    cited = {s["section"] for _, item in all_cases() for s in item.get("sources", []) if s["locale"] == locale}
    assert cited
    missing = sorted(s for s in cited if s not in page)
    assert not missing


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_documented_example_has_a_case_per_locale(example, locale):
    matching = [
        item["id"]
        for _, item in all_cases()
        if any(s["locale"] == locale and s.get("example") == example for s in item.get("sources", []))
    ]
    assert f"doc-{locale}-{example}" in matching


def test_make_cases_reproduces_the_committed_files(tmp_path):
    written = make_cases.write(tmp_path)
    assert written
    for path in written:
        committed = CASES_DIR / path.name
        assert committed.exists(), f"{path.name} is generated but not committed"
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} differs from what make_cases.py writes"
    generated_names = {p.name for p in written}
    stale = [
        p.name
        for p in CASE_FILES
        if p.read_text(encoding="utf-8").startswith(make_cases.MARKER) and p.name not in generated_names
    ]
    assert not stale, f"generated files the script no longer writes: {stale}"


def test_hand_written_files_are_not_generated():
    hand = [p for p in CASE_FILES if not p.read_text(encoding="utf-8").startswith(make_cases.MARKER)]
    assert hand, "expected at least one hand-written family"
    generated_names = {f"{make().stem}.yaml" for make in make_cases.FAMILIES}
    assert not [p.name for p in hand if p.name in generated_names]


#: Parsed while the tests are listed, being a few small files; the generated ones are not read.
HAND_CASES = [(p.name, item) for p in CASE_FILES if not p.read_text(encoding="utf-8").startswith(make_cases.MARKER)
              for item in load(p)["cases"]
              if item["call"]["api"] == "Image" and "pixels" in item.get("expect", {})]


@pytest.mark.parametrize(("name", "item"), HAND_CASES, ids=case_ids(HAND_CASES))
def test_oracle_agrees_with_hand_computed_cases(name, item):
    spec, kwargs = item["input"], item["call"].get("kwargs", {})
    picture = oracle.image(
        array_from_value(spec["value"], spec["dtype"]),
        spec["kind"],
        mode=kwargs.get("mode"),
        file_type=kwargs.get("file_type"),
        normalize=kwargs.get("normalize", True),
    )
    np.testing.assert_array_equal(picture.pixels, np.array(item["expect"]["pixels"], dtype=np.uint8))
    assert picture.mode == item["expect"]["mode"]
    assert list(picture.size) == item["expect"]["size"]


def test_big_pixel_digests_are_sha256_of_uint8_bytes():
    # One spot check that the digest convention is the C-ordered uint8 bytes: Example 4 is
    # all zeros (normalize=False on values in [0, 1)).
    item = next(item for _, item in all_cases() if item["id"] == "doc-ja-example-4")
    zeros = np.zeros((64, 64, 3), dtype=np.uint8)
    assert item["expect"]["pixels"] == {"shape": [64, 64, 3], "sha256": hashlib.sha256(zeros.tobytes()).hexdigest()}
