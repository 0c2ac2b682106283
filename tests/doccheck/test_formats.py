"""Every generator format the W&B docs have used is read and checked: lazydocs (the English
original's shape), Hugo/tfdocs tables (the ja and ko shape), method-only pages, an older
release's page, and anyone's own page; each good page passes and each drift fails with the
right check named."""

from __future__ import annotations

from pathlib import Path

import pytest
from locations import DOC_PAGES as FIXTURES

from wbimage_conformance.doccheck import check, classify
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import read_page

LAZYDOCS = FIXTURES / "lazydocs" / "image.en.md"
JA, KO = FIXTURES / "good" / "image.ja.md", FIXTURES / "good" / "image.ko.md"


def classified(path: Path) -> classify.ClassifiedPage:
    return classify.classify(read_page(path))


def errors(report, file: Path | str | None = None):
    return [f for f in report.findings if f.severity is Severity.ERROR and (file is None or f.file == str(file))]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def static(*paths: Path):
    return check.check_files(list(paths), run_examples=False)


# -- lazydocs -------------------------------------------------------------------------------


def test_a_lazydocs_page_is_read_block_by_block():
    page = classified(LAZYDOCS)
    assert page.generator == "lazydocs" and page.identity.doc == "image"
    assert [(b.kind, b.key) for b in page.blocks] == [
        ("signature", "constructor"),
        ("example", "usage-numpy"), ("example", "usage-pil"), ("example", "usage-jpg"),
        ("formula", ""), ("formula", ""), ("formula", ""),
        ("example", "example-1"), ("example", "example-2"), ("example", "example-3"), ("example", "example-4"),
        ("method", "all_captions"), ("method", "guess_mode"), ("method", "to_uint8"),
    ]
    constructor = page.constructor
    assert constructor.signature.name == "__init__" and constructor.signature.returns == "None"
    normalize = constructor.signature.function.args.defaults[-1]
    assert constructor.signature.function.args.args[-1].arg == "normalize" and normalize.value is True
    methods = {b.key: b.signature for b in page.of_kind("method")}
    assert methods["to_uint8"].is_classmethod and not methods["guess_mode"].is_classmethod


def test_lazydocs_args_bullets_are_the_arguments_and_link_lines_are_not():
    page = classified(LAZYDOCS)
    assert [a.name for a in page.args] == ["data_or_path", "mode", "caption", "grouping", "classes", "boxes",
                                           "masks", "file_type", "normalize"]
    by_name = {a.name: a for a in page.args}
    assert "pillow.readthedocs.io" in by_name["mode"].text and "boundingboxes2d" in by_name["boxes"].text
    assert all(a.source == "list" for a in page.args)


def test_the_lazydocs_page_passes_with_every_example_run():
    report = check.check_files([LAZYDOCS], "reference")
    assert errors(report) == [], [(f.line, f.message) for f in errors(report)]
    assert len(report.runs) == 7 and {r.status for r in report.runs} == {"passed"}
    (page,) = report.pages
    assert page.generator == "lazydocs" and "class heading 'Image'" in page.doc_evidence
    notes = [f for f in report.findings if f.severity is Severity.NOTE]
    assert {f.check for f in notes} == {"constants", "claim"}  # no class variables in lazydocs; 0 → 127.5


