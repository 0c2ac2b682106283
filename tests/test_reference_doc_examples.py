"""The documented examples ([example.*]) run against the reference, as written in the docs.

Each snippet below is copied verbatim from the Japanese page (image.ja.md). It runs with a
stand-in `wandb` module whose `Image`, `to_uint8` and `guess_mode` are the reference's and
whose `init()` returns a run that records what is logged; then the test asserts what the
docs claim. When the upstream pages are present beside the repository, the snippets are
also checked to still be verbatim, and every snippet of every locale is run.
"""

from __future__ import annotations

import io
import re
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import reference

UPSTREAM_DOCS = Path(__file__).resolve().parents[2] / "shared" / "upstream-docs"

EXAMPLE_1 = '''\
import torch
import wandb

# [0, 1] 範囲の値を持つテンソルを作成
tensor_0_1 = torch.rand(3, 64, 64)  # 0から1の間のランダム値

# すべての値に255を掛ける
image = wandb.Image(tensor_0_1, caption="[0,1]範囲から正規化")
'''

EXAMPLE_2 = '''\
import torch
import wandb

# [-1, 1] 範囲の値を持つテンソルを作成
tensor_neg1_1 = torch.rand(3, 64, 64) * 2 - 1  # -1から1の間のランダム値

# リスケール: -1 → 0, 0 → 127.5, 1 → 255
image = wandb.Image(tensor_neg1_1, caption="[-1,1]範囲から正規化")
'''

EXAMPLE_3 = '''\
import torch
from PIL import Image as PILImage
import wandb

# [0, 1] 範囲の値を持つテンソルを作成
tensor_0_1 = torch.rand(3, 64, 64)

# PIL画像に変換して正規化を回避
pil_image = PILImage.fromarray((tensor_0_1.permute(1, 2, 0).numpy() * 255).astype('uint8'))
image = wandb.Image(pil_image, caption="正規化は適用されません")
'''

EXAMPLE_4 = '''\
import torch
import wandb

# [0, 1] 範囲の値を持つテンソルを作成
tensor_0_1 = torch.rand(3, 64, 64)

# 正規化を無効化 - 値は [0, 255] にクリップされる
image = wandb.Image(tensor_0_1, normalize=False, caption="正規化無効")
'''

USAGE_NUMPY = '''\
import numpy as np
import wandb

with wandb.init() as run:
    examples = []
    for i in range(3):
        pixels = np.random.randint(low=0, high=256, size=(100, 100, 3))
        image = wandb.Image(pixels, caption=f"random field {i}")
        examples.append(image)
    run.log({"examples": examples})
'''

USAGE_PIL = '''\
import numpy as np
from PIL import Image as PILImage
import wandb

with wandb.init() as run:
    examples = []
    for i in range(3):
        pixels = np.random.randint(
            low=0, high=256, size=(100, 100, 3), dtype=np.uint8
        )
        pil_image = PILImage.fromarray(pixels, mode="RGB")
        image = wandb.Image(pil_image, caption=f"random field {i}")
        examples.append(image)
    run.log({"examples": examples})
'''

USAGE_JPG = '''\
import numpy as np
import wandb

with wandb.init() as run:
    examples = []
    for i in range(3):
        pixels = np.random.randint(low=0, high=256, size=(100, 100, 3))
        image = wandb.Image(pixels, caption=f"random field {i}", file_type="jpg")
        examples.append(image)
    run.log({"examples": examples})
'''

SNIPPETS = [EXAMPLE_1, EXAMPLE_2, EXAMPLE_3, EXAMPLE_4, USAGE_NUMPY, USAGE_PIL, USAGE_JPG]
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


def test_example_1_multiplies_unit_data_by_255(wandb_stand_in: types.ModuleType) -> None:
    ns = run_snippet(EXAMPLE_1)
    data = ns["tensor_0_1"].permute(1, 2, 0).numpy()
    assert data.min() >= 0 and data.max() <= 1
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), (data * 255).astype(np.uint8))
    assert image.image.mode == "RGB" and image.image.size == (64, 64)
    assert image.caption == "[0,1]範囲から正規化"


def test_example_2_rescales_signed_data(wandb_stand_in: types.ModuleType) -> None:
    ns = run_snippet(EXAMPLE_2)
    data = ns["tensor_neg1_1"].permute(1, 2, 0).numpy()
    assert data.min() >= -1 and data.max() <= 1 and data.min() < 0
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), (255 * 0.5 * (data + 1)).astype(np.uint8))
    assert image.image.mode == "RGB" and image.caption == "[-1,1]範囲から正規化"


