"""docs/impact.md: what each wandb release family makes of the gallery of reported pain
(capture/gallery.py), measured, so a user reads the known answers before running `impact`.

    python -m wbimage_conformance.impact.gallery_page [--docs DIR] [--check] [--verify] [--venvs DIR]

The page is computed, never written by hand: the gallery is generated into a temporary folder
and every sample goes through the spec (the reference implementation) and the release model of
one representative release per family (`REPRESENTATIVES`). Each outcome is shown by a small
PNG in DIR/impact/, named by the digest of its pixels, so a changed pixel changes the page's
text. `--verify` also runs every sample through each representative's real release and each
family's first and last one (DIR/wandb-X of `--venvs`, through the worker, as `impact --verify`
does) and writes what agreed (impact/gallery_verified.py). `--check` writes nothing and exits
1, naming the lines that differ, when the page no longer matches the models; it keeps the
page's own record of the last `--verify` run and of the machine, which it does not re-measure,
as long as that record is about the outcomes the models give now.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import platform
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wbimage_conformance import user_cache
from wbimage_conformance.capture import gallery
from wbimage_conformance.errors import ConfigurationError, UsageError
from wbimage_conformance.impact import compare, engine, gallery_verified, models, samples
from wbimage_conformance.impact.gallery_verified import COMMAND, ENVIRONMENT_MARK, kept_parts
from wbimage_conformance.impact.models import Outcome

#: One release per family, in order: a family's releases give the same outcomes (the history
#: measured it), so one stands for all. Each is a release whose virtualenv `--verify` can use.
REPRESENTATIVES = ("0.19.8", "0.19.9", "0.20.0", "0.20.1", "0.28.2", "0.31.0")
#: The release whose steps say, in the history's words, what the documented algorithm does: a
#: release's step that differs from its step is why that release differs from the spec.
DOCUMENTED = "0.20.1"
SPEC = "spec"
PAGE, PICTURES = "impact.md", "impact"
#: Thumbnails are shrunk to this longest side: the pictures only need to show black, white or content.
THUMB_SIDE = 64


class GalleryPageError(ConfigurationError):
    """The page cannot be made or checked (exit code 2): a folder, a virtualenv, a release."""


@dataclass(frozen=True)
class Column:
    """A column of the page: the spec, or one release standing for its family."""

    version: str
    renders: engine.Renders
    family: models.Family | None

    @property
    def heading(self) -> str:
        return SPEC if self.family is None else self.version


@dataclass(frozen=True)
class Row:
    """One gallery sample and what every column makes of it."""

    sample: samples.Sample
    what: str
    outcomes: tuple[Outcome, ...]


def columns() -> list[Column]:
    found = [Column(SPEC, models.SpecModel(), None)]
    for version in REPRESENTATIVES:
        model = models.release_model(version)
        assert model is not None, f"{version} has no release model"
        found.append(Column(version, model, model.family))
    return found


def measure(folder: Path, chosen: Sequence[Column]) -> list[Row]:
    """Every sample of the gallery in `folder` under every column."""
    described = gallery.labels()
    rows = []
    for sample in samples.read([folder]):
        data = sample.load()
        rows.append(Row(sample, described[sample.site][sample.index],
                        tuple(column.renders.render(sample, data) for column in chosen)))
    return rows


def digest(outcome: Outcome) -> str:
    """Names the outcome: its exception type, or its mode, shape and every pixel."""
    if outcome.raised or outcome.pixels is None:
        return hashlib.sha256(f"raises {outcome.error_type}".encode()).hexdigest()[:12]
    pixels = np.ascontiguousarray(outcome.pixels)
    header = f"{outcome.mode} {pixels.shape} ".encode()
    return hashlib.sha256(header + pixels.tobytes()).hexdigest()[:12]


def outcomes_digest(rows: Iterable[Row]) -> str:
    """One digest of every outcome on the page: a `--verify` record holds while it is the same."""
    joined = "\n".join(f"{row.sample.label} {' '.join(digest(o) for o in row.outcomes)}" for row in rows)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


# -- what an outcome looks like ------------------------------------------------------------------


def look(outcome: Outcome) -> str:
    """The outcome in a word, with the thresholds the impact report calls black, white, flattened."""
    if outcome.raised or outcome.pixels is None:
        return f"raises {outcome.error_type}"
    pixels = outcome.pixels
    colour = pixels[..., :3] if pixels.ndim == 3 else pixels
    if colour.size == 0:
        return "empty"
    if float(np.mean(colour <= compare.DARK)) >= compare.DOMINANT:
        return "black" if int(colour.max()) <= 1 else "nearly black"
    if float(np.mean(colour >= compare.BRIGHT)) >= compare.DOMINANT:
        return "white"
    return "flat" if float(np.std(colour)) < compare.CONTENT_STD else "content"


def against(impact: compare.SampleImpact, other: str) -> str:
    """How the after side's outcome differs from the before side's (called `other`), briefly."""
    if impact.verdict == "unchanged":
        return f"= {other}"
    parts = []
    if impact.outcome_change:
        parts.append(impact.outcome_change.split(":", 1)[0])
    if impact.mode_change:
        parts.append(f"mode {impact.mode_change[1]} ({other} {impact.mode_change[0]})")
    if impact.shape_change:
        parts.append(f"shape {_shape(impact.shape_change[1])} ({other} {_shape(impact.shape_change[0])})")
    elif impact.pixels_total:
        share = 100 * impact.pixels_changed / impact.pixels_total
        parts.append(f"{share:.0f}% of pixels differ, by up to {impact.largest_difference}")
    return "; ".join(parts)


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def picture(outcome: Outcome) -> bytes | None:
    """A PNG of the outcome, shrunk to THUMB_SIDE."""
    if outcome.pixels is None or outcome.pixels.size == 0:
        return None
    from PIL import Image as PILImage

    image = PILImage.fromarray(np.ascontiguousarray(outcome.pixels))
    image.thumbnail((THUMB_SIDE, THUMB_SIDE), PILImage.Resampling.BOX)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# -- the page --------------------------------------------------------------------------------------


class Notes:
    """Numbered cause words: a table cell names a number, the words are written once below it."""

    def __init__(self) -> None:
        self.words: list[str] = []

    def refer(self, causes: Iterable[str]) -> str:
        numbers = []
        for cause in causes:
            if cause not in self.words:
                self.words.append(cause)
            numbers.append(str(self.words.index(cause) + 1))
        return f" [{', '.join(dict.fromkeys(numbers))}]" if numbers else ""

    def lines(self) -> list[str]:
        return [f"{number}. {words}" for number, words in enumerate(self.words, 1)]


def _thumb(outcome: Outcome, what: str) -> str:
    if outcome.pixels is None:
        return ""
    return f'<img src="{PICTURES}/{digest(outcome)}.png" width="64" alt="{what}"> '


def _release_cell(row: Row, outcome: Outcome, documented: Outcome, notes: Notes) -> str:
    impact = compare.compare(row.sample, row.outcomes[0], outcome)
    deviations = [step.words for step in outcome.steps if step not in documented.steps]
    why = notes.refer(deviations) if impact.verdict != "unchanged" else ""
    return f"{_thumb(outcome, look(outcome))}{look(outcome)}<br>{against(impact, SPEC)}{why}"


def gallery_table(rows: Sequence[Row], chosen: Sequence[Column]) -> list[str]:
    notes = Notes()
    documented = [c.version for c in chosen].index(DOCUMENTED)
    lines = ["| site | sample | " + " | ".join(c.heading for c in chosen) + " |",
             "|---|---|" + "---|" * len(chosen)]
    for row in rows:
        spec = row.outcomes[0]
        cells = [f"{_thumb(spec, look(spec))}{look(spec)}"]
        cells += [_release_cell(row, outcome, row.outcomes[documented], notes) for outcome in row.outcomes[1:]]
        where = f"`{row.sample.site}` #{row.sample.index}"
        lines.append(f"| {where} | {row.what}<br>{row.sample.described} | " + " | ".join(cells) + " |")
    agreeing = sum(1 for row in rows if compare.compare(row.sample, row.outcomes[0], row.outcomes[documented]).verdict
                   == "unchanged")
    return [*lines, "", (f"Why a release differs from the spec: the steps of its data path that are not those of "
            f"{DOCUMENTED}, whose release implemented the documented algorithm (it gives the spec's outcome on "
            f"{agreeing} of {len(rows)} samples):"), "", *notes.lines()]


def upgrade_section(rows: Sequence[Row], before: int, after: int, chosen: Sequence[Column]) -> list[str]:
    """What moving from one family's release to the next does to each sample."""
    old, new = chosen[before], chosen[after]
    assert old.family is not None and new.family is not None
    impacts = [compare.compare(row.sample, row.outcomes[before], row.outcomes[after]) for row in rows]
    moved = [(row, impact) for row, impact in zip(rows, impacts, strict=True) if impact.verdict != "unchanged"]
    heading = [f"### {old.family.name} → {new.family.name}", "",
               f"Measured as wandb {old.version} → wandb {new.version}: {_counted(impacts)}."]
    if not moved:
        return [*heading, ""]
    notes = Notes()
    table = ["", "| sample | before | after | what changes |", "|---|---|---|---|"]
    for row, impact in moved:
        change = impact.degradation or impact.outcome_change or "changed"
        table.append(f"| {row.what} (`{row.sample.site}` #{row.sample.index}) "
                     f"| {_thumb(impact.before, 'before')}{look(impact.before)} "
                     f"| {_thumb(impact.after, 'after')}{look(impact.after)} "
                     f"| **{change}**: {against(impact, 'before')}{notes.refer(impact.causes)} |")
    return [*heading, *table, "", *notes.lines(), ""]


