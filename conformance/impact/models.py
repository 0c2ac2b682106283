"""What a wandb release makes of one input, computed here, without the release: the fast path
of an impact.

Each release family's data path is written out in NumPy and PIL as the release runs it (the
same operations in the same order and dtypes, so the same bits on the same NumPy and Pillow):
the keyword check, a tensor's way in (torchvision's make_grid before 0.20.0, a permute after),
the squeeze, the guessed mode, the normalization of its range, the cast, `PIL.Image.fromarray`
and the file written and read back. Every decision is kept as a `Step` in the words of the
release rule that explains it in the history (triage/release_rules.py), so a change between
two releases is explained by the steps that differ. The families and their bounds are the
history's (docs/history.md): 0.19.0-0.19.8, 0.19.9-0.19.11, 0.20.0, 0.20.1-0.23.0,
0.23.1-0.28.x, and 0.29.0 up to the last release measured. A version outside them has no
model: its impact needs the real release. `--verify` runs the real release on samples and
compares (impact/real.py), since a model is only as good as that check.

`spec` is the reference implementation, run in this process (it is this project's own code).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wbimage_conformance.impact.samples import Sample
from wbimage_conformance.triage import make_grid
from wbimage_conformance.triage import release_rules as words

ACCEPTED_FILE_TYPES = ("png", "jpg", "jpeg", "bmp")
#: What NumPy raises inside a release's data path (an empty array's minimum, a bool subtraction).
_NUMPY_REFUSALS = (ValueError, TypeError, OverflowError, IndexError)


@dataclass(frozen=True)
class Step:
    """One decision of a pipeline: `topic` is what it decides (call, input, layout, mode,
    normalize, file), `words` how this implementation decides it."""

    topic: str
    words: str


@dataclass(frozen=True)
class Outcome:
    """The pixels of the file written (uint8, as decoded again) and the image's mode, or the
    exception raised; with the steps that led there."""

    pixels: np.ndarray | None
    mode: str | None
    raised: str | None
    steps: tuple[Step, ...]
    computed_by: str = "model"       # model, reference or real
    failed: str | None = None        # no answer at all (a real worker's timeout or crash)
    kept_shape: tuple[int, ...] | None = None   # the pixels' shape once the pixels are dropped

    @property
    def shape(self) -> tuple[int, ...] | None:
        return tuple(self.pixels.shape) if self.pixels is not None else self.kept_shape

    @property
    def error_type(self) -> str | None:
        return self.raised.split(":", 1)[0] if self.raised else None


class _Refused(Exception):
    """The release raises here; `error` is its exception's type name."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class _Trace:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def note(self, topic: str, text: str) -> None:
        self.steps.append(Step(topic, text))


# -- the pieces every release shares ---------------------------------------------------------------


def _version(text: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text.strip())
    return tuple(int(part) for part in match.groups()) if match else None


def _squeezed(data: np.ndarray, trace: _Trace) -> np.ndarray:
    """`if data.ndim > 2: data = data.squeeze()`, as every release does."""
    if data.ndim > 2 and 1 in data.shape:
        trace.note("layout", f"size-1 axes are squeezed away: {list(data.shape)} becomes "
                             f"{list(np.squeeze(data).shape)}")
        return data.squeeze()
    return data


def _guess(shape: tuple[int, ...], channels: int, file_type: Any, one_channel: bool, jpeg_drops_alpha: bool) -> str:
    if len(shape) == 2 or (one_channel and channels == 1):
        return "L"
    if channels == 3:
        return "RGB"
    if channels == 4:
        return "RGB" if jpeg_drops_alpha and file_type in ("jpg", "jpeg") else "RGBA"
    raise _Refused("ValueError", f"Un-supported shape for image conversion {list(shape)}")


def _file_type(sample: Sample) -> str:
    return sample.argument("file_type") or "png"


def _written(image: Any, file_type: str, trace: _Trace) -> tuple[np.ndarray, str]:
    """The pixels as the file written holds them: PNG keeps L, RGB and RGBA exactly; JPEG and
    BMP are written and decoded again, as the releases' `image` reads them back."""
    from PIL import Image as PILImage

    if file_type == "png" and image.mode in ("L", "RGB", "RGBA", "LA") and 0 not in image.size:
        return np.asarray(image), image.mode
    buffer = io.BytesIO()
    try:
        image.save(buffer, format={"jpg": "JPEG", "jpeg": "JPEG"}.get(file_type, file_type.upper()), transparency=None)
    except (OSError, ValueError, KeyError) as exc:
        raise _Refused(type(exc).__name__, str(exc)) from None
    if file_type in ("jpg", "jpeg"):
        trace.note("file", "written as JPEG and decoded again, with its compression loss")
    buffer.seek(0)
    with PILImage.open(buffer) as decoded:
        decoded.load()
        return np.asarray(decoded), decoded.mode


