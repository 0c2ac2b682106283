"""`docs check` against pages shaped like the real W&B docs (tests/fixtures/docs/shapes/).

The pages were written for this test, independently of the checker: a translation triple
(en/ja/ko, reordered and extended), a notebook-style program spread over blocks and tabs,
reference pages of other classes (BoundingBoxes2D, ImageMask, JoinedTable, wandb.log, the
Keras WandbCallback), an Image reference page pinned to wandb 0.19.5, and a page with one of
each true defect. `expected.yaml` lists, per page, the findings that must appear (line,
severity, words of the message) and the notes that must appear; any other error or warning
is a false finding.

All pages are checked once, together (as `docs check PAGE...` would); a few cheap pages are
also checked alone, since a page's verdict must not depend on what is checked with it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from locations import DOC_PAGES

from wbimage_conformance.doccheck import check

SHAPES = DOC_PAGES / "shapes"
EXPECTED: dict = yaml.safe_load((SHAPES / "expected.yaml").read_text(encoding="utf-8"))["pages"]
PAGES = sorted(EXPECTED)

DEFECTS = "hugo/content/en/guides/defects.md"
FRAGMENTS = "hugo/content/en/guides/fragments.md"
BOXES = "hugo/content/en/ref/python/data-types/boxes-demo.md"
MASKS = "hugo/content/en/ref/python/data-types/mask-demo.md"
JOINED = "hugo/content/en/ref/python/data-types/joined-table-demo.md"
LOG = "hugo/content/en/ref/python/log-demo.md"
CALLBACK = "hugo/content/en/ref/python/integrations/keras/callback-demo.md"
IMAGE_0195 = "docusaurus/docs/ref/python/data-types/image.md"
TRIPLE = tuple(f"hugo/content/{locale}/guides/media-demo.md" for locale in ("en", "ja", "ko"))
#: Pages also checked on their own (each takes a few seconds).
ALONE = (DEFECTS, FRAGMENTS, BOXES, IMAGE_0195)


# -- reading the pages and the expectations -------------------------------------------------


def page_lines(page: str) -> list[str]:
    return (SHAPES / page).read_text(encoding="utf-8").splitlines()


_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fenced_blocks(page: str) -> list[tuple[int, int, str]]:
    """(opening line, closing line, info string) of each fenced block, read as CommonMark
    reads them: a closing fence is the opening character, at least as long, and nothing else."""
    lines, out, i = page_lines(page), [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, info = match.group(1), match.group(2).strip()
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        out.append((i + 1, min(j, len(lines) - 1) + 1, info))
        i = j + 1
    return out


def block_around(page: str, line: int) -> tuple[int, int]:
    for start, end, _info in fenced_blocks(page):
        if start <= line <= end:
            return start, end
    raise AssertionError(f"{page}:{line} is not inside a fenced block")


def line_of(page: str, text: str, start: int = 1) -> int:
    """The first line at or after `start` whose text starts with `text`."""
    for number, line in enumerate(page_lines(page), start=1):
        if number >= start and line.startswith(text):
            return number
    raise AssertionError(f"{page}: no line starts with {text!r}")


def abouts(entry: dict) -> list[str]:
    about = entry["about"]
    return [about] if isinstance(about, str) else list(about)


def expected_entry(page: str, line: int) -> dict:
    (entry,) = [e for e in EXPECTED[page]["findings"] if e["line"] == line]
    return entry


def notes_expected(page: str) -> list[dict]:
    return list(EXPECTED[page].get("notes_expected") or ())


# -- reading the report ----------------------------------------------------------------------


def severity(finding) -> str:
    return str(getattr(finding.severity, "value", finding.severity)).lower()


def page_of(finding) -> str | None:
    path = Path(finding.file)
    try:
        return path.resolve().relative_to(SHAPES).as_posix()
    except ValueError:
        return None


def on_page(report, page: str) -> list:
    return [f for f in report.findings if page_of(f) == page]


def serious(report, page: str) -> list:
    return [f for f in on_page(report, page) if severity(f) in ("error", "warning")]


def matches(finding, entry: dict) -> bool:
    message = finding.message.lower()
    return (finding.line == entry["line"] and severity(finding) == entry["severity"]
            and all(word.lower() in message for word in abouts(entry)))


def show(findings) -> list[str]:
    return [f"{f.line}: {severity(f)} [{getattr(f, 'check', '?')}] {getattr(f, 'subject', '?')}: {f.message}"
            for f in findings]


def missing(report, page: str) -> list[dict]:
    found = on_page(report, page)
    return [e for e in EXPECTED[page]["findings"] if not any(matches(f, e) for f in found)]


def false_findings(report, page: str) -> list:
    entries = EXPECTED[page]["findings"]
    return [f for f in serious(report, page) if not any(matches(f, e) for e in entries)]


def assert_reported(report, page: str, line: int) -> None:
    entry = expected_entry(page, line)
    found = on_page(report, page)
    assert any(matches(f, entry) for f in found), (
        f"expected at {page}:{line}: {entry['severity']} containing {abouts(entry)}; "
        f"the page has: {show(found)}")


def assert_quiet(report, page: str, first: int, last: int, why: str) -> None:
    """No error and no warning on lines first..last of the page."""
    loud = [f for f in serious(report, page) if first <= f.line <= last]
    assert not loud, f"{page}:{first}-{last} ({why}) must give no error or warning, got: {show(loud)}"


@pytest.fixture(scope="module")
def report():
    return check.check_files([SHAPES / page for page in PAGES], "reference", sandbox_mode="auto")


# -- the fixtures themselves (these pass whatever the checker does) ---------------------------


def test_expected_yaml_lists_every_page_and_nothing_else():
    on_disk = sorted(p.relative_to(SHAPES).as_posix() for p in SHAPES.rglob("*.md"))
    assert on_disk == PAGES
    assert 8 <= len(PAGES) <= 12


@pytest.mark.parametrize("page,entry", [(p, e) for p in PAGES for e in EXPECTED[p]["findings"] + notes_expected(p)],
                         ids=lambda v: v if isinstance(v, str) else str(v["line"]))
def test_expected_lines_point_at_the_code_they_describe(page, entry):
    lines = page_lines(page)
    assert 1 <= entry["line"] <= len(lines)
    assert entry["code"] in lines[entry["line"] - 1], (page, entry["line"], lines[entry["line"] - 1])
    assert all(word == word.lower() for word in abouts(entry))
    if "severity" in entry:
        assert entry["severity"] in ("error", "warning")


def test_every_image_example_is_small():
    """Arrays of a few pixels up to 64x64, so the pages check fast."""
    shapes = re.compile(r"size=\(([\d, ]+)\)|np\.(?:zeros|full|ones)\(\(([\d, ]+)\)")
    for page in PAGES:
        for line in page_lines(page):
            for match in shapes.finditer(line):
                dims = [int(d) for d in (match.group(1) or match.group(2)).split(",") if d.strip()]
                assert all(d <= 64 for d in dims), (page, line)


# -- true defects: reported at their line ----------------------------------------------------


def test_unterminated_string_is_reported_at_its_line(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, 'caption = "a picture with a caption'))


def test_unclosed_bracket_is_reported_at_the_opening_bracket(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, 'run.log({"pair": pair}'))


def test_bad_indentation_is_reported_at_its_line(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, '        run.log({"rolled"'))


def test_a_name_the_page_defines_under_a_similar_name_is_reported_with_did_you_mean(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, "flipped = wandb.Image(rows[::-1]"))


def test_duplicate_dict_key_is_reported_at_the_repeated_key(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, '        "gray": wandb.Image(my_data, caption='))


@pytest.mark.parametrize("page,box", [(DEFECTS, '                {"position": {"minX": 4, "maxX": 20'),
                                     (BOXES, '    boxes={"predictions": {"box_data": [{"position": wide_box')],
                         ids=["defects", "boxes-demo"])
def test_pixel_box_outside_the_image_is_reported_at_the_box(report, page, box):
    assert_reported(report, page, line_of(page, box))


def test_pixels_that_differ_from_what_the_page_says_are_reported(report):
    assert_reported(report, DEFECTS, line_of(DEFECTS, "signed_picture = wandb.Image(signed)  # -1 -> 0, 0 -> 128"))


def test_stray_code_fence_is_reported_once_at_its_line(report):
    stray = line_of(DEFECTS, "```python", start=line_of(DEFECTS, 'jpeg = wandb.Image('))
    assert_reported(report, DEFECTS, stray)
    finish = line_of(DEFECTS, "run.finish()")
    loud = [f for f in serious(report, DEFECTS) if stray - 3 <= f.line <= finish + 1 and f.line != stray]
    assert not loud, f"one stray fence, one finding; also got: {show(loud)}"


def test_correct_blocks_between_the_defects_give_no_finding(report):
    defect_blocks = [block_around(DEFECTS, e["line"]) for e in EXPECTED[DEFECTS]["findings"]]
    loud = [f for f in serious(report, DEFECTS) if not any(a <= f.line <= b for a, b in defect_blocks)]
    assert not loud, show(loud)


# -- a page is one program ------------------------------------------------------------------


def test_fragments_across_blocks_and_tabs_give_no_error(report):
    """Blocks after the first use np, wandb, rng, config, run, side, preview from earlier
    blocks, the two tabs included."""
    first = line_of(FRAGMENTS, "side = config")
    assert_quiet(report, FRAGMENTS, first - 1, line_of(FRAGMENTS, "{{< /tabpane >}}"), "uses earlier blocks' names")
    assert_quiet(report, FRAGMENTS, line_of(FRAGMENTS, "## Finish"), len(page_lines(FRAGMENTS)), "uses run, side")


def test_notebook_and_shell_lines_in_a_python_fence_are_notes_at_most(report):
    assert_quiet(report, FRAGMENTS, line_of(FRAGMENTS, "!pip") - 1, line_of(FRAGMENTS, "pip install") + 1,
                 "!pip, %matplotlib, a shell command")


def test_placeholders_and_names_the_page_never_defines_are_notes_at_most(report):
    assert_quiet(report, FRAGMENTS, line_of(FRAGMENTS, "## Use your own data"), line_of(FRAGMENTS, "## Finish"),
                 "..., <your-image>, Image.fromarray(...), image_array")


def test_conventional_aliases_used_without_import_are_notes_at_most(report):
    """mask-demo uses np and log-demo pd without importing them."""
    for page, text in ((MASKS, "scene = np.zeros"), (LOG, "frame = pd.DataFrame")):
        start, end = block_around(page, line_of(page, text))
        assert_quiet(report, page, start, end, f"{text.split()[-1]} without import")


@pytest.mark.parametrize("page,module", [(LOG, "matplotlib"), (CALLBACK, "tensorflow")], ids=["matplotlib", "tensorflow"])
def test_a_module_that_is_not_installed_is_a_note_naming_it(report, page, module):
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    (entry,) = [e for e in notes_expected(page) if e.get("when_missing") == module]
    start, end = block_around(page, entry["line"])
    assert_quiet(report, page, start, end, f"imports {module}")
    notes = [f for f in on_page(report, page) if severity(f) == "note" and start <= f.line <= end
             and entry["about"] in f.message.lower()]
    assert notes, f"a note naming {module} in {page}:{start}-{end}; got {show(on_page(report, page))}"


# -- each section belongs to its class --------------------------------------------------------


def reference_part(page: str) -> list[tuple[int, int]]:
    """The line ranges of a reference page that describe its class rather than give examples:
    the top (signature, Args, Raises) and the methods."""
    lines = page_lines(page)
    examples = next(n for n, line in enumerate(lines, 1) if line.strip() in ("#### Examples:", "**Examples:**"))
    methods = next((n for n, line in enumerate(lines, 1) if line.startswith("## Methods")
                    or (n > examples and line.startswith("### <kbd>"))), None)
    parts = [(1, examples)]
    if methods is not None:
        parts.append((methods, len(lines)))
    return parts


@pytest.mark.parametrize("page", [BOXES, MASKS, JOINED, LOG, CALLBACK],
                         ids=["BoundingBoxes2D", "ImageMask", "JoinedTable", "log", "WandbCallback"])
def test_another_class_signature_args_and_methods_are_not_checked_against_image(report, page):
    for first, last in reference_part(page):
        assert_quiet(report, page, first, last, "another class's signature, Args and methods")


@pytest.mark.parametrize("page", [BOXES, MASKS, JOINED, LOG, CALLBACK],
                         ids=["BoundingBoxes2D", "ImageMask", "JoinedTable", "log", "WandbCallback"])
def test_the_wandb_api_around_image_is_not_a_finding(report, page):
    """Table, Classes, BoundingBoxes2D, ImageMask, Histogram, Video, Object3D, plot, login,
    Artifact, use_artifact, Api, integrations: only the expected findings in the examples."""
    parts = reference_part(page)
    first, last = parts[0][1], (parts[1][0] if len(parts) > 1 else len(page_lines(page)))
    entries = EXPECTED[page]["findings"]
    loud = [f for f in serious(report, page) if first <= f.line <= last and not any(matches(f, e) for e in entries)]
    assert not loud, show(loud)


def test_image_methods_outside_the_spec_are_known_on_the_image_page(report):
    methods = line_of(IMAGE_0195, "## Methods")
    assert_quiet(report, IMAGE_0195, methods, len(page_lines(IMAGE_0195)), "from_json, get_media_subdir, seq_to_json")


def test_a_signature_pinned_to_0_19_5_without_normalize_is_a_note(report):
    (entry,) = notes_expected(IMAGE_0195)
    start, end = block_around(IMAGE_0195, entry["line"])
    assert_quiet(report, IMAGE_0195, start, end, "the 0.19.5 signature")
    notes = [f for f in on_page(report, IMAGE_0195) if severity(f) == "note" and start <= f.line <= end
             and entry["about"] in f.message.lower()]
    assert notes, f"a note about normalize in {IMAGE_0195}:{start}-{end}; got {show(on_page(report, IMAGE_0195))}"


# -- translations -----------------------------------------------------------------------------


def test_translations_reordered_or_extended_give_no_difference(report):
    """ja orders the tabs differently, ko has one more block; comments and captions are
    translated. Checked together, none of the three has an error or a warning."""
    loud = {page: show(serious(report, page)) for page in TRIPLE if serious(report, page)}
    assert not loud, loud


# -- the whole list ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", [p for p in PAGES if EXPECTED[p]["findings"]])
def test_every_expected_finding_is_reported(report, page):
    assert not missing(report, page), (missing(report, page), show(on_page(report, page)))


@pytest.mark.parametrize("page", PAGES)
def test_no_false_finding(report, page):
    assert not false_findings(report, page), "false findings:\n" + "\n".join(show(false_findings(report, page)))


@pytest.mark.parametrize("page", ALONE)
def test_a_page_checked_alone_meets_the_same_expectations(page):
    alone = check.check_files([SHAPES / page], "reference", sandbox_mode="auto")
    assert not missing(alone, page), (missing(alone, page), show(on_page(alone, page)))
    assert not false_findings(alone, page), "false findings:\n" + "\n".join(show(false_findings(alone, page)))