def _counted(impacts: Sequence[compare.SampleImpact]) -> str:
    changed = sum(1 for i in impacts if i.changed)
    degraded = compare.SiteImpact("", "", list(impacts)).degradations
    worst = ", ".join(f"{count} {what}" for what, count in degraded.items())
    text = f"{changed} of {len(impacts)} samples change"
    return text + (f", {sum(degraded.values())} of them degraded ({worst})" if degraded else "")


# -- how it was measured -------------------------------------------------------------------------


def environment_line() -> str:
    import PIL
    import torch

    return (f"The spec and the models ran with Python {platform.python_version()}, NumPy {np.__version__}, "
            f"Pillow {PIL.__version__} and torch {torch.__version__.split('+')[0]} (the gallery's tensors are "
            "made with torch; the models compute from their values).")


# -- the page, written or checked ------------------------------------------------------------------


INTRO = f"""# Upgrade impact: the gallery of known pain

<!-- written by `{COMMAND}`: change the generator or the models, not this page -->

The most reported pain of people who log images with wandb is silent change after an upgrade:
float images that turn black, uint8 images that go dark, tensors rescaled differently. This page
shows what each family of wandb releases makes of eleven inputs modelled on those reports, the
gallery (`python -m wbimage_conformance.capture.gallery DIR` writes it as a capture, from three
made-up call sites), against the spec and upgrade by upgrade. For your own images, capture what
your project logs and run `wbimage-conformance impact` on it (README, "Will my images change?").
"""


