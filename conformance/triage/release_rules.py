"""Causes of the deviations of wandb releases, trackio and swanlab, one rule per cause.

Rules are tried in order; the first whose test holds gives the cause and the clause broken
(`None`: the case's own first clause, for causes that break whatever the case checks, such
as a dtype the class refuses). Pixel rules check their model against the observation (see
explain.reproduces), so a cause is only claimed where it reproduces the observed values.
"""

from __future__ import annotations

import re

import numpy as np

from wbimage_conformance import oracle
from wbimage_conformance.model import Status
from wbimage_conformance.triage import make_grid
from wbimage_conformance.triage.release_explain import (
    Context,
    Rule,
    bare_cast,
    clip_cast,
    jpeg_round_trip,
    minmax_then_unit,
    range_division,
    reproduces,
    version_tuple,
)

# -- small tests ------------------------------------------------------------------------------


def raised(ctx: Context, name: str, pattern: str = "") -> bool:
    return ctx.error == name and pattern.lower() in ctx.message.lower()


def case_is(ctx: Context, *prefixes: str) -> bool:
    return ctx.case.id.startswith(prefixes)


def explicit_mode(ctx: Context) -> bool:
    return bool(ctx.kwargs.get("mode"))


def jpeg_call(ctx: Context) -> bool:
    return str(ctx.file_type() or "").lower() in ("jpg", "jpeg") or ctx.obs.encoded == "jpeg"


def channels(ctx: Context) -> int | None:
    if ctx.data is None:
        return None
    data = np.asarray(ctx.data)
    return data.shape[-1] if data.ndim == 3 else 1


def has_unit_axis(ctx: Context) -> bool:
    return ctx.data is not None and 1 in np.asarray(ctx.data).shape


def shape_changed(ctx: Context) -> bool:
    for m in ctx.result.mismatches:
        if m.field == "pixels" and isinstance(m.expected, np.ndarray) and m.actual is not None:
            return np.asarray(m.actual).shape != m.expected.shape
    return "size" in ctx.fields


_CLAUSE_OF_BRANCH = {oracle.UNIT: "norm.unit", oracle.SIGNED: "norm.signed", oracle.OTHER: "norm.other",
                     oracle.DISABLED: "norm.disabled"}


def spec_branch(ctx: Context) -> str:
    """The normalization clause the spec applies to the case's data (the branch rule is the
    oracle's): the one a different normalization breaks. NaN and infinities are their own
    clause, [norm.special], whatever branch they land in."""
    data = np.asarray(ctx.data)
    normalize = ctx.kwargs.get("normalize") is not False
    if normalize and data.dtype.kind == "f" and not np.isfinite(data).all():
        return "norm.special"
    return _CLAUSE_OF_BRANCH[oracle.branch_of(data, normalize=normalize)]


def source_kind(ctx: Context) -> str:
    """The kind of the data inside: for Image(other), what `other` was made from."""
    return ctx.source.get("kind", ctx.kind)


def layout_clause(ctx: Context) -> str:
    return "input.tensor.layout" if source_kind(ctx) == "tensor" else "input.array.layout"


def squeeze_text(ctx: Context) -> str:
    if source_kind(ctx) == "tensor":
        return ("the mode is guessed from the tensor's channels, then size-1 axes of the permuted array are "
                "squeezed away and the squeezed array is converted to that mode")
    return "size-1 axes are squeezed away before the mode is guessed, so the image changes shape"


def pillow(ctx: Context) -> str:
    return f"Pillow {ctx.pillow}"


def scrambled_by_fromarray(ctx: Context) -> bool:
    """Pillow 12's fromarray(rgba, mode='RGB') reads the 4-byte pixels as 3-byte ones."""
    if ctx.data is None or ctx.obs.pixels is None:
        return False
    data = np.ascontiguousarray(np.asarray(ctx.data).astype(np.uint8))
    height, width = data.shape[:2]
    made = np.frombuffer(data.tobytes()[: height * width * 3], np.uint8).reshape(height, width, 3)
    return bool(np.array_equal(made, np.asarray(ctx.obs.pixels)))


def jpeg_of_expected(ctx: Context) -> bool:
    for m in ctx.result.mismatches:
        if m.field == "pixels" and isinstance(m.expected, np.ndarray):
            trip = jpeg_round_trip(m.expected)
            return trip is not None and np.array_equal(trip, np.asarray(ctx.obs.pixels))
    return False


def jpeg_cause(ctx: Context) -> str:
    base = "pixels are decoded again from the JPEG file written, so they carry its compression loss"
    if jpeg_of_expected(ctx):
        base += " (exactly a JPEG round trip of the spec's pixels)"
    return base


# -- tensors drawn with torchvision's make_grid (wandb before 0.20.0, swanlab) --------------------


