"""The documented normalization algorithm ([norm.*]) and `to_uint8` ([to-uint8]).

Float data is evaluated with the documented NumPy expressions themselves, in the input's own
dtype ([norm.precision]); what the docs leave open is made explicit around them: NaN becomes 0
instead of whatever the platform's float-to-uint8 cast gives ([norm.special]), and integer and
bool data use exact arithmetic so that, for example, an int8 mask cannot overflow in `data * 255`
([norm.integer]). The input array is only read; every result is a new array.

How they are applied, so that a large image costs about one pass over memory and little
memory beyond its output: the three ranges nest ([0, 1] inside [-1, 1] inside
everything), so the branch of the whole array is the widest of the branches of its blocks.
An array that fits in one block is evaluated whole, with the expressions as written. A larger
one is read once, block by block (blockwise.py): each block's minimum and maximum are taken,
then the branch found so far writes the block into a preallocated uint8 output, through the
`*_into` form of its expression (the same operations in the same dtype, with the temporary
kept in reused scratch space). A block that widens the branch sends the walk back to the
first block, whose ranges are not taken again; that happens at most twice. So every element
is computed by its final branch's expression, exactly as on the whole array; the property
tests in tests/reference/test_blockwise.py hold the two forms bit-identical. float16 is
mapped through tables instead: NumPy does float16 arithmetic one element at a time through
float32, about ten times slower than a float32 pass, and a float16 has only 65536 bit
patterns, so each branch's expression is evaluated once on all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from wbimage_conformance.reference import blockwise
from wbimage_conformance.reference.arrays import as_numeric_array

Branch = Literal["unit", "signed", "other"]
BRANCHES: tuple[Branch, ...] = ("unit", "signed", "other")
"""Narrowest first: each branch's range holds the ranges of the branches before it."""


def branch_of_range(lo: Any, hi: Any) -> Branch:
    """The branch for data whose minimum is `lo` and maximum `hi` ([norm.range], [norm.bounds]).

    The ranges are closed. NaN makes min and max NaN, so every comparison fails and the
    data takes the "other" branch.
    """
    if lo >= 0 and hi <= 1:
        return "unit"
    if lo >= -1 and hi <= 1:
        return "signed"
    return "other"


def choose_branch(data: np.ndarray) -> Branch:
    """Pick the branch from the minimum and maximum of the whole array. Empty data is
    vacuously inside [0, 1]."""
    if data.size == 0:
        return "unit"
    # .item() gives Python numbers: exact comparisons for every integer width.
    return branch_of_range(data.min().item(), data.max().item())


# -- the documented expressions, as written -------------------------------------------------


def unit(data: np.ndarray) -> np.ndarray:
    """[norm.unit]: `(data * 255).astype(np.uint8)`; data is known to be inside [0, 1]."""
    if data.dtype.kind == "f":
        return (data * 255).astype(np.uint8)
    # bool and integers: the only values are 0 and 1, mapped to 0 and 255 exactly.
    return data.astype(np.uint8) * np.uint8(255)


