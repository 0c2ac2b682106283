"""A capture of the reported pain, generated: the inputs that users found changed by an
upgrade, as if a training project had logged them from three call sites.

    python -m wbimage_conformance.capture.gallery DIR

The samples are modelled on the reports, not taken from anyone's data: float images in [0,1]
(black from 0.29.0 on: floored to 0 and 1), denormalized ImageNet floats slightly above 1
(they skip the x255 branch), values at 1e-8 scale, uint8 images whose minimum is above 0
(0.20.0 rescaled them to near black), int16 depth maps, CHW tensors and (H,W,1) arrays. They
are drawn from a fixed seed and written through the same recorder as a real capture, with the
process recorded as `gallery` (pid 0), so the folder is the same on every machine.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from wbimage_conformance.capture import manifest
from wbimage_conformance.capture.agent import Limits, Recorder
from wbimage_conformance.capture.agent.record import Site

SEED = 28
PROCESS = {"pid": 0, "python": "gallery"}
#: ImageNet's per-channel normalization, which denormalized images are undone from.
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

PREDICTIONS = Site("gallery/train_loop.py", 41, "log_predictions")
DEPTH = Site("gallery/datasets/depth.py", 17, "log_depth")
BATCH = Site("gallery/visualize.py", 88, "show_batch")


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """A smooth float32 image in [0, 1] with both ends reached (a gradient plus noise)."""
    ramp = np.linspace(0.0, 1.0, shape[1], dtype=np.float32)[None, :]
    image = ramp.reshape((1, shape[1]) + (1,) * (len(shape) - 2)) * 0.8 + rng.random(shape, dtype=np.float32) * 0.2
    image -= image.min()
    return (image / image.max()).astype(np.float32)


def _denormalized(rng: np.random.Generator, shape: tuple[int, int, int]) -> np.ndarray:
    """(x - mean) / std with noise added, undone: the result overshoots 1 a little."""
    normalized = (_unit(rng, shape) - IMAGENET_MEAN) / IMAGENET_STD + rng.normal(0, 0.15, shape).astype(np.float32)
    undone = normalized * IMAGENET_STD + IMAGENET_MEAN
    return np.clip(undone, 0.0, 1.04).astype(np.float32)


Sample = tuple[str, Any, dict[str, Any]]   # (what it models, the input, its mode/normalize/file_type)


def prediction_samples(rng: np.random.Generator) -> Iterator[Sample]:
    yield "float32 HWC in [0,1]", _unit(rng, (64, 64, 3)), {}
    yield "float32 HWC denormalized ImageNet, up to 1.04", _denormalized(rng, (64, 64, 3)), {}
    yield "float64 HWC at 1e-8 scale", (_unit(rng, (64, 64, 3)) * 3e-8).astype(np.float64), {}
    yield "float32 (H,W,1) in [0,1]", _unit(rng, (64, 64, 1)), {}


def depth_samples(rng: np.random.Generator) -> Iterator[Sample]:
    yield "int16 depth map, 300 to 5000 mm", (300 + _unit(rng, (48, 64)) * 4700).astype(np.int16), {}
    yield "uint8 HWC, minimum 40", (40 + _unit(rng, (48, 64, 3)) * 180).astype(np.uint8), {}
    yield "uint8 (H,W,1), minimum 25, mode L", (25 + _unit(rng, (48, 64, 1)) * 200).astype(np.uint8), {"mode": "L"}


def batch_samples(rng: np.random.Generator) -> Iterator[Sample]:
    import torch

    def chw(array: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))

    yield "tensor float32 CHW in [0,1]", chw(_unit(rng, (32, 32, 3))), {}
    yield "tensor float32 CHW denormalized ImageNet", chw(_denormalized(rng, (32, 32, 3))), {}
    yield "tensor float32 CHW at 1e-8 scale", chw(_unit(rng, (32, 32, 3)) * np.float32(1e-8)), {}
    yield "tensor float32 (1,H,W) in [0,1]", torch.from_numpy(_unit(rng, (1, 32, 32))), {}


SITES: tuple[tuple[Site, Callable[[np.random.Generator], Iterator[Sample]]], ...] = (
    (PREDICTIONS, prediction_samples), (DEPTH, depth_samples), (BATCH, batch_samples))


def labels() -> dict[str, list[str]]:
    """Site -> what each of its samples models, in slot order (for pages that show the gallery)."""
    rng = np.random.default_rng(SEED)
    return {site.key: [label for label, _, _ in samples(rng)] for site, samples in SITES}


def _empty_folder(directory: Path) -> Path:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise manifest.CaptureError(f"{directory}: not an empty folder (the gallery is written into a new one)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise manifest.CaptureError(f"{directory}: cannot make the folder: {exc.strerror or exc}") from None
    return directory


def write(directory: Path | str) -> Path:
    """Write the gallery into `directory` (missing or empty); return its manifest's path.
    The tensor samples need torch (CaptureError without it)."""
    if importlib.util.find_spec("torch") is None:  # checked first: no half-written gallery without it
        raise manifest.CaptureError("the gallery's tensor samples need torch; install torch first")
    folder = _empty_folder(Path(directory))
    rng = np.random.default_rng(SEED)
    recorder = Recorder(str(folder), Limits(), process=PROCESS)
    for site, samples in SITES:
        for _, value, kwargs in samples(rng):
            pixel = {"mode": kwargs.get("mode"), "normalize": True, "file_type": None}
            recorder.record(site, value, pixel, [], given=sorted(kwargs))
    recorder.close()
    _, where = manifest.finish(folder, recorder.limits.as_json())
    shutil.rmtree(folder / "parts")
    for bookkeeping in (".ledger.json", ".ledger.lock"):
        (folder / bookkeeping).unlink()
    return where


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1:
        print("usage: python -m wbimage_conformance.capture.gallery DIR", file=sys.stderr)
        return 2
    try:
        print(f"gallery written: {write(arguments[0])}", file=sys.stderr)
    except manifest.CaptureError as exc:
        print(f"wbimage gallery: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