LAZYDOCS_DRIFTS = {
    "a changed default in the signature": (
        "    normalize: bool = True\n", "    normalize: bool = False\n",
        "signature", "normalize: bool = False", "'normalize' has default False; the spec's default is True"),
    "a wrong factor in an Args bullet": (
        "Whether array and tensor values are brought into [0, 255].", "Values in [0, 1] are multiplied by 256.",
        "claim", "multiplied by 256", "data in [0, 1] is multiplied by 256"),
    "a wrong default in an Args bullet": (
        "Defaults to True.", "Defaults to False.",
        "claim", "Defaults to False.", "normalize defaults to False; the spec's default is True"),
    "a wrong target range in an Args bullet": (
        "normalized to the range [0, 255]", "normalized to the range [0, 1]",
        "claim", "normalized to the range [0, 1]", "brings values into [0, 1]; [norm.applies] normalizes to [0, 255]"),
    "a wrong layout in a nested Args bullet": (
        "a torch tensor is laid out as (channel, height, width)", "a torch tensor is laid out as (height, width, channel)",
        "claim", "a torch tensor is laid out as", "the layout HWC; the spec's is CHW"),
    "an Args bullet for no parameter": (
        " - `caption`:", " - `colour`:  A tint. \n - `caption`:",
        "signature", "`colour`", "argument 'colour' is not a parameter of the spec's signature"),
    "a class method under a method heading": (
        "### <kbd>classmethod</kbd> `Image.to_uint8`", "### <kbd>method</kbd> `Image.to_uint8`",
        "signature", "### <kbd>method</kbd> `Image.to_uint8`", "to_uint8 is a class method in the spec ([api.classmethods]); its heading says"),
    "a wrong formula": (
        "(data * 255).astype", "(data * 256).astype",
        "formula", "(data * 256)", "(first difference: the page has `256` where the spec has `255`)"),
}


@pytest.mark.parametrize("drift", sorted(LAZYDOCS_DRIFTS))
def test_each_lazydocs_drift_fails_with_its_check(tmp_path, drift):
    old, new, check_name, where, message = LAZYDOCS_DRIFTS[drift]
    text = LAZYDOCS.read_text(encoding="utf-8")
    assert text.count(old) == 1
    page = tmp_path / "image.en.md"
    page.write_text(text.replace(old, new), encoding="utf-8")
    (finding,) = errors(static(page))
    assert (finding.check, finding.line) == (check_name, line_of(page, where)), finding
    assert message in finding.message


def test_lazydocs_and_tfdocs_translations_differ_only_by_normalize_one_warning():
    report = static(LAZYDOCS, JA, KO)
    assert errors(report) == []
    (warning,) = [f for f in report.findings if f.check == "consistency" and f.severity is Severity.WARNING]
    normalize = line_of(LAZYDOCS, "normalize: bool = True")
    assert (warning.file, warning.line) == (str(JA), line_of(JA, "```python"))
    assert [(r.file, r.line) for r in warning.related] == [(str(LAZYDOCS), normalize), (str(KO), line_of(KO, "```python"))]
    assert f"list 8 parameters where {LAZYDOCS}:{normalize} lists 9; they lack normalize=True" in warning.message
    notes = [f for f in report.findings if f.check == "consistency" and f.severity is Severity.NOTE]
    assert [(f.file, f.subject) for f in notes] == [(str(LAZYDOCS), "class variables")]
    assert {p.translation_key for p in report.pages} == {"fixture-ref-python-data-types-image"}


def test_a_changed_example_is_a_consistency_error_naming_both_places(tmp_path):
    page = tmp_path / "image.en.md"
    text = LAZYDOCS.read_text(encoding="utf-8")
    page.write_text(text.replace("size=(16, 16, 3))\n         frames.append(wandb.Image(noise, caption=f\"noise {k}\"))",
                                 "size=(32, 32, 3))\n         frames.append(wandb.Image(noise, caption=f\"noise {k}\"))"),
                    encoding="utf-8")
    (finding,) = errors(static(page, JA, KO))
    assert (finding.check, finding.subject, finding.file) == ("consistency", "usage-numpy", str(JA))
    assert "size=(16, 16, 3)" in finding.message and "size=(32, 32, 3)" in finding.message
    assert (str(page), line_of(page, "size=(32, 32, 3)")) in [(r.file, r.line) for r in finding.related]


def test_a_dropped_lazydocs_example_fails_coverage_and_consistency(tmp_path):
    text = LAZYDOCS.read_text(encoding="utf-8")
    start, end = text.index("Log pictures made with PIL"), text.index("Log JPEG files")
    page = tmp_path / "image.en.md"
    page.write_text(text[:start] + text[end:], encoding="utf-8")
    found = errors(static(page, JA, KO))
    assert sorted((f.check, f.subject, f.file) for f in found) == [
        ("consistency", "usage-pil", str(page)), ("coverage", "usage-pil", str(page))]
    coverage = next(f for f in found if f.check == "coverage")
    assert "the page has no usage-pil" in coverage.message and coverage.line == line_of(page, "**Examples:**")
    consistency = next(f for f in found if f.check == "consistency")
    assert str(JA) in consistency.message and str(KO) in consistency.message