def grid_dtype(ctx: Context, uint8_as_float: bool) -> str:
    """The dtype make_grid works in: the tensor's, but wandb turns uint8 into float64 first."""
    dtype = str(ctx.source.get("dtype") or np.asarray(ctx.given).dtype)
    return "float64" if uint8_as_float and dtype == "uint8" else dtype


def drawn_by_make_grid(ctx: Context, uint8_as_float: bool = True) -> bool:
    """The observed pixels are make_grid's (triage.make_grid's model of it), exactly or after
    the JPEG file's compression loss."""
    if source_kind(ctx) != "tensor" or ctx.given is None or ctx.obs.pixels is None or ctx.obs.raised:
        return False
    made = make_grid.pixels(np.asarray(ctx.given), grid_dtype(ctx, uint8_as_float))
    observed = np.asarray(ctx.obs.pixels)
    if made is None:
        return False
    if made.shape == observed.shape and np.array_equal(made, observed):
        return True
    trip = jpeg_round_trip(made) if jpeg_call(ctx) else None
    return trip is not None and trip.shape == observed.shape and bool(np.array_equal(trip, observed))


def one_channel(ctx: Context) -> bool:
    given = np.asarray(ctx.given)
    return given.ndim == 2 or (given.ndim in (3, 4) and given.shape[-3] == 1)


def grid_rescale_text(who: str, uint8_as_float: bool = True) -> str:
    """How make_grid(normalize=True) rescales a tensor, in the words of the cause."""
    converted = "uint8 as float64" if uint8_as_float else "uint8 too"
    return (f"tensors are min-max rescaled by make_grid(normalize=True) ({who}): from the minimum and maximum "
            f"of all their values, channels together, in their own dtype ({converted}), then x255 and truncated")


def grid_rules(who: str, uint8_as_float: bool, mode_ignored_by: str = "") -> list[Rule]:
    """What drawing a tensor with `make_grid(t, normalize=True)`, then
    `.mul(255).clamp(0, 255).byte()`, does to the cases (torchvision's documented behaviour,
    each pixel rule checked against the observation with triage.make_grid). Each title starts
    with what the reader sees, so that no two share the words a cause's id is made of. `who`
    names the releases drawing so; `mode_ignored_by` those among them that drop mode= for
    tensors (wandb hands it to fromarray from 0.19.9 on), by default all of them."""
    mode_ignored_by = mode_ignored_by or who
    integers = "integer and bool tensors" if uint8_as_float else "integer (uint8 too) and bool tensors"
    return [
        Rule(None, f"{integers} fail in make_grid ({who}), which rescales in place in the tensor's own dtype: "
                   "torch cannot store the float result in it",
             lambda c: source_kind(c) == "tensor" and raised(c, "RuntimeError", "can't be cast to the desired output type")),
        Rule(None, f"uint16, complex, sparse and meta tensors fail in make_grid ({who}): torch takes no minimum of them, "
                   "and its own error is raised, not a TypeError naming data_or_path",
             lambda c: source_kind(c) == "tensor" and c.obs.raised
             and re.search(r'"min_all" not implemented|aten::min|cannot be called on meta', c.message) is not None),
        Rule("mode.explicit", f"mode= is not applied to tensors ({mode_ignored_by}): make_grid's pixels go to "
                              "PIL.Image.fromarray without it",
             lambda c: explicit_mode(c) and "mode" in c.fields and drawn_by_make_grid(c, uint8_as_float)),
        Rule("input.tensor.layout", f"batches and 2-channel tensors are accepted by make_grid ({who}): a batch becomes one "
                                    "grid image (8 to a row, 2 black pixels around each) and 2 channels an LA image",
             lambda c: "error" in c.fields and not c.obs.raised and "input.tensor.layout" in c.case.clauses
             and drawn_by_make_grid(c, uint8_as_float)),
        Rule("input.tensor.layout", f"1-channel and 2-D tensors come out RGB: make_grid ({who}) repeats them into 3 "
                                    "channels, their values rescaled as every tensor's",
             lambda c: bool(c.fields & {"mode", "pixels", "size"}) and "error" not in c.fields and one_channel(c)
             and drawn_by_make_grid(c, uint8_as_float)),
        Rule(spec_branch, grid_rescale_text(who, uint8_as_float),
             lambda c: "error" not in c.fields and drawn_by_make_grid(c, uint8_as_float)),
    ]


# -- annotations (classes, boxes, masks, all_boxes, all_masks) ------------------------------------

ANNOTATION_FAMILIES = ("classes", "boxes", "masks", "all-boxes", "all-masks", "annotations")


def annotation_case(ctx: Context) -> bool:
    return ctx.case.family in ANNOTATION_FAMILIES


def annotation_clause(ctx: Context) -> str:
    """The clause about the malformed value (the case's first), not annotations.errors."""
    return ctx.case.clauses[0]


def annotation_text(ctx: Context) -> str:
    return ctx.message + " " + ctx.result.message