def _build(values: np.ndarray, mode: str, mode_to_fromarray: bool, trace: _Trace) -> Any:
    """`PIL.Image.fromarray(data, mode=mode)` (releases before 0.23.1) or
    `PIL.Image.fromarray(data).convert(mode)` (from 0.23.1)."""
    from PIL import Image as PILImage

    try:
        if mode_to_fromarray:
            return PILImage.fromarray(values, mode=mode)
        image = PILImage.fromarray(values)
        if image.mode != mode:
            trace.note("mode", f"the {image.mode} image is converted to {mode}")
        return image.convert(mode)
    except (TypeError, ValueError, KeyError, OSError) as exc:
        raise _Refused(type(exc).__name__, str(exc)) from None


# -- normalization, per family ---------------------------------------------------------------------


def _minmax_0198(data: np.ndarray, trace: _Trace) -> np.ndarray:
    """to_uint8 of 0.19.x."""
    trace.note("normalize", words.MINMAX_0198)
    if np.min(data) < 0:
        data = (data - np.min(data)) / np.ptp(data)
    if np.max(data) <= 1.0:
        data = (data * 255).astype(np.int32)
    return data.clip(0, 255).astype(np.uint8)


def _range_division_0200(data: np.ndarray, trace: _Trace) -> np.ndarray:
    trace.note("normalize", words.RANGE_DIVISION_0200)
    if np.min(data) < 0:
        data = data - np.min(data)
    if np.ptp(data) != 0:
        data = data / np.ptp(data)
    if np.max(data) <= 1.0:
        data = (255 * data).astype(np.int32)
    return data.clip(0, 255)


def _three_branches(data: np.ndarray, trace: _Trace) -> np.ndarray:
    """0.20.1-0.28.x: the documented branches, taken from the minimum and maximum."""
    low, high = data.min(), data.max()
    if low >= 0 and high <= 1:
        trace.note("normalize", "data in [0, 1] is multiplied by 255 and truncated")
        return (data * 255).astype(np.uint8)
    if low >= -1 and high <= 1:
        trace.note("normalize", "data in [-1, 1] is mapped to [0, 255] (255 * 0.5 * (x + 1)) and truncated")
        return (255 * 0.5 * (data + 1)).astype(np.uint8)
    trace.note("normalize", "data outside [-1, 1] is clipped to [0, 255] and truncated")
    return data.clip(0, 255).astype(np.uint8)


def _not_normalized(text: str) -> Callable[[np.ndarray, _Trace], np.ndarray]:
    def cast(data: np.ndarray, trace: _Trace) -> np.ndarray:
        trace.note("normalize", text)
        return data
    return cast


