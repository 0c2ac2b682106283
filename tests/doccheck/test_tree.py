"""`docs check DIR...`: documentation trees walked in a stable order without leaving them, the
pages that touch wandb.Image picked by the pre-filter (with their translations), the rest
listed with the reason; shards that keep translations together and merge back into one
report; the Markdown and JUnit reports; `--with-translations` for pages named one by one.

Every tree here is written by the test, in tmp_path; the checks run with --no-run (what is
selected and reported is the subject, not the examples)."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from locations import ROOT

from wbimage_conformance.commands import cli
from wbimage_conformance.doccheck import classify, prefilter, shards, tree
from wbimage_conformance.doccheck.markdown import parse_page
from wbimage_conformance.doccheck.progress import PageProgress

from runner_support import one_line_error

SCHEMA = json.loads((ROOT / "conformance" / "schemas" / "docs-report.schema.json").read_text(encoding="utf-8"))

PROSE = {"en": "Log a batch of predictions as images.",
         "ja": "予測のバッチを画像としてログします。",
         "ko": "예측 배치를 이미지로 기록합니다."}


def front_matter(locale: str, name: str) -> str:
    """Hugo front matter whose menu identifier carries the locale as W&B's translations do."""
    ident = name if locale == "en" else f"{locale}-{name}"
    return f"---\ntitle: {name}\nmenu:\n  default:\n    identifier: {ident}\n---\n"


def image_page(locale: str, name: str = "predictions") -> str:
    return front_matter(locale, name) + f"""
{PROSE[locale]}

```python
import numpy as np
import wandb

pixels = np.zeros((4, 4, 3), dtype=np.uint8)
image = wandb.Image(pixels, caption="zeros")
```
"""


