"""Walking an input array and a new uint8 output together, one cache-sized block at a time.

Evaluating an expression on a whole large array allocates full-size temporaries for every
intermediate result (a 16384x16384x3 float32 image needs gigabytes of them). Evaluated on
blocks small enough to stay in the CPU cache, the same element-wise expression reads the
input from memory once, keeps its temporaries in cache, and needs no memory beyond the
output and a few blocks. NumPy's `nditer` does the walking, so every memory layout
(Fortran order, transposed tensors, negative strides, 0-d, empty) takes the same path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import numpy as np

BLOCK_BYTES = 1024 * 1024
"""Bytes per block of the widest per-element array a block needs (the input, or its scratch
space). Large enough that the few microseconds of Python per block cost little, small enough
that a block and its scratch stay in the L2/L3 cache; on the machine of docs/performance.md,
1 MB beat 256 KB and 512 KB, and 2 MB gained nothing."""

Order = Literal["K", "C"]


def block_elements(bytes_per_element: int, block_bytes: int = BLOCK_BYTES) -> int:
    """How many elements make one block."""
    return max(1, block_bytes // bytes_per_element)


def new_output(data: np.ndarray, order: Order) -> np.ndarray:
    """The uint8 array the blocks are written into: in the input's own memory layout ("K",
    the layout `astype` gives) or C order (what an image library takes without a copy)."""
    return np.empty_like(data, dtype=np.uint8, order=order)


@contextmanager
def block_pairs(data: np.ndarray, out: np.ndarray, elements: int) -> Iterator[np.nditer]:
    """An iterator over (input block, output block) pairs of at most `elements` each, both
    1-D; `reset()` starts it again from the first block.

    Input blocks come in native byte order, so code working on their bits (a float16
    lookup) sees the values. An output block may be a buffer that is copied into `out`
    when the iterator moves on or closes; so write each block completely, and only inside
    the `with`.
    """
    # In the input's memory order (outermost axis first), so the input, the larger of the two,
    # is read sequentially even where the output's layout differs (a channels-first tensor
    # seen channels-last, written into C-order pixels).
    axes = sorted(range(data.ndim), key=lambda axis: -abs(data.strides[axis]))
    iterator = np.nditer(
        [data.transpose(axes), out.transpose(axes)],
        flags=["external_loop", "buffered", "zerosize_ok"],
        op_flags=[["readonly"], ["writeonly"]],
        op_dtypes=[data.dtype.newbyteorder("="), out.dtype],
        order="C",
        buffersize=elements,
    )
    with iterator:
        yield iterator