def method(chosen: Sequence[Column]) -> list[str]:
    lines = ["## How it was measured", "",
             ("The gallery is drawn from a fixed seed (`capture/gallery.py`), so every machine makes the same "
             "samples. Each goes through the **spec** (the reference implementation, run in this process) and "
             "the **release model** of one release per family (`impact/models.py`: the family's data path "
             "written out in NumPy and PIL, the same operations in the same order and dtypes, each decision "
             "kept in the words the history uses for it):"), "",
             "| column | stands for the releases |", "|---|---|"]
    lines += [f"| {c.version} | {c.family.name} |" for c in chosen if c.family is not None]
    lines += ["", ("A picture is the file the release writes, decoded again and shrunk to at most "
              f"{THUMB_SIDE} pixels; its name is the digest of the outcome's mode, shape and every pixel. "
              f"\"black\", \"nearly black\", \"white\" and \"flat\" use the thresholds of the impact report: "
              f"a pixel at most {compare.DARK} is dark and one at least {compare.BRIGHT} bright, "
              f"{compare.DOMINANT:.0%} of them make an image (nearly) black or white (black: nothing above 1), "
              f"and a standard deviation under {compare.CONTENT_STD:g} leaves it flat."), ""]
    return lines


def render(rows: Sequence[Row], chosen: Sequence[Column], environment: str, verified: str) -> str:
    """The whole page."""
    regenerate = [(f"`{COMMAND} --verify` (from the repository root) writes this page and its pictures "
                  "again; `--check`, which tests/impact/test_gallery_page.py runs, fails when the models no longer "
                  "give it."), ""]
    upgrades = ["## Upgrade by upgrade", "",
                ("Between neighbouring families, what changes for each sample, and why (a longer jump is read "
                "off the table above: compare its two columns)."), ""]
    for number in range(1, len(chosen) - 1):
        upgrades += upgrade_section(rows, number, number + 1, chosen)
    table = ["## What each release makes of the gallery", "",
             "Each cell: the outcome, and how it differs from the spec's (\"= spec\": the same mode and pixels).",
             "", *gallery_table(rows, chosen), ""]
    body = [INTRO, *method(chosen), ENVIRONMENT_MARK, environment, "", verified, *regenerate, *table, *upgrades]
    return "\n".join(body).rstrip("\n") + "\n"


@dataclass(frozen=True)
class Measured:
    """The page as the models give it now, with its pictures by name."""

    rows: list[Row]
    chosen: list[Column]
    outcomes: str
    pictures: dict[str, Outcome]