# -- method-only pages and an older release's page -------------------------------------------


@pytest.mark.parametrize("name, generator", [("image-methods.md", "tfdocs"), ("image-methods.lazydocs.md", "lazydocs")])
def test_a_method_only_page_passes_without_constructor_or_examples(name, generator):
    report = static(FIXTURES / "methods" / name)
    assert errors(report) == [] and [p.generator for p in report.pages] == [generator]
    assert report.pages[0].doc == "image"
    assert {b.kind for b in report.pages[0].blocks} <= {"method", "class-variables"}
    assert not [f for f in report.findings if f.check in ("coverage", "signature")]


def test_a_method_own_args_list_is_not_the_constructors():
    page = classified(FIXTURES / "methods" / "image-methods.lazydocs.md")
    assert page.args == () and [b.key for b in page.of_kind("method")] == ["all_masks", "guess_mode", "to_uint8"]


def test_an_older_releases_page_is_read_and_fails_only_for_what_its_release_had():
    """Its source link pins it to wandb 0.10.0: the release rules say that line had no
    normalize, so leaving it out is a note; file_type no rule explains, so that is an error."""
    path = FIXTURES / "older" / "image.md"
    page = classified(path)
    assert page.generator == "tfdocs" and page.identity.doc == "image"
    assert [(b.kind, b.key) for b in page.blocks] == [
        ("signature", "constructor"), ("example", "usage-numpy"), ("example", "usage-pil"),
        ("method", "all_captions"), ("method", "guess_mode"), ("method", "to_uint8")]
    report = check.check_files([path], "reference")
    assert {r.status for r in report.runs} == {"passed"} and len(report.runs) == 2
    assert sorted((f.check, f.subject, f.message.split(":")[0]) for f in errors(report)) == [
        ("coverage", "usage-jpg", "the page has no usage-jpg"),
        ("signature", "signature", "the signature block omits parameter 'file_type' (default None)"),
    ]
    (note,) = [f for f in report.findings if f.check == "signature" and f.severity is Severity.NOTE]
    assert "omits 'normalize'" in note.message and "wandb 0.10.0" in note.message
    assert "added in 0.20.0" in note.message


# -- anyone's own page ----------------------------------------------------------------------


def test_a_users_own_page_is_checked_but_not_held_to_the_wandb_examples():
    report = check.check_files([FIXTURES / "own" / "normalizing.md"], "reference")
    assert errors(report) == [] and report.pages[0].doc is None and report.pages[0].doc_evidence == ()
    assert {r.status for r in report.runs} == {"passed"} and len(report.runs) == 2
    (note,) = [f for f in report.findings if f.check == "coverage"]
    assert note.severity is Severity.NOTE and "none is looked for as dropped" in note.message


def test_multiplied_by_256_and_clipped_to_0_255_is_one_wrong_factor():
    path = FIXTURES / "own" / "normalizing-256.md"
    (finding,) = errors(static(path))
    assert (finding.check, finding.line) == ("claim", line_of(path, "multiplied by 256"))
    assert "multiplied by 256" in finding.message and "[norm.unit] multiplies by 255" in finding.message
    assert "[0, 1]" not in finding.message.split(";")[-1]


def test_a_failed_example_run_says_what_failed(tmp_path):
    page = tmp_path / "own.md"
    text = (FIXTURES / "own" / "normalizing.md").read_text(encoding="utf-8")
    page.write_text(text.replace("# every value times 255, then truncated", "# every value times 256"),
                    encoding="utf-8")
    report = check.check_files([page], "reference")
    (failed,) = [r for r in report.runs if r.status == "failed"]
    assert failed.message.startswith(f"[claim] line {line_of(page, 'times 256')}: the page says values are "
                                     "multiplied by 256")
