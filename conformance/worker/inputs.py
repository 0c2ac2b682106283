"""Inside a worker: the protocol's input object as the caller's real data, and snapshots of it.

The caller's objects (arrays with a given memory layout, tensors, PIL images, paths, Images)
are built here, in the implementation's interpreter, because a tensor or a PIL image cannot
cross a process boundary as itself. Snapshots taken before and after the call detect an
implementation that modifies what it was given ([input.immutable]).

Worker-side: standard library, NumPy, and PIL/torch imported only when a case needs them.
"""

from __future__ import annotations

import hashlib
import io
import os
import pathlib
from typing import Any, Callable, Dict, Optional

import numpy as np

from wbimage_conformance.worker import protocol


class Skip(Exception):
    """The case cannot run in this interpreter (a missing optional dependency)."""


class SetupError(Exception):
    """The caller's data could not be built; not the implementation's result."""


def pil_image(array: np.ndarray, mode: Optional[str]) -> Any:
    """The PIL image a case means by pixels plus a mode: `fromarray`, then `convert(mode)`
    when the natural mode differs (Pillow 13 still infers the mode from dtype and shape)."""
    from PIL import Image as PILImage

    image = PILImage.fromarray(array)
    if mode is not None and image.mode != mode:
        image = image.convert(mode)
    return image


def _numpy(wire: Dict[str, Any]) -> np.ndarray:
    array = protocol.decode_array(wire["array"])
    order = wire.get("order", "C")
    if order == "F":
        array = np.asfortranarray(array)
    elif order == "reversed-view":
        # same values, negative stride on the first axis: a view of a reversed copy
        array = np.ascontiguousarray(array[::-1])[::-1] if array.ndim else array
    elif order != "C":
        raise SetupError(f"unknown order {order!r}")
    elif not (array.flags.c_contiguous and array.flags.owndata and array.flags.writeable):
        array = np.array(array, order="C", copy=True)  # a plain array that owns its memory
    if wire.get("readonly"):
        array.flags.writeable = False
    if wire.get("dtype") == "longdouble" and np.dtype(np.longdouble).itemsize <= 8:
        raise Skip("numpy.longdouble is float64 on this platform")
    return array


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise Skip("torch not installed") from None
    return torch


def _tensor(wire: Dict[str, Any]) -> Any:
    torch = _import_torch()
    array = np.array(protocol.decode_array(wire["array"]), copy=True)
    tensor = torch.from_numpy(array)
    if wire.get("dtype") == "bfloat16":
        tensor = tensor.to(torch.bfloat16)
    if not wire.get("contiguous", True):
        tensor = _non_contiguous(torch, tensor)
    if wire.get("requires_grad"):
        try:
            tensor.requires_grad_(True)
        except RuntimeError as exc:
            raise SetupError(f"requires_grad on a {tensor.dtype} tensor: {exc}") from None
    form = wire.get("form")
    if form == "sparse":
        tensor = tensor.to_sparse()
    elif form == "meta":
        tensor = torch.empty(tuple(tensor.shape), dtype=tensor.dtype, device="meta")
    elif form is not None:
        raise SetupError(f"unknown tensor form {form!r}")
    return tensor


class BytesPath:
    """An os.PathLike whose path is bytes: a form of path [input.unsupported] refuses."""

    def __init__(self, path: bytes) -> None:
        self.path = path

    def __fspath__(self) -> bytes:
        return self.path

    def __repr__(self) -> str:
        return f"BytesPath({self.path!r})"


def _path(wire: Dict[str, Any]) -> Any:
    """A path input in the form the case asks for (str unless said otherwise)."""
    form = wire.get("as", "str")
    path = str(wire["path"])
    if form == "str":
        return path
    if form == "pathlib":
        return pathlib.Path(path)
    if form == "bytes":
        return os.fsencode(path)
    if form == "bytes-pathlike":
        return BytesPath(os.fsencode(path))
    if form == "file-object":
        return io.BytesIO(pathlib.Path(path).read_bytes())
    raise SetupError(f"unknown path form {form!r}")


