"""What one `wandb.Image` input is, and the bytes that keep it: the part of capture that looks
at the user's data.

Runs inside the user's program, under whatever Python and NumPy it has, so it imports only the
standard library, and NumPy only once an array has arrived (an interpreter that never builds
an Image pays nothing; torch and PIL are recognised by duck typing, never imported). It
never changes the input: a tensor is copied to the host with `.detach().cpu()`, an array is
written as it is. Sizes are judged before anything is copied, so an input over the byte limit
costs no memory.
"""

from __future__ import annotations

import io
import math
import os
import sys
from typing import Any

#: What a `.npy` header adds to an array's bytes (a header is padded to a multiple of 64).
NPY_HEADER_BYTES = 128


class Unreadable(Exception):
    """The input has no data this process can read (a 'meta' tensor, an object array)."""


def kind_of(value: Any) -> str:
    """numpy, torch, pil, path or other: which of wandb.Image's input families `value` is."""
    numpy = sys.modules.get("numpy")  # an array can only exist once NumPy is imported
    if numpy is not None and isinstance(value, numpy.ndarray):
        return "numpy"
    module = type(value).__module__ or ""
    if module.startswith("torch") and hasattr(value, "detach") and hasattr(value, "element_size"):
        return "torch"
    if module.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "mode"):
        return "pil"
    if isinstance(value, (str, os.PathLike)):
        return "path"
    return "other"


def estimated_bytes(value: Any, kind: str) -> int:
    """The bytes the sample would take, known before copying anything (0 when unknown)."""
    if kind == "numpy":
        return int(value.nbytes) + NPY_HEADER_BYTES
    if kind == "torch":
        item = 4 if _needs_widening(value) else int(value.element_size())
        return int(value.numel()) * item + NPY_HEADER_BYTES
    if kind == "pil":
        width, height = value.size
        return width * height * max(len(value.getbands()), 1)  # PNG is rarely larger than raw
    return 0


def _needs_widening(tensor: Any) -> bool:
    """bfloat16 (and other dtypes NumPy lacks) are written as float32, which holds them exactly."""
    return str(tensor.dtype) in ("torch.bfloat16", "torch.float8_e4m3fn", "torch.float8_e5m2")


def described(value: Any, kind: str) -> dict[str, Any]:
    """The facts the manifest keeps about an input, whether or not its data can be saved."""
    facts: dict[str, Any] = {"kind": kind, "type": f"{type(value).__module__}.{type(value).__qualname__}"}
    if kind == "numpy":
        facts.update(dtype=str(value.dtype), shape=list(value.shape))
    elif kind == "torch":
        facts.update(dtype=str(value.dtype).replace("torch.", ""), shape=[int(n) for n in value.shape],
                     torch={"dtype": str(value.dtype), "device": str(value.device),
                            "requires_grad": bool(value.requires_grad)})
    elif kind == "pil":
        facts.update(pil_mode=str(value.mode), shape=[int(value.size[1]), int(value.size[0])])
    elif kind == "path":
        facts.update(path=os.fspath(value))
    return facts


def host_array(value: Any, kind: str) -> Any:
    """The input as a NumPy array on the host; Unreadable when there is no data to read."""
    if kind == "torch":
        tensor = value.detach()
        if str(tensor.device) == "meta" or getattr(tensor, "is_meta", False):
            raise Unreadable("a tensor on the 'meta' device has no data")
        if _needs_widening(tensor):
            tensor = tensor.float()
        try:
            array = tensor.cpu().numpy()
        except (RuntimeError, TypeError, NotImplementedError) as exc:
            raise Unreadable(f"the tensor cannot be read on the host: {str(exc)[:120]}") from None
    else:
        array = value
    if array.dtype.hasobject:
        raise Unreadable("an object array (saving it would need pickle)")
    return array


def array_range(array: Any) -> tuple[Any, Any, bool]:
    """(min, max, has_nan) ignoring NaN; min and max are None for empty, all-NaN or
    non-real data, and infinities are written "inf"/"-inf" (JSON has no infinity)."""
    import numpy as np

    if array.size == 0 or array.dtype.kind not in "biuf":
        return None, None, False
    if array.dtype.kind == "f":
        nan = np.isnan(array)
        has_nan = bool(nan.any())
        if has_nan:
            if nan.all():
                return None, None, True
            return _number(np.nanmin(array)), _number(np.nanmax(array)), True
    return _number(array.min()), _number(array.max()), False


def _number(value: Any) -> Any:
    import numpy as np

    if isinstance(value, (np.bool_, np.integer, bool, int)):
        return int(value)
    number = float(value)
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def npy_bytes(array: Any) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def png_bytes(image: Any) -> bytes:
    """A PIL image as PNG; Unreadable for modes PNG cannot hold (floating point 'F', ...)."""
    buffer = io.BytesIO()
    try:
        image.save(buffer, format="PNG")
    except (OSError, ValueError, KeyError) as exc:
        raise Unreadable(f"a PIL image of mode {image.mode} cannot be saved as PNG: {str(exc)[:80]}") from None
    return buffer.getvalue()


def payload(value: Any, kind: str, facts: dict[str, Any]) -> tuple[bytes, str] | None:
    """(bytes, file suffix) that keep the input, adding its range to `facts`; None for kinds
    kept by description only (paths, other objects)."""
    if kind in ("numpy", "torch"):
        array = host_array(value, kind)
        low, high, has_nan = array_range(array)
        facts.update(min=low, max=high, has_nan=has_nan)
        return npy_bytes(array), ".npy"
    if kind == "pil":
        return png_bytes(value), ".png"
    return None


def simple(value: Any) -> Any:
    """A keyword argument's value as JSON: None, bools, numbers and short strings as they are,
    anything else by its type name."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str) and len(value) <= 40:
        return value
    return f"<{type(value).__name__}>"