ANNOTATION_RULES = [
    Rule("masks.data", lambda c: f"the mask image is built with PIL.Image.fromarray and a mode that does not fit the mask array, "
                                 f"which {pillow(c)} refuses",
         lambda c: annotation_case(c) and re.search(r"Invalid mode for data type|buffer is not large|not enough image data",
                                                    annotation_text(c)) is not None),
    Rule("masks.data", "tensor masks are used as arrays without conversion and fail on a missing NumPy method",
         lambda c: annotation_case(c) and "'Tensor' object has no attribute 'astype'" in annotation_text(c)),
    Rule("annotations.numbers", "tensor numbers in boxes are kept as tensors, so writing the boxes as JSON fails",
         lambda c: annotation_case(c) and "Object of type Tensor is not JSON serializable" in annotation_text(c)),
    Rule("annotations.numbers", "NumPy and tensor numbers in annotations are refused by checks that accept only Python numbers",
         lambda c: annotation_case(c) and c.obs.raised and c.expected_error is None
         and re.search(r"must be an integer|must contain a position|unhashable type", c.message + c.result.message) is not None),
    Rule("annotations.numbers", "NumPy and tensor numbers in annotations are refused by checks that accept only Python numbers",
         lambda c: annotation_case(c) and "could not be set up" in c.result.message
         and re.search(r"must be an integer|must contain a position", c.result.message) is not None),
    Rule(annotation_clause, "the caller's annotation arguments are changed in place (the dictionaries passed in are modified)",
         lambda c: annotation_case(c) and "input" in c.fields and c.fields <= {"input", "error", "error.type", "error.match"}
         and ("error" not in c.fields or not c.obs.raised)),
    Rule(annotation_clause, "a malformed annotation is accepted without an error",
         lambda c: annotation_case(c) and "error" in c.fields and not c.obs.raised),
    Rule(annotation_clause, "a malformed annotation is refused, but not with the error the spec gives (its type, and a message "
                            "that starts with the path to the offending value)",
         lambda c: annotation_case(c) and not c.fields.isdisjoint({"error.type", "error.match"})),
    Rule("masks.path", "an int mask path is handed to open(), which takes it as a file descriptor; in the worker "
                       "descriptor 3 is a pipe that stays open, so reading it blocks until the time limit",
         lambda c: c.result.status is Status.TIMEOUT and isinstance(((c.kwargs.get("masks") or {}).get("truth") or {}).get("path"), int)),
    Rule(annotation_clause, "a malformed annotation makes the call hang",
         lambda c: annotation_case(c) and c.result.status is Status.TIMEOUT),
]

# -- causes shared by every wandb release --------------------------------------------------------