def measured() -> Measured:
    chosen = columns()
    with tempfile.TemporaryDirectory(prefix="impact-gallery-") as scratch:
        gallery.write(Path(scratch) / "gallery")
        rows = measure(Path(scratch) / "gallery", chosen)
    pictures = {digest(o): o for row in rows for o in row.outcomes if o.pixels is not None}
    return Measured(rows, chosen, outcomes_digest(rows), pictures)


def write(docs: Path, now: Measured, verified: str) -> Path:
    """The page and its pictures; a picture no outcome shows any more is removed (the folder is the page's)."""
    page = docs / PAGE
    folder = docs / PICTURES
    try:
        folder.mkdir(exist_ok=True)
        for name, outcome in now.pictures.items():
            png = picture(outcome)
            if png is not None:
                (folder / f"{name}.png").write_bytes(png)
        for stale in set(folder.glob("*.png")) - {folder / f"{name}.png" for name in now.pictures}:
            stale.unlink()
        page.write_text(render(now.rows, now.chosen, environment_line(), verified), encoding="utf-8")
    except OSError as exc:
        raise GalleryPageError(f"{exc.filename or docs}: cannot write: {exc.strerror or exc}") from None
    return page


def check(docs: Path, now: Measured) -> list[str]:
    """What differs between the page (and its pictures) and what the models give now."""
    page = docs / PAGE
    if not page.is_file():
        return [f"{page}: missing (write it with {COMMAND})"]
    shipped = page.read_text(encoding="utf-8")
    environment, verified = kept_parts(shipped, now.outcomes)
    expected = render(now.rows, now.chosen, environment or environment_line(), verified)
    problems = _differences(page, shipped.splitlines(), expected.splitlines())
    folder = docs / PICTURES
    there = {p.stem for p in folder.glob("*.png")} if folder.is_dir() else set()
    problems += [f"{folder / name}.png: missing" for name in sorted(set(now.pictures) - there)]
    problems += [f"{folder / name}.png: no outcome shows it now" for name in sorted(there - set(now.pictures))]
    return problems


def _differences(page: Path, shipped: list[str], expected: list[str], shown: int = 5) -> list[str]:
    found = []
    matcher = difflib.SequenceMatcher(None, shipped, expected, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        was = shipped[i1] if i1 < i2 else "(nothing)"
        now = expected[j1] if j1 < j2 else "(nothing)"
        found.append(f"{page}:{i1 + 1}: the page says {was[:160]!r}; the models now give {now[:160]!r}")
    if len(found) > shown:
        found = [*found[:shown], f"{page}: and {len(found) - shown} more differences"]
    return found


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path("docs"), metavar="DIR",
                        help=f"the folder of {PAGE} and its pictures {PICTURES}/ (default docs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 where the page differs")
    parser.add_argument("--verify", action="store_true", help="also run every sample by each release itself")
    parser.add_argument("--venvs", type=Path, metavar="DIR",
                        help="where --verify finds DIR/wandb-X (default the history's: "
                             "$XDG_CACHE_HOME or ~/.cache, then wbimage-conformance-venvs)")
    args = parser.parse_args(argv)
    if args.check and args.verify:
        raise UsageError("--check re-runs no release: it does not go with --verify")
    if not args.docs.is_dir():
        raise GalleryPageError(f"{args.docs}: no such folder (--docs names the folder the page goes into)")
    return args


def _venvs(given: Path | None) -> Path:
    if given is not None:
        return given
    return user_cache.folder(user_cache.VENVS)


def _say(message: str) -> None:
    print(f"gallery_page: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    now = measured()
    if args.check:
        problems = check(args.docs, now)
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            _say(f"{args.docs / PAGE} matches the models ({len(now.rows)} samples, {len(now.chosen)} columns)")
        return 1 if problems else 0
    page = args.docs / PAGE
    shipped = page.read_text(encoding="utf-8") if page.is_file() else ""
    verified = kept_parts(shipped, now.outcomes)[1]
    status = 0
    if args.verify:
        with tempfile.TemporaryDirectory(prefix="impact-gallery-") as scratch:
            gallery.write(Path(scratch) / "gallery")
            chosen = [c.version for c in now.chosen if c.family is not None]
            found, left_out = gallery_verified.verify(Path(scratch) / "gallery", chosen, _venvs(args.venvs), _say)
        verified = gallery_verified.verified_block(now.outcomes, found, left_out)
        status = 1 if any(item.check.disagreements or item.check.unanswered for item in found) else 0
    _say(f"written: {write(args.docs, now, verified)}")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(_arguments(argv))
    except ConfigurationError as exc:
        print(f"gallery_page: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