# -- one family ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """The releases that share one data path, and its choices."""

    first: str
    last: str
    normalizer: Callable[[np.ndarray, _Trace], np.ndarray]
    normalize_keyword: str | None       # None: accepted; else the words of the TypeError's cause
    make_grid: bool                     # tensors drawn with torchvision's make_grid
    tensor_mode: bool                   # make_grid's pixels get the guessed or given mode (0.19.9+)
    file_type_checked_first: bool       # ValueError before anything (0.19.9+), else an assert after
    mode_to_fromarray: bool             # fromarray(data, mode=mode), else fromarray(data).convert(mode)
    one_channel_is_l: bool              # guess_mode: 1 channel gives L (0.20.0+)
    mode_guessed_first: bool = True     # before 0.19.9 the array is normalized first (an argument of fromarray)

    @property
    def name(self) -> str:
        return self.first if self.first == self.last else f"{self.first} - {self.last}"

    def render(self, sample: Sample, data: np.ndarray) -> Outcome:
        trace = _Trace()
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")   # NumPy's and Pillow's warnings are the release's, not ours
                pixels, mode = self._pixels(sample, data, trace)
        except _Refused as exc:
            return Outcome(None, None, f"{exc.error}: {exc}", tuple(trace.steps))
        except _NUMPY_REFUSALS as exc:  # the release's own NumPy call raises the same
            return Outcome(None, None, f"{type(exc).__name__}: {exc}", tuple(trace.steps))
        return Outcome(pixels, mode, None, tuple(trace.steps))

    def _pixels(self, sample: Sample, data: np.ndarray, trace: _Trace) -> tuple[np.ndarray, str]:
        if "normalize" in sample.given and self.normalize_keyword:
            trace.note("call", self.normalize_keyword)
            raise _Refused("TypeError", "__init__() got an unexpected keyword argument 'normalize'")
        file_type = _file_type(sample)
        if self.file_type_checked_first and file_type not in ACCEPTED_FILE_TYPES:
            raise _Refused("ValueError", f"file_type must be one of {list(ACCEPTED_FILE_TYPES)}")
        if sample.kind == "pil":
            from PIL import Image as PILImage

            image = PILImage.fromarray(data)
            if sample.pil_mode and image.mode != sample.pil_mode:
                image = image.convert(sample.pil_mode)
            trace.note("input", "a PIL image is kept as it is")
        elif sample.kind == "torch" and self.make_grid:
            image = self._grid(sample, data, trace)
        elif sample.kind == "torch":
            image = self._tensor(sample, data, trace)
        else:
            image = self._array(sample, data, trace)
        if not self.file_type_checked_first and file_type not in ACCEPTED_FILE_TYPES:
            raise _Refused("AssertionError", f"file_type must be one of {list(ACCEPTED_FILE_TYPES)}")
        return _written(image, file_type, trace)

    def _normalized(self, sample: Sample, data: np.ndarray, trace: _Trace) -> np.ndarray:
        if self.normalize_keyword is None and not sample.argument("normalize"):
            trace.note("normalize", words.WRAPS_WHEN_DISABLED_TEXT)
            return data.astype(np.uint8)
        return self.normalizer(data, trace).astype(np.uint8)

    def _array(self, sample: Sample, data: np.ndarray, trace: _Trace) -> Any:
        data = _squeezed(data, trace)
        if data.ndim == 0:
            raise _Refused("IndexError", "tuple index out of range")
        values = None if self.mode_guessed_first else self._normalized(sample, data, trace)
        file_type = sample.argument("file_type") if self.file_type_checked_first else None
        mode = sample.argument("mode") or _guess(data.shape, data.shape[-1], file_type, self.one_channel_is_l,
                                                 self.file_type_checked_first)
        if values is None:
            values = self._normalized(sample, data, trace)
        return _build(values, mode, self.mode_to_fromarray, trace)

    def _tensor(self, sample: Sample, data: np.ndarray, trace: _Trace) -> Any:
        """0.20.0 on: guess_mode on the tensor (channels first), permute(1, 2, 0), .numpy(),
        then the array's normalization and a squeeze of the result."""
        if sample.dtype == "uint8":
            data = data.astype(np.float64)     # data.to(float)
        mode = sample.argument("mode") or _guess(data.shape, data.shape[0] if data.ndim else 0,
                                                 sample.argument("file_type"), self.one_channel_is_l, True)
        if data.ndim != 3:
            trace.note("input", "tensors are permuted with (1, 2, 0), which needs exactly three axes")
            raise _Refused("RuntimeError", f"permute: the tensor has {data.ndim} dimensions, not 3")
        if sample.dtype == "bfloat16":
            raise _Refused("TypeError", "Got unsupported ScalarType BFloat16")
        trace.note("input", "a (C, H, W) tensor is permuted to (H, W, C) and converted as an array")
        values = self._normalized(sample, np.transpose(data, (1, 2, 0)), trace)
        return _build(_squeezed(values, trace), mode, self.mode_to_fromarray, trace)

    def _grid(self, sample: Sample, data: np.ndarray, trace: _Trace) -> Any:
        """0.19.x: make_grid(t, normalize=True), x255, clamp, byte, permute; then fromarray
        (with the given or guessed mode from 0.19.9 on)."""
        from PIL import Image as PILImage

        widened = sample.dtype == "uint8"      # data.to(float)
        trace.note("input", words.grid_rescale_text(f"wandb {self.name}"))
        pixels = make_grid.pixels(data.astype(np.float64) if widened else data, "float64" if widened else sample.dtype)
        if pixels is None:
            raise _Refused("RuntimeError", f"make_grid cannot draw a {sample.dtype} tensor of shape {list(data.shape)}")
        try:
            if not self.tensor_mode:
                return PILImage.fromarray(pixels)
            channels = pixels.shape[2]
            mode = sample.argument("mode") or _guess((channels, *pixels.shape[:2]), channels,
                                                     sample.argument("file_type"), False, True)
            return PILImage.fromarray(pixels, mode=mode)
        except (TypeError, ValueError, KeyError) as exc:
            raise _Refused(type(exc).__name__, str(exc)) from None