WANDB_COMMON = [
    *ANNOTATION_RULES,
    Rule("all-captions", "all_captions looks only at the first image, so an empty list raises",
         lambda c: c.api == "all_captions" and raised(c, "IndexError")),
    Rule("all-captions", "all_captions returns False when the first image has no caption, whatever the others have",
         lambda c: c.api == "all_captions" and c.fields == {"value"}),
    Rule("input.tensor.dtype", "bfloat16 tensors are converted with .numpy(), which has no bfloat16",
         lambda c: raised(c, "TypeError", "BFloat16")),
    Rule("norm.integer", "int8 data in [0, 1] is multiplied by 255 in int8, which NumPy 2 refuses",
         lambda c: raised(c, "OverflowError", "out of bounds for int8")),
    Rule("input.tensor.layout", "tensors are permuted with (1, 2, 0), which needs exactly three axes",
         lambda c: raised(c, "RuntimeError", "permute")),
    Rule(None, "size-1 axes are squeezed away before anything else, leaving a 0-d array whose shape cannot be indexed",
         lambda c: raised(c, "IndexError", "tuple index out of range") and c.api == "Image"),
    Rule("input.path", "a pathlib.Path is not recognised as a path and is treated as an array",
         lambda c: raised(c, "AttributeError", "PosixPath")),
    Rule("input.unsupported", "anything that is not a path, PIL image or Image is handled as an array and fails on a missing attribute",
         lambda c: c.error == "AttributeError" and case_is(c, "input-data-unsupported", "input-path-as-")),
    Rule("input.tensor.dtype", "a sparse or meta tensor is converted with .numpy(), which fails with torch's own error, "
                               "not a TypeError naming data_or_path",
         lambda c: case_is(c, "input-data-tensor-unreadable") and not c.fields.isdisjoint({"error.type", "error.match"})),
    Rule("input.pil", "a PIL image whose pixels cannot be read fails inside PIL with OSError, not ValueError",
         lambda c: raised(c, "OSError", "truncated") and c.kind == "pil"),
    Rule("input.path", "a file that opens as an image but does not decode fails inside PIL with OSError, not ValueError",
         lambda c: raised(c, "OSError", "truncated") and case_is(c, "input-path")),
    Rule("classes.form", "classes given to a copy are read as a list of entries without a check, and a dict fails with "
                         "Python's own TypeError, whose message does not start with 'classes'",
         lambda c: case_is(c, "input-image-copy-new-classes") and c.fields == {"error.match"}),
    Rule("api.classmethods", "guess_mode is a plain method, so calling it on the class leaves out an argument",
         lambda c: c.api == "guess_mode" and c.case.call.get("name") == "on-class" and c.error == "TypeError"),
    Rule("mode.explicit", "a mode that is not a str is handed to PIL's convert, which refuses it with a message that does not name mode",
         lambda c: case_is(c, "mode-not-a-str") and c.fields == {"error.match"}),
    Rule("mode.guess", "guess_mode reads .ndim of whatever it is given, so data that is not an array fails with AttributeError",
         lambda c: c.api == "guess_mode" and raised(c, "AttributeError", "ndim")),
    Rule("mode.guess", "guess_mode refuses the shape with a message that does not name data",
         lambda c: c.api == "guess_mode" and c.fields == {"error.match"}),
    Rule("input.path", "a missing or undecodable path raises the underlying error, not ValueError",
         lambda c: c.error in ("FileNotFoundError", "UnidentifiedImageError") and case_is(c, "input-path")),
    Rule("input.pil", "a PIL mode the file type cannot store fails inside the encoder with OSError, not ValueError",
         lambda c: raised(c, "OSError", "cannot write mode") and c.kind == "pil" and "RGBA" not in c.message),
    Rule("mode.jpeg-alpha", "RGBA data with a JPEG file type fails inside the encoder with OSError, not ValueError",
         lambda c: raised(c, "OSError", "cannot write mode RGBA as JPEG")),
    Rule("limits.max-dimension", "MAX_DIMENSION is never enforced",
         lambda c: case_is(c, "limits-max-dimension") and "error" in c.fields),
    Rule("input.empty", "empty data is not detected; it fails later with another message",
         lambda c: case_is(c, "input-data-empty") and not c.fields.isdisjoint({"error.type", "error.match"})),
    Rule("input.array.dtype", "data of a non-real dtype is converted without a TypeError",
         lambda c: case_is(c, "input-data-dtype") and c.fields == {"error"}),
    Rule("input.array.dtype", "data of a non-real dtype fails inside NumPy, with a message that does not name data_or_path",
         lambda c: case_is(c, "input-data-dtype") and c.fields == {"error.match"}),
    Rule("norm.disabled", "normalize is not type-checked; any value is taken for its truth",
         lambda c: case_is(c, "input-data-normalize") and c.fields == {"error"}),
    Rule("file-type.accepted", "an empty file_type is taken as no file_type",
         lambda c: c.file_type() == "" and c.fields == {"error"}),
    Rule("file-type.accepted", "an unaccepted file_type is refused with a message that lists the accepted ones but not the value given",
         lambda c: case_is(c, "file-type-invalid") and c.fields == {"error.match"}),
    Rule("mode.explicit", "an empty mode is taken as no mode", lambda c: c.kwargs.get("mode") == "" and c.fields == {"error"}),
    Rule("mode.explicit", "an unknown mode is refused by Pillow with a message that does not name it",
         lambda c: case_is(c, "mode-invalid") and not c.fields.isdisjoint({"error.match", "error.type"})),
    Rule("mode.explicit", "a PIL mode other than L, RGB and RGBA gives neither an image of that mode nor an error naming it",
         lambda c: case_is(c, "mode-pil")),
    Rule("mode.guess", "guess_mode accepts shapes the spec rejects",
         lambda c: c.api == "guess_mode" and c.fields == {"error"}),
    Rule("mode.guess", "guess_mode indexes the shape before checking the number of axes",
         lambda c: c.api == "guess_mode" and c.error == "IndexError"),
    Rule(layout_clause, "size-1 axes are squeezed away, and the squeezed shape is accepted",
         lambda c: case_is(c, "input-layout-array-reject", "input-layout-tensor-reject") and c.fields == {"error"}),
    Rule(layout_clause, "a rejected shape fails with a message that does not name data_or_path, or not the shape given",
         lambda c: case_is(c, "input-layout-array-reject", "input-layout-tensor-reject") and not c.fields.isdisjoint({"error.match", "error.type"})),
    Rule("input.image", "Image(other, caption=...) keeps the copied caption and ignores the new one",
         lambda c: c.kind == "image" and "caption" in c.fields),
    Rule("file-type.encoding", jpeg_cause,
         lambda c: jpeg_call(c) and c.fields == {"pixels"} and not shape_changed(c)),
    Rule("file-type.encoding", "pixels are decoded again from the BMP file written, which keeps no alpha",
         lambda c: str(c.file_type()) == "bmp" and "mode" in c.fields and c.obs.mode == "RGB"),
]