def _non_contiguous(torch: Any, tensor: Any) -> Any:
    """The same values through a non-contiguous view: transpose, copy, transpose back; where
    that stays contiguous (fewer than two axes longer than 1), every other element of a
    buffer twice as long."""
    if tensor.dim() >= 2:
        view = tensor.transpose(0, -1).contiguous().transpose(0, -1)
        if not view.is_contiguous():
            return view
    if tensor.numel() > 1:
        flat = tensor.reshape(-1)
        buffer = torch.zeros(flat.numel() * 2, dtype=tensor.dtype)
        buffer[::2] = flat
        view = buffer[::2]
        if tensor.dim() == 1:
            return view
    raise SetupError(f"cannot make a non-contiguous view of shape {tuple(tensor.shape)}")


def _argument_array(inner: Dict[str, Any]) -> Any:
    """A `$array` keyword-argument value: the NumPy scalar of a 0-d array, or a tensor."""
    array = protocol.decode_array(inner["array"])
    if inner.get("as") == "scalar":
        return array[()]
    if inner.get("as") == "tensor":
        return _tensor({"array": inner["array"], "dtype": inner.get("dtype")})
    raise SetupError(f"unknown $array 'as' {inner.get('as')!r}")


def decode_arguments(wire: Any) -> Any:
    """Keyword arguments from the wire, with `$array` values rebuilt as scalars or tensors."""
    return protocol.decode_value(wire, {"$array": _argument_array})


Maker = Callable[[Any, Dict[str, Any]], Any]


def build(wire: Dict[str, Any], make_image: Maker) -> Any:
    """The caller's object for a protocol input; `make_image(data, kwargs)` builds the
    implementation's Image for `image`/`images` inputs."""
    kind = wire.get("kind")
    if kind == "numpy":
        return _numpy(wire)
    if kind == "tensor":
        return _tensor(wire)
    if kind == "pil":
        image = pil_image(protocol.decode_array(wire["array"]), wire.get("mode"))
        return _truncated(image) if wire.get("truncated") else image
    if kind == "path":
        return _path(wire)
    if kind == "image":
        return _inner_image(wire["of"], wire.get("kwargs") or {}, make_image)
    if kind == "images":
        return [_inner_image(i["of"], i.get("kwargs") or {}, make_image) for i in wire["items"]]
    if kind == "python":
        return protocol.decode_value(wire["value"])
    raise SetupError(f"unknown input kind {kind!r}")


def _truncated(image: Any) -> Any:
    """`image` saved as PNG, cut off inside its image data (the signature and the header
    chunk, 33 bytes, and 8 bytes more) and opened without loading: a PIL image whose pixels
    cannot be read."""
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    raw = buffer.getvalue()
    return PILImage.open(io.BytesIO(raw[:41]))


def change_after_call(wire: Dict[str, Any], data: Any) -> None:
    """What the caller does to its own data once the Image is made: for a PIL input marked
    `changed_after_call`, invert every pixel in place ([input.pil:copy]); else nothing."""
    if wire.get("kind") == "pil" and wire.get("changed_after_call"):
        from PIL import ImageChops

        data.paste(ImageChops.invert(data))


def _inner_image(of: Dict[str, Any], kwargs: Dict[str, Any], make_image: Maker) -> Any:
    data = build(of, make_image)
    try:
        return make_image(data, decode_arguments(kwargs))
    except Skip:
        raise
    except Exception as exc:  # noqa: BLE001 - the implementation's error, reported as the case's
        raise SetupError(f"building the Image to pass in failed: {type(exc).__name__}: {exc}") from None


# -- snapshots ------------------------------------------------------------------------------


SNAPSHOT_BYTES_KEPT = 1 << 20
"""Content up to this size is kept as it is in a snapshot and compared byte for byte; larger
content is kept as its sha256 digest, so a snapshot of a huge input stays small."""


def _digest(raw: bytes) -> Any:
    return raw if len(raw) <= SNAPSHOT_BYTES_KEPT else hashlib.sha256(raw).hexdigest()


#: Values whose repr is all a caller could notice of them (snapshotted without further checks).
_PLAIN_SCALARS = (bool, int, float, complex, type(None))


