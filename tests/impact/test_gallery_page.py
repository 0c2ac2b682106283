"""docs/impact.md is what the release models make of the gallery now: a model changed without
the page written again fails here, and the check names what differs."""

from __future__ import annotations

import shutil

import pytest
from locations import DOCS

from wbimage_conformance.impact import gallery_page, gallery_verified, models


@pytest.fixture(scope="module")
def now():
    """The page's content as the models give it (the gallery holds tensors: torch is needed,
    imported when a test runs, not while the tests are listed)."""
    pytest.importorskip("torch")
    return gallery_page.measured()


@pytest.fixture
def copy(tmp_path):
    """The shipped page and its pictures, in a folder a test may spoil."""
    shutil.copy(DOCS / gallery_page.PAGE, tmp_path / gallery_page.PAGE)
    shutil.copytree(DOCS / gallery_page.PICTURES, tmp_path / gallery_page.PICTURES)
    return tmp_path


def test_the_shipped_page_matches_the_models(now):
    assert gallery_page.check(DOCS, now) == []


def test_every_family_has_one_representative_in_order():
    families = [models.release_model(version).family for version in gallery_page.REPRESENTATIVES]
    assert families == list(models.FAMILIES)


def test_the_pictures_stay_small():
    sizes = [path.stat().st_size for path in (DOCS / gallery_page.PICTURES).glob("*.png")]
    assert sizes
    assert sum(sizes) < 300_000


def test_a_changed_cell_is_named_by_its_line(now, copy):
    page = copy / gallery_page.PAGE
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if "= spec" in line)
    lines[number] = lines[number].replace("= spec", "= spec, unchanged", 1)
    page.write_text("".join(lines), encoding="utf-8")
    (problem,) = gallery_page.check(copy, now)
    assert problem.startswith(f"{page}:{number + 1}: the page says ")
    assert "= spec, unchanged" in problem


def test_a_missing_and_a_left_over_picture_are_named(now, copy):
    pictures = sorted((copy / gallery_page.PICTURES).glob("*.png"))
    pictures[0].rename(pictures[0].with_name("000000000000.png"))
    assert gallery_page.check(copy, now) == [f"{pictures[0]}: missing",
                                             f"{pictures[0].with_name('000000000000.png')}: no outcome shows it now"]


def test_a_verify_record_of_other_outcomes_is_not_kept(now, copy):
    page = copy / gallery_page.PAGE
    text = page.read_text(encoding="utf-8")
    marker = gallery_verified.VERIFIED_BEGIN.search(text)
    assert marker is not None
    page.write_text(text.replace(marker.group(1), "0" * 16), encoding="utf-8")
    problems = gallery_page.check(copy, now)
    assert problems and all(p.startswith(f"{page}:") for p in problems)
    assert any("0000000000000000" in p for p in problems)


def test_the_verify_record_and_the_machine_are_kept_while_the_outcomes_are_the_same():
    record = "<!-- impact-gallery: verified, outcomes 0123456789abcdef -->\nAll agree.\n<!-- impact-gallery: end -->\n"
    page = f"intro\n{gallery_verified.ENVIRONMENT_MARK}\nmade on a toaster\n\n{record}more\n"
    assert gallery_verified.kept_parts(page, "0123456789abcdef") == ("made on a toaster", record)
    environment, other = gallery_verified.kept_parts(page, "fedcba9876543210")
    assert environment == "made on a toaster"
    assert "fedcba9876543210" in other and "Not verified" in other


def test_the_command_exits_1_on_a_differing_page_and_0_on_the_shipped_one(copy, capsys):
    pytest.importorskip("torch")
    assert gallery_page.main(["--check", "--docs", str(DOCS)]) == 0
    (copy / gallery_page.PAGE).write_text("# an old page\n", encoding="utf-8")
    assert gallery_page.main(["--check", "--docs", str(copy)]) == 1
    assert f"{copy / gallery_page.PAGE}:1: the page says '# an old page'" in capsys.readouterr().err


@pytest.mark.parametrize(("arguments", "words"), [
    (["--check", "--verify"], "--check re-runs no release"),
    (["--docs", "/nonexistent/docs"], "/nonexistent/docs: no such folder"),
])
def test_bad_arguments_exit_2_with_one_line(arguments, words, capsys):
    assert gallery_page.main(arguments) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_a_missing_virtualenv_is_named(tmp_path):
    with pytest.raises(gallery_verified.VerifyError, match=r"wandb-0\.31\.0/bin/python: missing"):
        gallery_verified._venv_python(tmp_path, "0.31.0")


def test_a_model_that_computes_otherwise_makes_the_check_fail(now, monkeypatch):
    """As if 0.20.0's model were changed to compute like 0.20.1's: the page no longer holds."""
    changed = gallery_page.columns()
    (where,) = [n for n, column in enumerate(changed) if column.version == "0.20.0"]
    changed[where] = gallery_page.Column("0.20.0", models.release_model("0.20.1"), changed[where].family)
    monkeypatch.setattr(gallery_page, "columns", lambda: changed)
    problems = gallery_page.check(DOCS, gallery_page.measured())
    assert any(p.startswith(f"{DOCS / gallery_page.PAGE}:") for p in problems)
    assert all(p.startswith(str(DOCS / gallery_page.PAGE)) or p.endswith("no outcome shows it now")
               for p in problems)


def test_a_written_page_passes_its_own_check_and_leaves_no_old_picture(now, tmp_path):
    (tmp_path / gallery_page.PICTURES).mkdir()
    (tmp_path / gallery_page.PICTURES / "0123456789ab.png").write_bytes(b"an old picture")
    gallery_page.write(tmp_path, now, gallery_verified.unverified(now.outcomes))
    assert gallery_page.check(tmp_path, now) == []
    assert not (tmp_path / gallery_page.PICTURES / "0123456789ab.png").exists()


def test_a_folder_that_cannot_be_written_is_named(now, tmp_path):
    (tmp_path / gallery_page.PICTURES).write_text("a file where the pictures go")
    with pytest.raises(gallery_page.GalleryPageError, match=r"impact: cannot write"):
        gallery_page.write(tmp_path, now, gallery_verified.unverified(now.outcomes))


def test_verify_needs_each_column_release_and_runs_the_family_ends_it_finds():
    assert gallery_verified.releases_to_verify(gallery_page.REPRESENTATIVES) == [
        ("0.19.0", False), ("0.19.8", True), ("0.19.9", True), ("0.19.11", False), ("0.20.0", True),
        ("0.20.1", True), ("0.23.0", False), ("0.23.1", False), ("0.28.2", True), ("0.29.0", False),
        ("0.31.0", True)]