def squeeze_rules() -> list[Rule]:
    return [
        Rule(layout_clause, squeeze_text, lambda c: has_unit_axis(c) and shape_changed(c)),
    ]


def fromarray_mode_rules() -> list[Rule]:
    """0.19.x to 0.23.0 build the picture with PIL.Image.fromarray(data, mode=mode) (0.23.1 converts
    instead: fromarray(data).convert(mode)); Pillow decides what a mode that does not fit does."""
    return [
        Rule(layout_clause, lambda c: f"the Image passed in cannot be built: its size-1 axes are squeezed away and the guessed mode "
                                      f"no longer fits the squeezed array, which {pillow(c)}'s fromarray refuses",
             lambda c: "could not be set up" in c.result.message and has_unit_axis(c)),
        Rule("input.pil", "Pillow 12 still writes mode I as PNG (deprecated), so no error is raised",
             lambda c: c.kind == "pil" and c.pillow.startswith("12") and c.fields == {"error"}
             and str(c.obs.mode or "").startswith("I")),
        Rule("mode.explicit", lambda c: f"mode= is handed to PIL.Image.fromarray instead of converting, and {pillow(c)} refuses a mode that does not fit the array",
             lambda c: c.obs.raised and explicit_mode(c) and c.pillow.startswith("13") and "Invalid mode" in c.message),
        Rule("mode.explicit", lambda c: f"mode= is handed to PIL.Image.fromarray instead of converting, and {pillow(c)} refuses a mode that is not a str "
                                        f"with a message that does not name mode",
             lambda c: case_is(c, "mode-not-a-str") and c.fields == {"error.match"}),
        Rule("mode.explicit", lambda c: f"mode= is handed to PIL.Image.fromarray instead of converting, and {pillow(c)} cannot reinterpret the array's bytes in that mode",
             lambda c: c.obs.raised and explicit_mode(c) and c.error == "ValueError"),
        Rule("mode.explicit", lambda c: f"mode= is handed to PIL.Image.fromarray instead of converting; {pillow(c)} reads the 4-byte RGBA pixels as 3-byte RGB ones",
             lambda c: explicit_mode(c) and c.pillow.startswith("12") and channels(c) == 4 and (scrambled_by_fromarray(c) or jpeg_call(c))),
        Rule("mode.jpeg-alpha", lambda c: f"4-channel data with a JPEG file type gets the guessed mode RGB, handed to PIL.Image.fromarray with RGBA data, which {pillow(c)} refuses",
             lambda c: c.obs.raised and c.error == "ValueError" and jpeg_call(c) and channels(c) == 4),
        Rule("mode.jpeg-alpha", lambda c: f"4-channel data with a JPEG file type gets the guessed mode RGB, handed to PIL.Image.fromarray; {pillow(c)} reads the 4-byte pixels as 3-byte ones",
             lambda c: jpeg_call(c) and channels(c) == 4 and c.pillow.startswith("12")),
        Rule(layout_clause, lambda c: f"size-1 axes are squeezed away and the guessed mode no longer fits the squeezed array, which {pillow(c)}'s fromarray refuses",
             lambda c: c.obs.raised and has_unit_axis(c) and c.error == "ValueError"),
    ]


# -- per release ---------------------------------------------------------------------------------

# The words of the causes that change pixels, shared with the upgrade impact's release models
# (impact/models.py), so a deviation and an upgrade's change are explained the same way.
NO_NORMALIZE_YET = "there is no normalize parameter yet (added in 0.20.0)"
NORMALIZE_REMOVED = "the normalize parameter was removed in 0.29.0"
MINMAX_0198 = ("data with negatives is min-max rescaled and data with maximum <= 1 multiplied by 255 (in the input's "
               "dtype), instead of the three documented branches")
RANGE_DIVISION_0200 = ("every input is divided by its range (after shifting negatives to 0) and multiplied by 255 when "
                       "the maximum is then <= 1, so data whose minimum is above 0 comes out near-black and data with "
                       "minimum 0 is stretched")
WRAPS_WHEN_DISABLED_TEXT = ("normalize=False is a bare astype(uint8), so values wrap modulo 256 and NaN/inf become 0 "
                            "instead of being clipped")
NO_NORMALIZATION_0290 = ("there is no normalization since 0.29.0: a bare astype(uint8), so floats are truncated "
                         "(values in [0, 1] become 0 or 1) and out-of-range values wrap")

NO_NORMALIZE_KEYWORD_0198 = Rule("api.signature", NO_NORMALIZE_YET,
                                 lambda c: raised(c, "TypeError", "unexpected keyword argument 'normalize'"))
NO_NORMALIZE_KEYWORD_0290 = Rule("api.signature", NORMALIZE_REMOVED,
                                 lambda c: raised(c, "TypeError", "unexpected keyword argument 'normalize'"))
