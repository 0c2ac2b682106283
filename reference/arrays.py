"""Turning caller data into plain NumPy arrays of a real dtype, without touching the caller's data.

Two jobs live here because both `Image` and `to_uint8` need them: deciding which dtypes are
numbers the algorithm can work on ([input.array.dtype], [input.tensor.dtype]) and converting a
torch tensor to the NumPy array of the same values and shape. torch is never imported here:
if no module has imported it, no object can be a tensor, so `sys.modules` is enough to tell.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

ACCEPTED_DTYPES = (
    "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
    "float16, float32, float64"
)


def is_tensor(obj: Any) -> bool:
    """True for a torch.Tensor (or subclass), without importing torch."""
    torch = sys.modules.get("torch")
    tensor_type = getattr(torch, "Tensor", None)
    return isinstance(tensor_type, type) and isinstance(obj, tensor_type)


def check_real_dtype(dtype: np.dtype, argument: str = "data_or_path") -> None:
    """Raise TypeError unless `dtype` holds real numbers with portable arithmetic."""
    if dtype.kind not in "biuf":
        raise TypeError(
            f"{argument}: dtype {dtype} is not supported; image data must be real numbers "
            f"(accepted dtypes: {ACCEPTED_DTYPES})"
        )
    if dtype.kind == "f" and dtype.itemsize > 8:
        raise TypeError(
            f"{argument}: dtype {dtype} (longdouble) is not supported: its arithmetic differs "
            f"between platforms; convert with .astype(numpy.float64) first"
        )


def tensor_to_numpy(tensor: Any, argument: str = "data_or_path") -> np.ndarray:
    """The NumPy array with the tensor's values, shape and dtype ([input.tensor.dtype]).

    Detached and moved to the CPU first. Floating dtypes NumPy lacks (bfloat16, the float8
    family) are widened to float32, which represents each of their values exactly.
    """
    torch = sys.modules["torch"]
    dtype = tensor.dtype
    if dtype.is_complex:
        raise TypeError(
            f"{argument}: tensor dtype {dtype} is not supported; image data must be real "
            f"numbers (accepted: torch.bool, the torch integer dtypes and the torch "
            f"floating dtypes, e.g. torch.uint8, torch.float32, torch.bfloat16)"
        )
    try:
        plain = tensor.detach().cpu().resolve_neg()
        if dtype.is_floating_point and dtype not in (torch.float16, torch.float32, torch.float64):
            plain = plain.to(torch.float32)
        array = plain.numpy()
    except (TypeError, RuntimeError, NotImplementedError) as error:
        raise TypeError(
            f"{argument}: cannot read a tensor of dtype {dtype}, layout {tensor.layout} on "
            f"device {tensor.device} as numbers ({error}); pass a dense real-valued tensor"
        ) from None
    check_real_dtype(array.dtype, argument)
    return array


def as_numeric_array(data: Any, argument: str = "data_or_path") -> np.ndarray:
    """A plain ndarray view (or tensor conversion) of `data`, with a real dtype checked.

    ndarray subclasses are viewed as plain ndarrays so their overridden operators cannot
    change the arithmetic. Nothing is copied here and nothing is written.
    """
    if is_tensor(data):
        return tensor_to_numpy(data, argument)
    if isinstance(data, np.ndarray):
        array = np.asarray(data)
        check_real_dtype(array.dtype, argument)
        return array
    raise TypeError(
        f"{argument}: expected a numpy.ndarray or a torch.Tensor, got "
        f"{type(data).__module__}.{type(data).__qualname__}"
    )