def signed(data: np.ndarray) -> np.ndarray:
    """[norm.signed]: `(255 * 0.5 * (data + 1)).astype(np.uint8)`; data is inside [-1, 1]."""
    if data.dtype.kind == "f":
        # 255 * 0.5 is the Python float 127.5, so this is 127.5 * (data + 1) in data's dtype.
        return (255 * 0.5 * (data + 1)).astype(np.uint8)
    # Integers: the only values are -1, 0 and 1. 127.5 * (v + 1) truncated is
    # (255 * (v + 1)) // 2, exact in int16: -1 -> 0, 0 -> 127, 1 -> 255.
    return ((data.astype(np.int16) + 1) * 255 // 2).astype(np.uint8)


def clip(data: np.ndarray) -> np.ndarray:
    """[norm.other] and [norm.disabled]: clip to [0, 255], truncate, NaN -> 0."""
    if data.dtype.kind == "b":
        return data.astype(np.uint8)
    if data.dtype.kind in "iu":
        # Bounds in the data's own dtype, so int8 never sees an out-of-range 255.
        upper = min(255, int(np.iinfo(data.dtype).max))
        return np.clip(data, 0, upper).astype(np.uint8)
    # a new array (asarray: on 0-d data, clip gives a scalar); +inf -> 255, -inf -> 0, NaN stays NaN
    clipped = np.asarray(data.clip(0, 255))
    if clipped.size and np.isnan(clipped.min()):  # min is NaN exactly when a NaN is there
        clipped[np.isnan(clipped)] = 0
    return clipped.astype(np.uint8)


EXPRESSIONS: dict[Branch, Callable[[np.ndarray], np.ndarray]] = {"unit": unit, "signed": signed, "other": clip}


# -- the same expressions on one block, written into the output ----------------------------
#
# Each function below performs the operations of the expression above it, in the same order
# and in the same dtype, but keeps its temporaries in `scratch` (reused from block to block)
# and casts into `target` (by the last operation, or by a copy from `scratch`): fresh
# block-sized temporaries would be page-faulted in for every block. The property tests hold
# each pair bit-identical.


def unit_into(block: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
    """`unit(block)` written into `target`."""
    if block.dtype.kind == "f":
        np.multiply(block, 255, out=target, casting="unsafe", dtype=block.dtype)
    else:
        np.copyto(target, block, casting="unsafe")
        np.multiply(target, np.uint8(255), out=target)


def signed_into(block: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
    """`signed(block)` written into `target`; `scratch` is of block's dtype for floats, int16
    for integers."""
    if block.dtype.kind == "f":
        np.add(block, 1, out=scratch)
        # The product in place, then the cast: a multiply that casts into `target` goes
        # through the ufunc's small cast buffers, measured 15% slower for this whole branch.
        np.multiply(255 * 0.5, scratch, out=scratch)
        np.copyto(target, scratch, casting="unsafe")
    else:
        np.copyto(scratch, block, casting="unsafe")
        np.add(scratch, 1, out=scratch)
        np.multiply(scratch, 255, out=scratch)
        np.floor_divide(scratch, 2, out=target, casting="unsafe", dtype=scratch.dtype)


def clip_into(block: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
    """`clip(block)` written into `target`; `scratch` is of block's dtype."""
    if block.dtype.kind == "b":
        np.copyto(target, block, casting="unsafe")
    elif block.dtype.kind in "iu":
        upper = min(255, int(np.iinfo(block.dtype).max))
        np.clip(block, 0, upper, out=target, casting="unsafe", dtype=block.dtype)
    elif np.isnan(block.min()):  # NaN makes the minimum NaN
        np.clip(block, 0, 255, out=scratch)
        scratch[np.isnan(scratch)] = 0
        np.copyto(target, scratch, casting="unsafe")
    else:
        np.clip(block, 0, 255, out=target, casting="unsafe", dtype=block.dtype)


BLOCK_EXPRESSIONS: dict[Branch, Callable[[np.ndarray, np.ndarray, np.ndarray], None]] = {
    "unit": unit_into, "signed": signed_into, "other": clip_into,
}


def block_branch(block: np.ndarray) -> Branch:
    """The branch of one non-empty block, from its minimum and maximum; a minimum below -1
    (or NaN) decides without the maximum."""
    lo = block.min().item()
    if not lo >= -1:
        return "other"
    return branch_of_range(lo, block.max().item())


# -- float16: every bit pattern evaluated once ------------------------------------------------


@functools.cache
def half_tables() -> tuple[np.ndarray, dict[Branch, np.ndarray]]:
    """Indexed by a float16's bit pattern: the index in BRANCHES of the value's own branch,
    and per branch the pixel its expression gives (0 where the value is outside the branch's
    range, which the walk never looks up)."""
    values = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    own = np.array([BRANCHES.index(branch_of_range(v, v)) for v in values.tolist()], np.uint8)
    pixels = {}
    for rank, branch in enumerate(BRANCHES):
        inside = own <= rank
        table = np.zeros(1 << 16, np.uint8)
        table[inside] = EXPRESSIONS[branch](values[inside])
        pixels[branch] = table
    return own, pixels


# -- walking the blocks -------------------------------------------------------------------------


class _Kernel:
    """What the walk does with one block of one dtype: find its branch, write its pixels.
    Holds the scratch space the block expressions reuse."""

    def __init__(self, dtype: np.dtype, elements: int) -> None:
        self._dtype = dtype.newbyteorder("=")  # blocks come in native byte order
        self._elements = elements
        self._scratch: dict[Branch, np.ndarray] = {}  # made when a branch is first written

    def branch(self, block: np.ndarray) -> Branch:
        return block_branch(block)

    def write(self, branch: Branch, block: np.ndarray, target: np.ndarray) -> None:
        scratch = self._scratch.get(branch)
        if scratch is None:
            integer_signed = branch == "signed" and self._dtype.kind in "biu"  # see signed()
            scratch = np.empty(self._elements, np.int16 if integer_signed else self._dtype)
            self._scratch[branch] = scratch
        BLOCK_EXPRESSIONS[branch](block, target, scratch[: block.size])


class _HalfKernel:
    """float16 blocks, mapped through `half_tables` by bit pattern."""

    def __init__(self, dtype: np.dtype, elements: int) -> None:
        self._own, self._pixels = half_tables()
        self._index = np.empty(elements, np.intp)  # np.take would convert uint16 indices anew per block
        self._ranks = np.empty(elements, np.uint8)

    def _bits(self, block: np.ndarray) -> np.ndarray:
        index = self._index[: block.size]
        np.copyto(index, block.view(np.uint16), casting="unsafe")
        return index

    def branch(self, block: np.ndarray) -> Branch:
        ranks = np.take(self._own, self._bits(block), out=self._ranks[: block.size], mode="clip")
        return BRANCHES[int(ranks.max())]

    def write(self, branch: Branch, block: np.ndarray, target: np.ndarray) -> None:
        np.take(self._pixels[branch], self._bits(block), out=target, mode="clip")


def _widest(a: Branch, b: Branch) -> Branch:
    return a if BRANCHES.index(a) >= BRANCHES.index(b) else b


def normalize_array(
    data: np.ndarray,
    enabled: bool = True,
    *,
    order: blockwise.Order = "K",
    block_elements: int | None = None,
) -> np.ndarray:
    """The uint8 pixels for a real-valued array of any shape ([norm.applies], [norm.disabled]).

    `order` is the output's memory layout: "K" keeps the input's (as `astype` does), "C" is
    what PIL takes without copying. An array that fits in one block is evaluated whole with
    the documented expressions; larger ones block by block. `block_elements` overrides the
    block size (tests use tiny blocks to put many block boundaries in small arrays).
    """
    half = data.dtype == np.float16
    widest = np.dtype(np.intp).itemsize if half else data.dtype.itemsize  # float16: the index scratch
    elements = block_elements or blockwise.block_elements(widest)
    if data.size <= elements and not half:
        pixels = EXPRESSIONS[choose_branch(data) if enabled else "other"](data)
        return np.asarray(pixels, order=order)  # asarray: a 0-d result comes back as a scalar
    kernel = (_HalfKernel if half else _Kernel)(data.dtype, elements)
    out = blockwise.new_output(data, order)
    branch: Branch = "unit" if enabled else "other"
    checked = 0  # blocks before this one are known to be inside `branch`
    with blockwise.block_pairs(data, out, elements) as pairs:
        while True:
            for index, (block, target) in enumerate(pairs):
                if index >= checked and branch != "other":  # nothing is wider than "other"
                    checked = index + 1
                    widened = _widest(branch, kernel.branch(block))
                    if widened != branch:
                        branch = widened
                        if index > 0:
                            break  # the blocks before were written with a narrower branch
                kernel.write(branch, block, target)
            else:
                return out
            pairs.reset()


def to_uint8(data: Any) -> np.ndarray:
    """Convert image data to uint8 with the normalization algorithm ([to-uint8]).

    Accepts an array (or a tensor) of any shape, including 0-d and empty, and returns a
    uint8 array of the same shape: no layout change, no mode. Unlike `Image`, it does not
    insist on an image shape, because the docs describe it as a pure dtype conversion.
    """
    return normalize_array(as_numeric_array(data, argument="data"))