def test_example_2_comment_holds_with_127_5_truncated(wandb_stand_in: types.ModuleType) -> None:
    torch = pytest.importorskip("torch")
    # "-1 → 0, 0 → 127.5, 1 → 255": the pixel for 0 is 127.5 truncated, 127.
    assert pixels_of(reference.Image(torch.tensor([[-1.0, 0.0, 1.0]]))).tolist() == [[0, 127, 255]]


def test_example_3_pil_image_pixels_are_unchanged(wandb_stand_in: types.ModuleType) -> None:
    ns = run_snippet(EXAMPLE_3)
    expected = (ns["tensor_0_1"].permute(1, 2, 0).numpy() * 255).astype("uint8")
    image = ns["image"]
    np.testing.assert_array_equal(pixels_of(image), np.asarray(ns["pil_image"]))
    np.testing.assert_array_equal(pixels_of(image), expected)
    assert image.image.mode == ns["pil_image"].mode == "RGB"
    assert image.caption == "正規化は適用されません"


def test_example_4_normalize_false_gives_a_black_image(wandb_stand_in: types.ModuleType) -> None:
    ns = run_snippet(EXAMPLE_4)
    assert ns["tensor_0_1"].max() < 1  # every value in [0, 1) clips and truncates to 0
    image = ns["image"]
    assert image.image.mode == "RGB" and image.image.size == (64, 64)
    assert not pixels_of(image).any()
    assert image.caption == "正規化無効"


# -- [example.usage-numpy], [example.usage-pil], [example.usage-jpg] -----------------------


def test_usage_numpy_logs_three_images_with_the_pixels_kept(
    wandb_stand_in: types.ModuleType,
) -> None:
    run_snippet(USAGE_NUMPY)
    examples = logged_examples(wandb_stand_in)
    assert len(examples) == 3
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels())):
        assert drawn.dtype == np.int64 and drawn.max() > 1  # so [norm.other]: kept as is
        np.testing.assert_array_equal(pixels_of(image), drawn.astype(np.uint8))
        assert image.caption == f"random field {i}"
        assert image.format == "png" and image.encoded.startswith(b"\x89PNG\r\n\x1a\n")
    assert reference.Image.all_captions(examples) == [f"random field {i}" for i in range(3)]


def test_usage_pil_keeps_the_pixels(wandb_stand_in: types.ModuleType) -> None:
    run_snippet(USAGE_PIL)
    examples = logged_examples(wandb_stand_in)
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels(dtype=np.uint8))):
        np.testing.assert_array_equal(pixels_of(image), drawn)
        assert image.image.mode == "RGB" and image.caption == f"random field {i}"


def test_usage_jpg_is_encoded_as_jpeg(wandb_stand_in: types.ModuleType) -> None:
    run_snippet(USAGE_JPG)
    examples = logged_examples(wandb_stand_in)
    for i, (image, drawn) in enumerate(zip(examples, seeded_pixels())):
        assert image.format == "jpg"
        assert image.encoded.startswith(b"\xff\xd8\xff")
        decoded = PILImage.open(io.BytesIO(image.encoded))
        assert decoded.format == "JPEG" and decoded.size == (100, 100)
        # Pixels before encoding are those of usage-numpy; JPEG's loss is only in the bytes.
        np.testing.assert_array_equal(pixels_of(image), drawn.astype(np.uint8))
        assert image.caption == f"random field {i}"


# -- the snippets against the upstream pages, when they are at hand --------------------------


def _doc_code_blocks(locale: str) -> list[str]:
    path = UPSTREAM_DOCS / f"image.{locale}.md"
    if not path.is_file():
        pytest.skip(f"upstream page {path} is not present")
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return [textwrap.dedent(block).rstrip(" ") for block in blocks]


def test_embedded_snippets_are_verbatim_copies_of_the_ja_page() -> None:
    blocks = _doc_code_blocks("ja")
    for snippet in SNIPPETS:
        assert snippet in blocks, snippet.splitlines()[:3]


@pytest.mark.parametrize("locale", ["ja", "ko"])
def test_every_runnable_snippet_of_the_page_runs(
    locale: str, wandb_stand_in: types.ModuleType
) -> None:
    runnable = [b for b in _doc_code_blocks(locale) if "wandb.Image(" in b and "import" in b]
    assert len(runnable) == 7
    for block in runnable:
        namespace = run_snippet(block)
        assert isinstance(namespace.get("image"), reference.Image)