def plain_page(locale: str, name: str = "sweeps") -> str:
    return front_matter(locale, name) + f"""
{PROSE[locale].replace("images", "rows")}

```python
import wandb

with wandb.init(project="sweeps") as run:
    run.log({{"loss": 0.5}})
```
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def docs(capsys, *args, cwd: Path | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = cli.main([str(a) for a in args])
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hugo(tmp_path) -> Path:
    """A Hugo site: an Image guide in en/ja/ko, a ko-only untranslated page that fails the filter
    but whose en original passes, and pages about other things."""
    site = tmp_path / "site"
    for locale in ("en", "ja", "ko"):
        write(site, f"content/{locale}/guides/media/predictions.md", image_page(locale))
        write(site, f"content/{locale}/guides/sweeps.md", plain_page(locale))
    write(site, "content/en/guides/tables.md", image_page("en", "tables"))
    write(site, "content/ko/guides/tables.md", plain_page("ko", "tables"))  # lags its original: no Image yet
    return site


# -- the walk -----------------------------------------------------------------------------------


def test_the_walk_lists_pages_sorted_by_their_path_parts(tmp_path):
    for name in ("b.md", "a/z.mdx", "a.md", "a/b/c.markdown", "A.md", "notes.txt"):
        write(tmp_path, name, "# x\n")
    pages, skipped = tree.walk(str(tmp_path))
    relative = [Path(p).relative_to(tmp_path).as_posix() for p in pages]
    assert relative == ["A.md", "a/b/c.markdown", "a/z.mdx", "a.md", "b.md"]
    assert skipped == []


def test_the_walk_does_not_enter_hidden_directories_or_node_modules(tmp_path):
    for name in ("docs/page.md", ".git/notes.md", "docs/.drafts/page.md", "node_modules/theme/README.md"):
        write(tmp_path, name, image_page("en"))
    pages, _ = tree.walk(str(tmp_path))
    assert [Path(p).relative_to(tmp_path).as_posix() for p in pages] == ["docs/page.md"]


def test_a_symbolic_link_is_listed_and_never_followed_out_of_the_tree(tmp_path):
    outside = write(tmp_path, "outside/secret.md", image_page("en"))
    write(tmp_path, "outside/more/page.md", image_page("en"))
    site = tmp_path / "site"
    write(site, "content/en/page.md", plain_page("en"))
    (site / "content" / "en" / "linked.md").symlink_to(outside)
    (site / "content" / "en" / "elsewhere").symlink_to(tmp_path / "outside")
    selection = tree.select([str(site)], [])
    assert [p for p, _ in selection.pages] == []
    reasons = {Path(s.path).name: s.reason for s in selection.skipped}
    assert reasons == {"linked.md": tree.LINK_OUT, "elsewhere": tree.LINK, "page.md": prefilter.NOT_IMAGE}


def test_a_link_to_a_page_inside_the_tree_is_checked_under_the_links_own_path(tmp_path):
    original = write(tmp_path, "content/en/guides/media.md", image_page("en"))
    (tmp_path / "content" / "ko" / "guides").mkdir(parents=True)
    (tmp_path / "content" / "ko" / "guides" / "media.md").symlink_to(original)
    selection = tree.select([str(tmp_path)], [])
    by_path = {Path(p).relative_to(tmp_path).as_posix(): data for p, data in selection.pages}
    assert by_path == {"content/en/guides/media.md": original.read_bytes(),
                       "content/ko/guides/media.md": original.read_bytes()}


def test_links_that_loop_dangle_or_lead_to_a_device_are_listed_not_followed(tmp_path):
    write(tmp_path, "docs/page.md", image_page("en"))
    docs = tmp_path / "docs"
    (docs / "loop.md").symlink_to(docs / "loop.md")
    (docs / "dangling.md").symlink_to(docs / "missing.md")
    (docs / "zero.md").symlink_to("/dev/zero")
    (docs / "up").symlink_to(docs)  # a directory link back up: the walk must not loop
    selection = tree.select([str(tmp_path)], [])
    assert [Path(p).name for p, _ in selection.pages] == ["page.md"]
    reasons = {Path(s.path).name: s.reason for s in selection.skipped}
    assert reasons == {"loop.md": tree.LINK_OUT, "dangling.md": tree.LINK_OUT, "zero.md": tree.LINK_OUT,
                       "up": tree.LINK}


def test_a_fifo_named_like_a_page_is_listed_and_not_opened(tmp_path):
    write(tmp_path, "content/en/page.md", image_page("en"))
    os.mkfifo(tmp_path / "content" / "en" / "pipe.md")  # opening it for reading would block
    selection = tree.select([str(tmp_path)], [])
    assert [Path(p).name for p, _ in selection.pages] == ["page.md"]
    assert [(Path(s.path).name, s.reason) for s in selection.skipped] == [("pipe.md", tree.NOT_REGULAR)]


def test_reading_refuses_a_link_and_a_fifo_even_if_they_appeared_after_the_walk(tmp_path):
    target = write(tmp_path, "target.md", "# x\n")
    (tmp_path / "link.md").symlink_to(target)
    os.mkfifo(tmp_path / "pipe.md")
    for name in ("link.md", "pipe.md"):
        with pytest.raises(tree.PageError, match="not a documentation page|not followed"):
            tree.read_bytes(str(tmp_path / name))


# -- the pre-filter -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    image_page("en"), image_page("ja"), image_page("ko"),
    "---\ntitle: イメージ\nmenu:\n  reference:\n    identifier: ja-ref-python-data-types-image\n---\n\nW&B に画像をログします。\n",
    "# 이미지 정규화 가이드\n\n텐서는 [0, 255] 범위로 변환됩니다.\n",
    "# 画像正規化ガイド\n\nテンソルは変換されます。\n",
    "# Image Normalization Guide\n\nHow tensors become pixels.\n",
    "```python\nfrom wandb import Table, Image\n```\n",
    "```python\nimport wandb as wb\nrun.log({'x': wb.Image(array)})\n```\n",
    "```python\nImage.to_uint8(data)\n```\n",
    "| `all_masks` | masks of every image |\n",
    "`ImageMask` の使い方を説明します。\n",
    "```python\nwandb.data_types.Image(x)\n```\n",
    "{{< cta-button githubLink=https://github.com/wandb/wandb/tree/v0.21/wandb/sdk/data_types/image.py >}}\n",
], ids=["en", "ja", "ko", "ja-identifier", "ko-guide-title", "ja-guide-title", "en-guide-title", "from-import",
        "alias", "to_uint8", "all_masks", "ja-imagemask", "data_types", "source-link"])
def test_the_pre_filter_keeps_pages_that_touch_the_image_surface(text):
    assert prefilter.evidence(text.encode("utf-8")) is not None


@pytest.mark.parametrize("text", [
    plain_page("en"), plain_page("ja"), plain_page("ko"),
    "```python\nfrom PIL import Image\nImage.open('plot.png')\n```\n",
    "# 画像\n\n画像をアップロードします。\n",
    "# Images\n\nmywandb.Image is not ours, nor is wandb.Images.\n",
], ids=["en", "ja", "ko", "pil", "ja-word-image", "lookalikes"])
def test_the_pre_filter_drops_pages_about_other_things(text):
    assert prefilter.evidence(text.encode("utf-8")) is None


def test_the_image_reference_page_passes_by_its_path_alone():
    assert prefilter.evidence(b"# untitled\n", "content/ko/ref/python/data-types/image.md") is not None


# -- selection, translations, reports ------------------------------------------------------------


def test_a_tree_check_lists_skipped_pages_with_their_reason(hugo, capsys):
    code, out, _ = docs(capsys, "docs", "check", "content", "--no-run", "--format", "json", cwd=hugo)
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 0
    assert [p["path"] for p in report["pages"]] == [
        "content/en/guides/media/predictions.md", "content/en/guides/tables.md",
        "content/ja/guides/media/predictions.md", "content/ko/guides/media/predictions.md",
        "content/ko/guides/tables.md"]
    assert report["skipped"] == [{"path": f"content/{locale}/guides/sweeps.md", "reason": prefilter.NOT_IMAGE}
                                 for locale in ("en", "ja", "ko")]
    summary = report["summary"]
    assert (summary["walked"], summary["skipped"], summary["pages"]) == (8, 3, 5)
    assert summary["locales"]["ko"]["pages"] == 2


def test_a_translation_comes_along_though_it_fails_the_filter(hugo):
    selection = tree.select([str(hugo / "content")], [])
    chosen = [Path(p).relative_to(hugo).as_posix() for p, _ in selection.pages]
    assert "content/ko/guides/tables.md" in chosen
    assert prefilter.evidence((hugo / "content/ko/guides/tables.md").read_bytes()) is None


def test_translations_outside_the_directory_given_come_along(hugo):
    selection = tree.select([str(hugo / "content" / "ja")], [])
    chosen = {Path(p).relative_to(hugo).as_posix() for p, _ in selection.pages}
    assert chosen == {f"content/{locale}/guides/media/predictions.md" for locale in ("en", "ja", "ko")}


def test_the_text_report_summarises_skipped_pages_and_lists_them_when_verbose(hugo, capsys):
    _, out, _ = docs(capsys, "docs", "check", "content", "--no-run", cwd=hugo)
    assert "skipped: 3 pages of 8 walked (3 does not touch the Image surface (pre-filter)); -v lists them" in out
    assert "content/en/guides/sweeps.md: does" not in out
    assert out.splitlines()[-3].startswith("by locale: en 2 pages (")
    _, verbose, _ = docs(capsys, "docs", "check", "content", "--no-run", "-v", cwd=hugo)
    assert f"    content/en/guides/sweeps.md: {prefilter.NOT_IMAGE}" in verbose.splitlines()


def test_files_given_are_checked_without_the_filter(hugo, capsys):
    page = hugo / "content" / "en" / "guides" / "sweeps.md"
    code, out, _ = docs(capsys, "docs", "check", page, "--no-run", "--format", "json")
    report = json.loads(out)
    assert [p["path"] for p in report["pages"]] == [str(page)] and report["skipped"] == []
    _, out, _ = docs(capsys, "docs", "check", page, "--no-run", "--format", "json", "--filter")
    assert json.loads(out)["skipped"] == [{"path": str(page), "reason": prefilter.NOT_IMAGE}]


def test_with_translations_adds_the_same_path_under_every_other_locale(hugo, capsys):
    page = "content/ja/guides/media/predictions.md"
    code, out, _ = docs(capsys, "docs", "check", page, "--no-run", "--format", "json", "--with-translations", cwd=hugo)
    report = json.loads(out)
    assert [p["path"] for p in report["pages"]] == [page, "content/en/guides/media/predictions.md",
                                                   "content/ko/guides/media/predictions.md"]
    assert {p["translation_key"] for p in report["pages"]} == {"predictions"}


def test_with_translations_in_a_docusaurus_tree(tmp_path):
    write(tmp_path, "docs/guides/images.md", image_page("en"))
    write(tmp_path, "i18n/ko/docusaurus-plugin-content-docs/current/guides/images.md", image_page("ko"))
    write(tmp_path, "i18n/ja/docusaurus-plugin-content-docs/current/guides/other.md", image_page("ja"))
    found = tree.translations(str(tmp_path / "i18n/ko/docusaurus-plugin-content-docs/current/guides/images.md"))
    assert found == [f"{tmp_path.as_posix()}/docs/guides/images.md"]
    assert tree.translations(str(tmp_path / "docs/guides/images.md")) == [
        f"{tmp_path.as_posix()}/i18n/ko/docusaurus-plugin-content-docs/current/guides/images.md"]


# -- shards -------------------------------------------------------------------------------------


def classified(hugo: Path) -> list[classify.ClassifiedPage]:
    selection = tree.select([str(hugo / "content")], [])
    return [classify.classify(parse_page(data.decode("utf-8"), path)) for path, data in selection.pages]


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_shards_keep_translations_together_and_cover_every_page_once(hugo, count):
    pages = classified(hugo)
    parts = shards.partition(pages, count)
    assert sorted(i for part in parts for i in part) == list(range(len(pages)))
    for group in shards.translation_groups(pages):
        assert sum(1 for part in parts if set(group) & set(part)) == 1
    assert shards.partition(pages, count) == parts


def test_translation_groups_are_those_of_the_consistency_check(hugo):
    pages = classified(hugo)
    names = [[Path(pages[i].path).relative_to(hugo).as_posix() for i in group]
             for group in shards.translation_groups(pages)]
    assert ["content/en/guides/tables.md", "content/ko/guides/tables.md"] in names
    assert [f"content/{loc}/guides/media/predictions.md" for loc in ("en", "ja", "ko")] in names


@pytest.fixture
def shard_reports(hugo, capsys, tmp_path) -> list[Path]:
    paths = []
    for index in (1, 2):
        target = tmp_path / f"shard-{index}.json"
        code, _, _ = docs(capsys, "docs", "check", "content", "--no-run", "--shard", f"{index}/2",
                          "--format", "json", "--output", target, cwd=hugo)
        assert code == 0
        paths.append(target)
    return paths


def test_each_shard_records_its_part_and_the_whole_selection(shard_reports):
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in shard_reports]
    for index, report in enumerate(reports, 1):
        jsonschema.validate(report, SCHEMA)
        assert (report["shard"]["index"], report["shard"]["count"]) == (index, 2)
    assert reports[0]["shard"]["selection"] == reports[1]["shard"]["selection"]
    assert sorted(p["path"] for r in reports for p in r["pages"]) == sorted(reports[0]["shard"]["selection"])


def test_report_merges_the_shards_into_the_unsharded_check(shard_reports, hugo, capsys):
    code, out, _ = docs(capsys, "report", *shard_reports, "--format", "json")
    merged = json.loads(out)
    jsonschema.validate(merged, SCHEMA)
    _, whole, _ = docs(capsys, "docs", "check", "content", "--no-run", "--format", "json", cwd=hugo)
    whole = json.loads(whole)
    assert code == 0 and merged["shard"] is None
    for key in ("pages", "findings", "skipped"):
        assert merged[key] == whole[key], key
    assert merged["summary"]["locales"] == whole["summary"]["locales"]


@pytest.mark.parametrize("pick, message", [
    ([0], "shard 2/2 missing"),
    ([0, 0, 1], "are both shard 1/2"),
])
def test_report_refuses_a_missing_or_repeated_shard(shard_reports, capsys, pick, message):
    code, out, err = docs(capsys, "report", *[shard_reports[i] for i in pick])
    assert code == 2 and out == ""
    assert message in one_line_error(err)


def test_report_refuses_shards_of_other_selections_or_implementations(shard_reports, capsys, tmp_path):
    other = json.loads(shard_reports[1].read_text(encoding="utf-8"))
    other["shard"]["selection"] = other["shard"]["selection"][:-1]
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    code, _, err = docs(capsys, "report", shard_reports[0], tmp_path / "other.json")
    assert code == 2 and "different selections" in one_line_error(err)
    other = json.loads(shard_reports[1].read_text(encoding="utf-8"))
    other["implementation"] = "wandb"
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    code, _, err = docs(capsys, "report", shard_reports[0], tmp_path / "other.json")
    assert code == 2 and "only shards of one implementation merge" in one_line_error(err)


# -- formats ------------------------------------------------------------------------------------


@pytest.fixture
def drifted(hugo) -> Path:
    """The ja page's example with a call the checker finds wrong before running (a key twice)."""
    page = hugo / "content" / "ja" / "guides" / "media" / "predictions.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        'image = wandb.Image(pixels, caption="zeros")',
        'run.log({"a": wandb.Image(pixels), "a": wandb.Image(pixels)})'), encoding="utf-8")
    return hugo