def snapshot(obj: Any) -> Any:
    """A comparable record of everything the caller could notice about `obj`: values, dtype,
    shape, strides and flags for arrays; the same plus grad state for tensors; mode, size and
    bytes for PIL images; the file's bytes for paths; the pixels of Images.

    Four snapshots are taken per case, so the common kinds come first: plain scalars, and
    strings, read as files only when they are absolute paths (the runner stages every file a
    case names under an absolute path; a mode or a caption is not stat()ed)."""
    kind = type(obj)
    if kind in _PLAIN_SCALARS:
        return ("repr", protocol.safe_repr(obj, limit=100_000))  # as below: an int may be too long to print
    if kind is str and not os.path.isabs(obj):
        return ("str", obj)
    if isinstance(obj, np.ndarray):
        raw = repr(obj.tolist()).encode() if obj.dtype.hasobject else obj.tobytes(order="A")
        flags = obj.flags
        return ("ndarray", obj.dtype.str, obj.shape, obj.strides,
                (flags.c_contiguous, flags.f_contiguous, flags.writeable, flags.aligned, flags.owndata),
                _digest(raw))
    if type(obj).__module__.startswith("torch") and hasattr(obj, "detach"):
        return _tensor_snapshot(obj)
    if type(obj).__module__.startswith("PIL.") and hasattr(obj, "tobytes"):
        try:
            return ("pil", obj.mode, obj.size, _digest(obj.tobytes()))
        except (OSError, ValueError):  # pixels that cannot be read (a truncated file)
            return ("pil", obj.mode, obj.size, None)
    if isinstance(obj, (str, pathlib.Path)) and not isinstance(obj, bool):
        path = pathlib.Path(obj)
        content = _digest(path.read_bytes()) if path.is_file() else None
        return ("path", type(obj).__name__, str(obj), content)
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, tuple(snapshot(o) for o in obj))
    if isinstance(obj, dict):
        return ("dict", tuple((repr(k) if type(k) is str else protocol.safe_repr(k), snapshot(v))
                              for k, v in obj.items()))
    image = getattr(obj, "image", None)
    if image is not None and hasattr(image, "tobytes"):
        return ("image", snapshot(image))
    return ("repr", protocol.safe_repr(obj, limit=100_000))


def _tensor_snapshot(tensor: Any) -> Any:
    import torch

    detached = tensor.detach()
    if detached.is_meta:  # no values to read
        return ("tensor", str(tensor.dtype), tuple(tensor.shape), "meta", bool(tensor.requires_grad))
    if detached.layout != torch.strided:  # sparse: no strides or storage offset either
        dense = detached.to_dense().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
        return ("tensor", str(tensor.dtype), tuple(tensor.shape), str(tensor.layout),
                bool(tensor.requires_grad), str(tensor.device), _digest(dense))
    try:
        raw = detached.cpu().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
    except (RuntimeError, TypeError):
        raw = repr(detached.tolist()).encode()
    return ("tensor", str(tensor.dtype), tuple(tensor.shape), tuple(tensor.stride()),
            tensor.storage_offset(), bool(tensor.requires_grad), str(tensor.device),
            tensor.is_contiguous(), _digest(raw))


def describe_change(before: Any, after: Any) -> str:
    """What differs between two snapshots, in a few words, for the mismatch message."""
    if before == after:
        return ""
    if isinstance(before, tuple) and isinstance(after, tuple) and before[:1] == after[:1]:
        kind = before[0]
        names = {
            "ndarray": ("kind", "dtype", "shape", "strides", "flags", "values"),
            "tensor": ("kind", "dtype", "shape", "stride", "storage offset", "requires_grad",
                       "device", "contiguity", "values"),
            "pil": ("kind", "mode", "size", "pixels"),
            "path": ("kind", "type", "path", "file contents"),
        }.get(kind)
        if names and len(before) == len(after):
            changed = [n for n, b, a in zip(names, before, after) if b != a]
            return f"{kind} {', '.join(changed)} changed"
    return "the input changed"