NO_TO_UINT8 = Rule("to-uint8", "Image.to_uint8 was removed in 0.20.0", lambda c: raised(c, "AttributeError", "to_uint8"))
WRAPS_WHEN_DISABLED = Rule(
    "norm.disabled", WRAPS_WHEN_DISABLED_TEXT,
    lambda c: c.kwargs.get("normalize") is False and reproduces(bare_cast, c))

RULES_0198 = [
    NO_NORMALIZE_KEYWORD_0198,
    Rule(None, "the offline run that all_boxes and all_masks need does not start: 0.19.0's settings class fails "
               "with Pydantic 2.14 (SettingsStatic has no attribute __pydantic_private__)",
         lambda c: c.api in ("all_boxes", "all_masks") and raised(c, "AttributeError", "__pydantic_private__")),
    *grid_rules("wandb before 0.20.0", uint8_as_float=True, mode_ignored_by="wandb before 0.19.9"),
    Rule("input.dispatch", "tensors are drawn with torchvision's make_grid, and torchvision does not import in the worker's "
                           "environment, so every tensor raises",
         lambda c: "torchvision is required" in c.message or "torchvision is required" in c.result.message),
    Rule("annotations.numbers", "the boxes' JSON encoder turns a NumPy number into a Python float and then hands it to "
                                "JSONEncoder.default, which refuses everything, so the boxes cannot be written (before 0.19.7)",
         lambda c: annotation_case(c) and "Object of type float is not JSON serializable" in annotation_text(c)),
    Rule("api.signature", "the constructor has no normalize parameter (added in 0.20.0)",
         lambda c: c.api == "signature"),
    Rule("mode.guess", "guess_mode has no file_type parameter before 0.19.9", lambda c: raised(c, "TypeError", "file_type")),
    Rule("mode.guess", "guess_mode reads the channel count from the last axis for tensors too",
         lambda c: c.api == "guess_mode" and c.fields == {"value"}),
    Rule("mode.guess", "guess_mode rejects (H, W, 1) arrays and (C, H, W) tensors",
         lambda c: c.api == "guess_mode" and raised(c, "ValueError", "Un-supported shape")),
    Rule("file-type.accepted", "file_type is checked with assert, after the image is built",
         lambda c: c.error == "AssertionError" and "file_type" in c.message),
    Rule("input.empty", "to_uint8 takes the minimum of the data, which fails on an empty array",
         lambda c: c.api == "to_uint8" and raised(c, "ValueError", "zero-size")),
    Rule("to-uint8", "to_uint8 returns a NumPy scalar for 0-d input",
         lambda c: c.api == "to_uint8" and "expected a uint8 array" in c.result.message),
    Rule("to-uint8", "to_uint8 calls array methods on whatever it is given, so a list fails with AttributeError",
         lambda c: c.api == "to_uint8" and raised(c, "AttributeError", "has no attribute")),
    Rule("to-uint8", "to_uint8 casts complex data to real (NumPy's ComplexWarning) instead of refusing it",
         lambda c: c.api == "to_uint8" and not c.obs.raised and c.expected_error == "TypeError"
         and "ComplexWarning" in " ".join(c.result.observation.notes if c.result.observation else ())),
    *fromarray_mode_rules(),
    *WANDB_COMMON,
    *squeeze_rules(),
    Rule(spec_branch, MINMAX_0198, lambda c: reproduces(minmax_then_unit, c)),
]

RULES_0200 = [
    NO_TO_UINT8,
    Rule("norm.integer", "bool data reaches a subtraction, which NumPy refuses for booleans",
         lambda c: raised(c, "TypeError", "boolean subtract")),
    *fromarray_mode_rules(),
    *WANDB_COMMON,
    *squeeze_rules(),
    WRAPS_WHEN_DISABLED,
    Rule(spec_branch, RANGE_DIVISION_0200, lambda c: reproduces(range_division, c)),
]

RULES_0201 = [
    NO_TO_UINT8,
    *fromarray_mode_rules(),
    *WANDB_COMMON,
    *squeeze_rules(),
    WRAPS_WHEN_DISABLED,
]

RULES_0282 = [
    NO_TO_UINT8,
    *WANDB_COMMON,
    Rule(layout_clause, squeeze_text, lambda c: has_unit_axis(c) and shape_changed(c)),
    WRAPS_WHEN_DISABLED,
    Rule("mode.explicit", "the explicit mode is applied after the squeeze, to a differently shaped image",
         lambda c: explicit_mode(c) and has_unit_axis(c)),
]

RULES_0290 = [
    NO_NORMALIZE_KEYWORD_0290,
    NO_TO_UINT8,
    Rule("api.signature", "the constructor lost its normalize parameter in 0.29.0", lambda c: c.api == "signature"),
    Rule("input.empty", "empty data reaches PIL, which refuses to write an empty image",
         lambda c: case_is(c, "input-data-empty") and "cannot write empty image" in c.message),
    *WANDB_COMMON,
    Rule(layout_clause, squeeze_text, lambda c: has_unit_axis(c) and shape_changed(c)),
    Rule(spec_branch, NO_NORMALIZATION_0290, lambda c: reproduces(bare_cast, c)),
]