FAMILIES = (
    Family("0.19.0", "0.19.8", _minmax_0198, words.NO_NORMALIZE_YET, make_grid=True, tensor_mode=False,
           file_type_checked_first=False, mode_to_fromarray=True, one_channel_is_l=False, mode_guessed_first=False),
    Family("0.19.9", "0.19.11", _minmax_0198, words.NO_NORMALIZE_YET, make_grid=True, tensor_mode=True,
           file_type_checked_first=True, mode_to_fromarray=True, one_channel_is_l=False),
    Family("0.20.0", "0.20.0", _range_division_0200, None, make_grid=False, tensor_mode=True,
           file_type_checked_first=True, mode_to_fromarray=True, one_channel_is_l=True),
    Family("0.20.1", "0.23.0", _three_branches, None, make_grid=False, tensor_mode=True,
           file_type_checked_first=True, mode_to_fromarray=True, one_channel_is_l=True),
    Family("0.23.1", "0.28.2", _three_branches, None, make_grid=False, tensor_mode=True,
           file_type_checked_first=True, mode_to_fromarray=False, one_channel_is_l=True),
    Family("0.29.0", "0.31.0", _not_normalized(words.NO_NORMALIZATION_0290), words.NORMALIZE_REMOVED,
           make_grid=False, tensor_mode=True, file_type_checked_first=True, mode_to_fromarray=False,
           one_channel_is_l=True),
)


@dataclass(frozen=True)
class ReleaseModel:
    """One release, computed with its family's data path."""

    version: str
    family: Family

    @property
    def name(self) -> str:
        return f"wandb {self.version}"

    def render(self, sample: Sample, data: np.ndarray) -> Outcome:
        return self.family.render(sample, data)


#: The releases the history measured; a later one may differ, so it has no model.
FIRST_MEASURED, LAST_MEASURED = FAMILIES[0].first, FAMILIES[-1].last


def _bound(text: str) -> tuple[int, ...]:
    found = _version(text)
    assert found is not None, text
    return found


def family_of(version: str) -> Family | None:
    """The family whose first and last release hold `version` (a version between two families,
    such as a 0.28.3 the history never saw, belongs to neither)."""
    wanted = _version(version)
    if wanted is None:
        return None
    return next((f for f in FAMILIES if _bound(f.first) <= wanted <= _bound(f.last)), None)


def release_model(version: str) -> ReleaseModel | None:
    """The model of a wandb release, or None when no measured family holds it (0.28.0 - 0.28.1
    belong to 0.23.1 - 0.28.2's family)."""
    family = family_of(version)
    return None if family is None else ReleaseModel(version, family)


# -- the spec ----------------------------------------------------------------------------------------


class SpecModel:
    """The reference implementation, in this process: the spec's pixels of the file written."""

    name = "the spec"

    def render(self, sample: Sample, data: np.ndarray) -> Outcome:
        from PIL import Image as PILImage

        from wbimage_conformance.reference import Image

        try:
            given = _reference_input(sample, data)
        except ImportError:
            return Outcome(None, None, None, (), "reference",
                           failed="the spec's side of a tensor sample needs torch in this interpreter")
        try:
            made = Image(given, **sample.given)
        except Exception as exc:  # noqa: BLE001 - the reference's refusal is the spec's outcome
            return Outcome(None, None, f"{type(exc).__name__}: {exc}", (Step("call", "the spec refuses the input"),),
                           "reference")
        steps = (Step("normalize", "the spec's documented normalization"),)
        if made.format == "png":
            return Outcome(np.asarray(made.image), made.image.mode, None, steps, "reference")
        with PILImage.open(io.BytesIO(made.encoded)) as decoded:
            decoded.load()
            return Outcome(np.asarray(decoded), decoded.mode, None, steps, "reference")


def _reference_input(sample: Sample, data: np.ndarray) -> Any:
    if sample.kind == "pil":
        from PIL import Image as PILImage

        image = PILImage.fromarray(data)
        return image.convert(sample.pil_mode) if sample.pil_mode and image.mode != sample.pil_mode else image
    if sample.kind != "torch":
        return data
    import torch

    tensor = torch.from_numpy(np.ascontiguousarray(data))
    return tensor.to(torch.bfloat16) if sample.dtype == "bfloat16" else tensor