def test_junit_has_a_suite_per_page_and_errors_as_failures(drifted, capsys):
    code, out, _ = docs(capsys, "docs", "check", "content", "--no-run", "--format", "junit", cwd=drifted)
    root = ET.fromstring(out)
    suites = root.findall("testsuite")
    assert code == 1 and len(suites) == 5
    assert [s.get("name") for s in suites][2] == "content/ja/guides/media/predictions.md"
    failures = [(s.get("name"), c.get("name")) for s in suites for c in s.iter("testcase") if c.find("failure") is not None]
    assert failures and all(name == "content/ja/guides/media/predictions.md" for name, _ in failures)
    assert int(root.get("failures")) == len(failures) == sum(int(s.get("failures")) for s in suites)
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites)
    for case in root.iter("testcase"):  # notes are printed, never failures
        if case.find("failure") is None:
            assert "error [" not in (case.findtext("system-out") or "")


def test_markdown_is_a_step_summary(drifted, capsys):
    code, out, _ = docs(capsys, "docs", "check", "content", "--no-run", "--format", "markdown", cwd=drifted)
    assert code == 1
    assert out.startswith("## wbimage-conformance docs check: FAILED\n")
    assert "| locale | pages | errors | warnings | notes |" in out
    assert "### Errors (" in out and "`content/ja/guides/media/predictions.md:" in out
    assert "<summary>Left out (3)</summary>" in out


def test_docs_check_appends_markdown_to_the_step_summary(hugo, capsys, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    docs(capsys, "docs", "check", "content", "--no-run", "--report", f"junit={tmp_path / 'docs.xml'}", cwd=hugo)
    assert summary.read_text(encoding="utf-8").startswith("earlier step\n## wbimage-conformance docs check: OK")
    ET.parse(tmp_path / "docs.xml")


def test_report_renders_merged_shards_as_junit(shard_reports, capsys):
    code, out, _ = docs(capsys, "report", *shard_reports, "--format", "junit")
    assert code == 0 and len(ET.fromstring(out).findall("testsuite")) == 5


# -- progress -----------------------------------------------------------------------------------


def test_progress_shows_the_count_and_the_page_and_stays_off_a_pipe():
    assert PageProgress.line("run", 37, 120, "content/ja/guides/a.md") == "[ 37/120] run content/ja/guides/a.md"
    assert PageProgress.line("read", 1, 9, "x" * 200, width=40).endswith("x" * 10)
    stream = io.StringIO()
    bar = PageProgress(stream)
    bar("read", 1, 2, "a.md")
    bar.close()
    assert stream.getvalue() == ""