def wandb_rules(version: tuple[int, ...]) -> list[Rule]:
    """The rules of the measured release a version behaves like. The release history
    (docs/history.md) puts the bounds: 0.21.0 - 0.23.0 give 0.20.1's status on every case, and
    0.23.1 - 0.28.1 give 0.28.2's."""
    if version < (0, 20, 0):
        return RULES_0198
    if version < (0, 20, 1):
        return RULES_0200
    if version < (0, 23, 1):
        return RULES_0201
    if version < (0, 29):
        return RULES_0282
    return RULES_0290


# -- trackio and swanlab --------------------------------------------------------------------------

RULES_TRACKIO = [
    Rule("input.path", "trackio refuses a missing path with a message that does not name data_or_path",
         lambda c: case_is(c, "input-path-missing") and c.fields == {"error.match"}),
    Rule("input.pil", "trackio wraps PIL's failure to read the pixels in a ValueError whose message does not name data_or_path",
         lambda c: c.kind == "pil" and raised(c, "ValueError", "Failed to process image data") and c.fields == {"error.match"}),
    Rule("input.array.layout", "trackio hands (H, W, 1) arrays to PIL.Image.fromarray, which refuses them",
         lambda c: raised(c, "ValueError", "Failed to process image data") and c.expected_error is None),
    Rule("input.path", "trackio only checks that the path is a file and stores it as it is, so a file that is not an image is accepted",
         lambda c: case_is(c, "input-path-not-an-image", "input-path-text-file", "input-path-truncated") and c.fields == {"error"}),
    Rule("input.pil", "trackio converts PIL images to RGBA before writing, so modes PNG cannot store are stored anyway",
         lambda c: case_is(c, "input-pil-mode") and c.fields == {"error"}),
    Rule("input.array.dtype", "trackio accepts only uint8 arrays", lambda c: raised(c, "ValueError", "Invalid value dtype")),
    Rule("input.unsupported", "trackio refuses other inputs with ValueError, not TypeError",
         lambda c: raised(c, "ValueError", "Invalid value type")),
    Rule(lambda c: "input.pil" if c.kind == "pil" else "mode.guess",
         "trackio stores every array and PIL image as RGBA",
         lambda c: c.obs.mode == "RGBA" and "mode" in c.fields),
    Rule(layout_clause, "trackio hands any uint8 array to PIL, which takes shapes the spec rejects",
         lambda c: case_is(c, "input-layout-array-reject") and c.fields == {"error"}),
    Rule(layout_clause, "trackio wraps PIL's refusal of a shape in a ValueError that does not give the shape",
         lambda c: case_is(c, "input-layout-array-reject") and raised(c, "ValueError", "Failed to process")),
    Rule("input.array.dtype", "trackio refuses non-uint8 dtypes with ValueError, not TypeError",
         lambda c: case_is(c, "input-data-dtype") and raised(c, "ValueError", "Invalid value dtype")),
    Rule("input.empty", "trackio checks the dtype before anything else; empty data gets the dtype error",
         lambda c: case_is(c, "input-data-empty") and raised(c, "ValueError", "Invalid value dtype")),
    Rule("limits.max-dimension", "MAX_DIMENSION is not enforced",
         lambda c: case_is(c, "limits-max-dimension") and "error" in c.fields),
    Rule("input.path", "trackio raises ValueError for a missing path but does not decode the file, so a non-image is accepted",
         lambda c: case_is(c, "input-path") and c.fields == {"error"}),
]

