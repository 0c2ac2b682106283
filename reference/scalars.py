"""Numbers inside `classes`, `boxes` and `masks`: which objects count, and their plain value.

[annotations.numbers]: where a number goes, the caller may hand over a Python `int` or
`float`, a NumPy integer or floating scalar, a 0-d ndarray, or a 0-d tensor. Each becomes the
plain `int` or `float` of the same value, so what an implementation writes to JSON does not
depend on the library the number came from. `bool` is never a number here: `True` as a class
id or a coordinate is a mistake, not a 1.

Also here: `describe`, the one way these modules name a wrong value's type in a message.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from wbimage_conformance.reference.arrays import is_tensor, tensor_to_numpy

NUMBER_KINDS = "an int, a float, a NumPy integer or floating scalar, or a 0-d array or tensor"


def describe(value: Any) -> str:
    """`int 3`, `str 'a'`, `numpy.float32 0.5`, `torch.Tensor of shape (2,)`: type and value."""
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    if is_tensor(value) or isinstance(value, np.ndarray):
        return f"{name} of shape {tuple(value.shape)}"
    text = repr(value)
    return f"{name} {text if len(text) <= 60 else text[:57] + '...'}"


def plain_number(value: Any, where: str) -> int | float:
    """The plain int or float `value` stands for; TypeError naming `where` for anything else."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: expected a number, got {describe(value)}; a bool is not a number here")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating) and np.dtype(type(value)).itemsize <= 8:
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return plain_number(value[()], where)
    if is_tensor(value) and value.dim() == 0:
        return plain_number(tensor_to_numpy(value, where)[()], where)
    raise TypeError(f"{where}: expected a number ({NUMBER_KINDS}), got {describe(value)}")


def finite_number(value: Any, where: str) -> int | float:
    """A plain number that is not NaN or infinite (ValueError otherwise)."""
    number = plain_number(value, where)
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{where}: {number!r} is not a finite number")
    return number


def class_id(value: Any, where: str) -> int:
    """[classes.id]: a non-negative whole number given as an integer type."""
    number = plain_number(value, where)
    if isinstance(number, float):
        raise TypeError(f"{where}: a class id is an integer, got {describe(value)}")
    if number < 0:
        raise ValueError(f"{where}: class id {number} is negative; class ids are 0 or more")
    return number
