"""The documented examples ([example.*]) run against the reference, as written in the docs.

The snippets are read from the localized pages beside the repository
(`../shared/upstream-docs/image.{ja,ko}.md`), never copied into it. Each runs with a stand-in
`wandb` module whose `Image`, `to_uint8` and `guess_mode` are the reference's and whose
`init()` returns a run that records what is logged; then the test asserts what the docs
claim. Without the pages at hand these tests are skipped, saying why.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import textwrap
import types
from typing import Any

import numpy as np
import pytest
from locations import UPSTREAM_DOCS
from PIL import Image as PILImage

from wbimage_conformance import reference

LOCALES = ["ja", "ko"]
# The runnable snippets of the page, in page order: Examples 1-4, then the three usage examples.
SNIPPET_KEYS = ["example-1", "example-2", "example-3", "example-4", "usage-numpy", "usage-pil", "usage-jpg"]


def _doc_code_blocks(locale: str) -> list[str]:
    path = UPSTREAM_DOCS / f"image.{locale}.md"
    if not path.is_file():
        pytest.skip(f"upstream page {path} is not present")
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return [textwrap.dedent(block).rstrip(" ") for block in blocks]


def snippets(locale: str) -> dict[str, str]:
    """The page's runnable snippets by example key."""
    runnable = [b for b in _doc_code_blocks(locale) if "wandb.Image(" in b and "import" in b]
    assert len(runnable) == len(SNIPPET_KEYS), f"image.{locale}.md: {len(runnable)} runnable snippets"
    return dict(zip(SNIPPET_KEYS, runnable))


def caption_in(source: str) -> Any:
    """The literal `caption=` of the snippet's wandb.Image call (an f-string stays a JoinedStr)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Image":
            for keyword in node.keywords:
                if keyword.arg == "caption" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value
    return None


SEED = 1234


class RecordingRun:
    """Stands in for the run `wandb.init()` returns: a context manager that records logs."""

    def __init__(self) -> None:
        self.logged: list[dict[str, Any]] = []
        self.finished = False

    def __enter__(self) -> RecordingRun:
        return self

    def __exit__(self, *exc_info: object) -> bool:
        self.finished = True
        return False

    def log(self, data: dict[str, Any]) -> None:
        self.logged.append(data)


@pytest.fixture
def wandb_stand_in(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """`import wandb` gives the reference's Image plus a recording `init`."""
    module = types.ModuleType("wandb")
    module.Image = reference.Image
    module.to_uint8 = reference.to_uint8
    module.guess_mode = reference.guess_mode
    module.runs = []

    def init(*args: object, **kwargs: object) -> RecordingRun:
        run = RecordingRun()
        module.runs.append(run)
        return run

    module.init = init
    monkeypatch.setitem(sys.modules, "wandb", module)
    return module


def run_snippet(source: str) -> dict[str, Any]:
    """Execute a snippet with seeded randomness; return its variables."""
    np.random.seed(SEED)
    if "torch" in source:
        pytest.importorskip("torch").manual_seed(SEED)
    namespace: dict[str, Any] = {"__name__": "doc_example"}
    exec(compile(source, "<doc example>", "exec"), namespace)
    return namespace


def pixels_of(image: reference.Image) -> np.ndarray:
    return np.asarray(image.image)


def logged_examples(stand_in: types.ModuleType) -> list[reference.Image]:
    (run,) = stand_in.runs
    assert run.finished
    (entry,) = run.logged
    assert list(entry) == ["examples"]
    return entry["examples"]


def seeded_pixels(**randint_kwargs: Any) -> list[np.ndarray]:
    """The three arrays the usage snippets draw, drawn again from the same seed."""
    np.random.seed(SEED)
    return [np.random.randint(low=0, high=256, size=(100, 100, 3), **randint_kwargs)
            for _ in range(3)]