RULES_SWANLAB = [
    Rule("mode.explicit", "swanlab hands mode= to PIL's convert, which refuses a mode that is not a str with a message that does not name mode",
         lambda c: case_is(c, "mode-not-a-str") and c.fields == {"error.match"}),
    Rule("input.path", "swanlab refuses a path it cannot open with a message that does not name data_or_path",
         lambda c: c.kind == "path" and raised(c, "ValueError", "Failed to open image file") and c.fields == {"error.match"}),
    Rule("input.path", "a file that opens as an image but does not decode fails inside PIL with OSError, not ValueError",
         lambda c: raised(c, "OSError", "truncated") and case_is(c, "input-path")),
    Rule("input.pil", "a PIL image whose pixels cannot be read fails inside PIL with OSError, not ValueError",
         lambda c: raised(c, "OSError", "truncated") and c.kind == "pil"),
    Rule("input.unsupported", "swanlab refuses other inputs with a TypeError that names the type received but not data_or_path",
         lambda c: raised(c, "TypeError", "Unsupported image type") and c.fields == {"error.match"}),
    Rule("input.array.dtype", "data of a non-real dtype fails inside NumPy, with a message that does not name data_or_path",
         lambda c: case_is(c, "input-data-dtype") and c.fields == {"error.match"}),
    Rule("mode.explicit", "swanlab hands mode= to PIL's convert, which refuses an unknown mode with a message that does not name it",
         lambda c: case_is(c, "mode-invalid") and not c.fields.isdisjoint({"error.match", "error.type"})),
    *grid_rules("swanlab", uint8_as_float=False),
    Rule(None, "empty tensors fail in make_grid (swanlab), which takes their minimum: torch's own RuntimeError, "
               "not a ValueError naming data_or_path",
         lambda c: source_kind(c) == "tensor" and case_is(c, "input-data-empty") and raised(c, "RuntimeError", "min()")),
    Rule("mode.explicit", lambda c: f"swanlab hands mode= to PIL.Image.fromarray with make_grid's RGB pixels, and {pillow(c)} "
                                    f"refuses a mode that does not fit them",
         lambda c: source_kind(c) == "tensor" and explicit_mode(c) and raised(c, "ValueError", "Invalid mode")),
    Rule("input.dispatch", "swanlab draws tensors with torchvision's make_grid, and torchvision does not import in the worker's "
                           "environment, so every tensor raises",
         lambda c: "torchvision" in c.message or "torchvision" in c.result.message),
    Rule(layout_clause, "swanlab accepts only (H, W) and (H, W, 3/4) arrays and refuses (H, W, 1) with TypeError",
         lambda c: raised(c, "TypeError", "Invalid numpy array shape") and c.expected_error is None),
    Rule(layout_clause, "swanlab refuses shapes with TypeError, not ValueError",
         lambda c: raised(c, "TypeError", "Invalid numpy array shape")),
    Rule("input.path", "swanlab takes only str paths, not pathlib.Path",
         lambda c: raised(c, "TypeError", "PosixPath") or ("PosixPath" in c.message and c.kind == "path")),
    Rule("input.path", "swanlab decodes a path's file and encodes it again in its own file_type (PNG by default)",
         lambda c: c.kind == "path" and not c.fields.isdisjoint({"format", "encoded", "pixels"})),
    Rule("file-type.accepted", "swanlab lower-cases file_type, so upper-case spellings are accepted",
         lambda c: case_is(c, "file-type-invalid-upper") and c.fields == {"error"}),
    Rule("file-type.accepted", "swanlab calls .lower() on file_type, so a non-string fails with AttributeError",
         lambda c: case_is(c, "file-type-invalid") and c.error == "AttributeError"),
    Rule("input.empty", "empty data reaches PIL, which refuses to write an empty image",
         lambda c: case_is(c, "input-data-empty") and ("cannot write empty image" in c.message or c.error == "TypeError")),
    Rule("input.pil", "a PIL mode the file type cannot store fails inside the encoder with OSError, not ValueError",
         lambda c: raised(c, "OSError", "cannot write mode") and c.kind == "pil" and "RGBA" not in c.message),
    Rule("mode.jpeg-alpha", "RGBA data with a JPEG file type fails inside the encoder with OSError, not ValueError",
         lambda c: raised(c, "OSError", "cannot write mode RGBA as JPEG")),
    Rule("input.pil", "swanlab applies mode= to PIL images too (convert), where the spec keeps them as they are",
         lambda c: c.kind in ("pil", "path") and explicit_mode(c) and "mode" in c.fields),
    Rule("limits.max-dimension", "MAX_DIMENSION is not enforced",
         lambda c: case_is(c, "limits-max-dimension") and "error" in c.fields),
    Rule("input.array.dtype", "data of a non-real dtype is converted without a TypeError",
         lambda c: case_is(c, "input-data-dtype") and c.fields == {"error"}),
    Rule(layout_clause, "a rejected shape fails with a message that does not give the shape",
         lambda c: case_is(c, "input-layout-array-reject") and not c.fields.isdisjoint({"error.match", "error.type"})),
    Rule("file-type.encoding", jpeg_cause, lambda c: jpeg_call(c) and c.fields == {"pixels"}),
    Rule("file-type.encoding", "pixels are decoded from the BMP buffer written, which keeps no alpha",
         lambda c: str(c.file_type()) == "bmp" and "mode" in c.fields and c.obs.mode == "RGB"),
    Rule(spec_branch, "swanlab does not normalize arrays: it clips to [0, 255] and casts, so floats in [0, 1] become 0 or 1",
         lambda c: reproduces(clip_cast, c)),
]


def rules_for(impl: str, version: tuple[int, ...]) -> list[Rule]:
    if impl == "wandb":
        return wandb_rules(version)
    if impl == "trackio":
        return RULES_TRACKIO
    if impl == "swanlab":
        return RULES_SWANLAB
    raise KeyError(f"no rules for {impl}")


__all__ = ["rules_for", "version_tuple"]
