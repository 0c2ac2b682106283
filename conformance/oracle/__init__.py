"""An independent evaluator of SPEC.md's pixel rules, used to compute the expected values of cases.

Why it exists: the expected pixels of a case must not come from the implementation the case
judges. This module re-derives them from the clauses alone. Every float operation of a
documented formula is carried out on exact rationals (`fractions.Fraction`) and then rounded
to the input's binary format by an explicit round-to-nearest-even (`arithmetic`), as
[norm.precision] prescribes, so the result shares no arithmetic with NumPy or with
`reference/` (which this module never imports). Integer and bool data are evaluated as exact
mathematics ([norm.integer]); mode conversions use the fixed-point luma of [mode.explicit].

Modules: `arithmetic` (exact rationals, IEEE-754 rounding), `normalize` (the branches),
`image` (layout, modes, file types, size), `errors`. Users: the case generator, fuzz (the
expected values of the cases it writes), the runner (a digest-only mismatch explained) and
docs check (an example's images). It is deliberately simple rather than fast: the distinct
values of an array are evaluated one at a time in Python.

Special values: NaN and the infinities are carried as Python floats, every finite value as a
Fraction. The sign of zero is not kept: no clause makes a pixel depend on it ([norm.bounds]
counts -0.0 as 0, and both truncate to 0).
"""

from wbimage_conformance.oracle.arithmetic import (
                                                   BFLOAT16,
                                                   FLOAT16,
                                                   FLOAT32,
                                                   FLOAT64,
                                                   FORMATS,
                                                   BinaryFormat,
                                                   Number,
                                                   floor_log2,
                                                   round_to_format,
)
from wbimage_conformance.oracle.errors import SpecError, SpecTypeError, SpecValueError
from wbimage_conformance.oracle.image import (
                                                   ACCEPTED_FILE_TYPES,
                                                   ACCEPTED_MODES,
                                                   ENCODED_FORMAT,
                                                   JPEG_FILE_TYPES,
                                                   MAX_DIMENSION,
                                                   Picture,
                                                   check_file_type,
                                                   check_size,
                                                   convert,
                                                   guess_mode,
                                                   image,
                                                   luma,
                                                   to_pixel_layout,
)
from wbimage_conformance.oracle.normalize import (
                                                   DISABLED,
                                                   OTHER,
                                                   SIGNED,
                                                   UNIT,
                                                   branch_of,
                                                   choose_branch,
                                                   exact_value,
                                                   format_of,
                                                   normalize_value,
                                                   to_uint8,
)

__all__ = [
    "ACCEPTED_FILE_TYPES", "ACCEPTED_MODES", "BFLOAT16", "DISABLED", "ENCODED_FORMAT", "FLOAT16", "FLOAT32", "FLOAT64",
    "FORMATS", "JPEG_FILE_TYPES", "MAX_DIMENSION", "OTHER", "SIGNED", "UNIT", "BinaryFormat", "Number", "Picture",
    "SpecError", "SpecTypeError", "SpecValueError", "branch_of", "check_file_type", "check_size", "choose_branch",
    "convert", "exact_value", "floor_log2", "format_of", "guess_mode", "image", "luma", "normalize_value",
    "round_to_format", "to_pixel_layout", "to_uint8",
]