# -- [example.unit-tensor] .. [example.disabled] -------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_example_1_multiplies_unit_data_by_255(locale: str, wandb_stand_in: types.ModuleType) -> None:
    source = snippets(locale)["example-1"]
    ns = run_snippet(source)
    data = ns["tensor_0_1"].permute(1, 2, 0).numpy()
    assert data.min() >= 0 and data.max() <= 1
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), (data * 255).astype(np.uint8))
    assert image.image.mode == "RGB" and image.image.size == (64, 64)
    assert image.caption == caption_in(source) is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_example_2_rescales_signed_data(locale: str, wandb_stand_in: types.ModuleType) -> None:
    source = snippets(locale)["example-2"]
    ns = run_snippet(source)
    data = ns["tensor_neg1_1"].permute(1, 2, 0).numpy()
    assert data.min() >= -1 and data.max() <= 1 and data.min() < 0
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), (255 * 0.5 * (data + 1)).astype(np.uint8))
    assert image.image.mode == "RGB" and image.caption == caption_in(source) is not None


def test_example_2_comment_holds_with_127_5_truncated(wandb_stand_in: types.ModuleType) -> None:
    torch = pytest.importorskip("torch")
    # "-1 → 0, 0 → 127.5, 1 → 255": the pixel for 0 is 127.5 truncated, 127.
    assert pixels_of(reference.Image(torch.tensor([[-1.0, 0.0, 1.0]]))).tolist() == [[0, 127, 255]]


@pytest.mark.parametrize("locale", LOCALES)
def test_example_3_pil_image_pixels_are_unchanged(locale: str, wandb_stand_in: types.ModuleType) -> None:
    source = snippets(locale)["example-3"]
    ns = run_snippet(source)
    expected = (ns["tensor_0_1"].permute(1, 2, 0).numpy() * 255).astype("uint8")
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), np.asarray(ns["pil_image"]))
    np.testing.assert_array_equal(pixels_of(image), expected)
    assert image.image.mode == ns["pil_image"].mode == "RGB"
    assert image.caption == caption_in(source) is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_example_4_normalize_false_gives_a_black_image(locale: str, wandb_stand_in: types.ModuleType) -> None:
    source = snippets(locale)["example-4"]
    ns = run_snippet(source)
    assert ns["tensor_0_1"].max() < 1  # every value in [0, 1) clips and truncates to 0
    image = ns["image"]
    assert image.image.mode == "RGB" and image.image.size == (64, 64)
    assert not pixels_of(image).any()
    assert image.caption == caption_in(source) is not None


# -- [example.usage-numpy], [example.usage-pil], [example.usage-jpg] -----------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_usage_numpy_logs_three_images_with_the_pixels_kept(
    locale: str, wandb_stand_in: types.ModuleType,
) -> None:
    run_snippet(snippets(locale)["usage-numpy"])
    examples = logged_examples(wandb_stand_in)
    assert len(examples) == 3
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels())):
        assert drawn.dtype == np.int64 and drawn.max() > 1  # so [norm.other]: kept as is
        np.testing.assert_array_equal(pixels_of(image), drawn.astype(np.uint8))
        assert image.caption == f"random field {i}"
        assert image.format == "png" and image.encoded.startswith(b"\x89PNG\r\n\x1a\n")
    assert reference.Image.all_captions(examples) == [f"random field {i}" for i in range(3)]


@pytest.mark.parametrize("locale", LOCALES)
def test_usage_pil_keeps_the_pixels(locale: str, wandb_stand_in: types.ModuleType) -> None:
    run_snippet(snippets(locale)["usage-pil"])
    examples = logged_examples(wandb_stand_in)
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels(dtype=np.uint8))):
        np.testing.assert_array_equal(pixels_of(image), drawn)
        assert image.image.mode == "RGB" and image.caption == f"random field {i}"


@pytest.mark.parametrize("locale", LOCALES)
def test_usage_jpg_is_encoded_as_jpeg(locale: str, wandb_stand_in: types.ModuleType) -> None:
    run_snippet(snippets(locale)["usage-jpg"])
    examples = logged_examples(wandb_stand_in)
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels())):
        assert image.format == "jpg"
        assert image.encoded.startswith(b"\xff\xd8\xff")
        decoded = PILImage.open(io.BytesIO(image.encoded))
        assert decoded.format == "JPEG" and decoded.size == (100, 100)
        # Pixels before encoding are those of usage-numpy; JPEG's loss is only in the bytes.
        np.testing.assert_array_equal(pixels_of(image), drawn.astype(np.uint8))
        assert image.caption == f"random field {i}"
