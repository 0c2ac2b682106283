"""The hypotheses triage tries on every implementation, most specific first.

Most are a variant of the spec's pipeline with one decision changed: claimed for a result only
when recomputing the case's input under that variant, in the oracle's arithmetic, gives
exactly what was observed. The others concern one field the pipeline does not compute
(caption, grouping, the exception raised, a class helper's value) and are claimed only when
that field is the one wrong and the observed value is what the hypothesis says it would be.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wbimage_conformance import oracle
from wbimage_conformance.triage import variants
from wbimage_conformance.triage.cause import Cause
from wbimage_conformance.triage.context import Context
from wbimage_conformance.triage.variants import Variant, jpeg_round_trip
from wbimage_conformance.worker.inputs import pil_image


def variant_cause(cause_id: str, clause: str, title: str, hint: str, **knobs: Any) -> Cause:
    variant = Variant(**knobs)
    return Cause(clause, title, lambda c: c.reproduces(variant), hint, cause_id, variant)


# -- arithmetic -----------------------------------------------------------------------------------

ARITHMETIC = [
    variant_cause("rounds-to-nearest", "norm.truncation", "rounds to nearest instead of truncating",
                  "+1 wherever the fractional part is at least .5: the implementation rounds; the spec truncates "
                  "(astype), [norm.truncation]", rounding="nearest"),
    variant_cause("evaluates-in-float64", "norm.precision", "evaluates the formulas in float64 instead of the input's dtype",
                  "off by one only for float16/float32 values whose product lands just below a whole number: the "
                  "implementation upcasts; the spec rounds every operation to the input's dtype, [norm.precision]",
                  precision="float64"),
    variant_cause("evaluates-in-float32", "norm.precision", "evaluates the formulas in float32 instead of the input's dtype",
                  "off by one for some float64 (or float16) values: the implementation converts to float32; the spec "
                  "rounds every operation to the input's dtype, [norm.precision]", precision="float32"),
    variant_cause("signed-expanded", "norm.precision", "computes the signed branch as 127.5 * x + 127.5, which rounds twice",
                  "off by one for some values in [-1, 1]: the implementation rewrote the formula; the spec evaluates "
                  "255 * 0.5 * (x + 1) as written, [norm.precision]", signed="expanded"),
    variant_cause("signed-factor-127", "norm.signed", "multiplies the signed branch by 127 instead of 127.5",
                  "1 maps to 254 and every value of a [-1, 1] image is a little low: the factor is 127; the spec's is "
                  "255 * 0.5, [norm.signed]", signed="127"),
    variant_cause("wraps-instead-of-clipping", "norm.disabled", "wraps out-of-range values modulo 256 instead of clipping",
                  "-1 becomes 255 and 256 becomes 0: a bare astype(uint8); the spec clips to [0, 255] first, "
                  "[norm.other] and [norm.disabled]", overflow="wrap"),
    variant_cause("nan-becomes-255", "norm.special", "turns NaN into 255 instead of 0",
                  "NaN pixels are white: the spec makes them 0, [norm.special]", nan="255"),
    variant_cause("integers-literal", "norm.integer", "evaluates the formulas in the integer dtype, which overflows",
                  "int8 data in [0, 1] raises OverflowError: data * 255 in int8; the spec evaluates integer data "
                  "exactly, [norm.integer]", integers="literal"),
    variant_cause("bool-not-scaled", "norm.integer", "casts bool data to 0/1 pixels instead of scaling it",
                  "True becomes 1, not 255: bool data skips normalization; the spec treats it as [0, 1] data, "
                  "[norm.integer]", bools="cast"),
]

# -- range detection --------------------------------------------------------------------------------

RANGES = [
    variant_cause("never-normalizes-wraps", "norm.applies", "does not normalize at all: a bare astype(uint8)",
                  "[0, 1] data comes out 0 or 1 and negatives wrap: nothing is scaled; the spec normalizes arrays and "
                  "tensors, [norm.applies]", ranges="none", overflow="wrap"),
    variant_cause("never-normalizes", "norm.applies", "does not normalize at all: values are clipped to [0, 255] and cast",
                  "[0, 1] data comes out 0 or 1 and negatives 0: nothing is scaled; the spec normalizes arrays and "
                  "tensors, [norm.applies]", ranges="none"),
    variant_cause("ignores-normalize-false", "norm.disabled", "normalizes even when normalize=False",
                  "normalize=False data in [0, 1] is scaled by 255: the flag is ignored; the spec only clips, "
                  "[norm.disabled]", disabled="normalize"),
    variant_cause("exclusive-bounds", "norm.bounds", "treats the ranges as open, so exactly 0, 1 and -1 fall to the next branch",
                  "data touching 0, 1 or -1 takes another branch: the bounds are exclusive; the spec's are closed, "
                  "[norm.bounds]", ranges="exclusive"),
    variant_cause("per-channel-range", "norm.range", "picks a branch for every channel on its own",
                  "channels of one image are scaled differently: the range is taken per channel; the spec takes one "
                  "range over the whole array, [norm.range]", ranges="per-channel"),
    variant_cause("alpha-left-out-of-range", "norm.range", "decides the branch from the colour channels only, leaving alpha out",
                  "RGBA data whose alpha is out of the colour range is scaled wrongly: alpha is ignored for the range; "
                  "the spec counts every channel, [norm.range]", ranges="colour-only"),
    variant_cause("min-max-rescaling", "norm.range", "rescales every image from its own min and max to [0, 255]",
                  "the darkest pixel is always 0 and the brightest 255: min-max rescaling; the spec picks one of three "
                  "fixed formulas, [norm.range]", ranges="min-max"),
    variant_cause("negatives-min-max", "norm.signed", "min-max rescales data with negatives, then scales [0, 1] data by 255",
                  "[-1, 1] data is stretched to its own range: the 0.19 rule; the spec maps [-1, 1] with "
                  "255 * 0.5 * (x + 1), [norm.signed]", ranges="negatives-min-max"),
    variant_cause("range-division", "norm.range", "divides every input by its range (after shifting negatives to 0)",
                  "data whose minimum is above 0 comes out near-black: the 0.20.0 rule; the spec picks one of three "
                  "fixed formulas, [norm.range]", ranges="range-division"),
    variant_cause("range-by-dtype", "norm.range", "decides by dtype (floats are [0, 1], integers [0, 255]) instead of by values",
                  "float data above 1 comes out white and integer 0/1 data black: the dtype picks the formula; the spec "
                  "looks at the values, [norm.range]", ranges="by-dtype"),
    variant_cause("nan-ignored-for-range", "norm.special", "leaves NaN out when it takes the range",
                  "data with NaN is scaled as if the NaN were not there: nanmin/nanmax; the spec lets NaN force the "
                  "[0, 255] clip branch, [norm.special]", ranges="finite-only"),
    variant_cause("nan-replaced-by-minimum", "norm.special", "replaces NaN by the smallest value before taking the range",
                  "NaN pixels look like the darkest pixel and the rest is scaled as without NaN; the spec lets NaN force "
                  "the [0, 255] clip branch and makes NaN 0, [norm.special]", ranges="nan-to-minimum"),
]

# -- layout, modes, file types, limits ------------------------------------------------------------

LAYOUT = [
    variant_cause("tensors-channels-last", "input.tensor.layout", "reads tensors as (H, W, C), like arrays",
                  "tensor images come out transposed or fail on the channel count: channels-last; the spec reads "
                  "tensors as (C, H, W), [input.tensor.layout]", tensor_layout="hwc"),
    variant_cause("tensors-transposed", "input.tensor.layout", "moves tensor channels last with permute(2, 1, 0), swapping height and width",
                  "tensor images come out (W, H) instead of (H, W): permute(2, 1, 0); the spec permutes (1, 2, 0), "
                  "[input.tensor.layout]", tensor_layout="whc"),
    variant_cause("squeezes-size-1-axes", "input.array.layout", "squeezes size-1 axes away before anything else",
                  "one-row or one-column images change shape and mode: squeeze(); the spec keeps every axis, "
                  "[input.array.layout]", squeeze=True),
    variant_cause("channel-order-bgr", "input.array.layout", "swaps the colour channels (BGR instead of RGB)",
                  "red and blue are exchanged: the channel order is reversed; the spec keeps channel 0 as red, "
                  "[input.array.layout]", channel_order="bgr"),
    variant_cause("keeps-alpha-for-jpeg", "mode.jpeg-alpha", "keeps 4-channel data RGBA with a JPEG file type",
                  "mode RGBA where JPEG needs RGB: alpha is kept; the spec drops it, [mode.jpeg-alpha]", jpeg_alpha="keep"),
    variant_cause("ignores-explicit-mode", "mode.explicit", "ignores mode= and keeps the guessed mode",
                  "the image has the guessed mode whatever mode= says; the spec converts, [mode.explicit]",
                  explicit_mode="ignored"),
    variant_cause("luma-in-float", "mode.explicit", "converts RGB to L with rounded float weights, not PIL's fixed point",
                  "L pixels off by one from RGB data: 0.299 R + 0.587 G + 0.114 B rounded; the spec uses the 16-bit "
                  "fixed-point luma, [mode.explicit]", luma="float"),
    variant_cause("file-type-spelling-lenient", "file-type.accepted", "accepts other spellings of file_type ('JPG', '.png')",
                  "no error for 'JPG' or '.png': the spelling is normalized; the spec accepts exactly png, jpg, jpeg, "
                  "bmp, [file-type.accepted]", file_type_spelling="lenient"),
    variant_cause("file-type-any-format", "file-type.accepted", "accepts any format name for file_type and writes PNG",
                  "no error for 'gif' or 'tiff': every name is taken; the spec raises ValueError, [file-type.accepted]",
                  unknown_file_type="png"),
    variant_cause("defaults-to-jpeg", "file-type.default", "encodes as JPEG when no file_type is given",
                  "format 'jpg' without a file_type: the default is JPEG; the spec's is PNG, [file-type.default]",
                  default_file_type="jpg"),
    variant_cause("max-dimension-not-enforced", "limits.max-dimension", "never checks MAX_DIMENSION",
                  "no error for an image wider or taller than 65500: the limit is not enforced; the spec raises "
                  "ValueError, [limits.max-dimension]", max_dimension=False),
    variant_cause("empty-becomes-blank", "input.empty", "turns data without elements into a 1x1 black image",
                  "an empty array gives a 1x1 image: no emptiness check; the spec raises ValueError, [input.empty]",
                  empty="blank"),
    variant_cause("normalize-truthy", "norm.disabled", "takes any value for normalize by its truth instead of requiring a bool",
                  "no error for normalize=0 or 'yes': the value's truth is used; the spec raises TypeError, "
                  "[norm.disabled]", normalize_type="truthy"),
]


# -- fields the pipeline does not compute --------------------------------------------------------


def _caption_dropped(c: Context) -> bool:
    """No caption where one was given; all_captions then finds none either."""
    if c.api == "all_captions":
        return c.fields == {"value"} and c.obs.has_value and c.obs.value is False
    return c.fields == {"caption"} and c.obs.caption is None


def _copy_loses_caption(c: Context) -> bool:
    inner = (c.built or {}).get("kwargs") or {}
    return (c.kind == "image" and _caption_dropped(c) and c.kwargs.get("caption") is None
            and inner.get("caption") is not None)


def _copy_keeps_caption(c: Context) -> bool:
    inner = (c.built or {}).get("kwargs") or {}
    return (c.kind == "image" and c.fields == {"caption"} and "caption" in c.kwargs
            and c.obs.caption == inner.get("caption") and c.obs.caption is not None)


def _first_only_captions(c: Context) -> bool:
    items = (c.built or {}).get("items")
    if c.api != "all_captions" or items is None or c.fields - {"value", "error"}:
        return False
    captions = [(item.get("kwargs") or {}).get("caption") for item in items]
    if not captions:
        return c.error == "IndexError"
    predicted: Any = captions if captions[0] is not None else False
    return c.obs.has_value and c.obs.value == predicted


def _guess_mode_channels_last(c: Context) -> bool:
    if c.api != "guess_mode" or c.source.get("kind") != "tensor" or not c.fields or c.fields - {"value", "error"}:
        return False
    try:
        return c.obs.value == oracle.guess_mode(np.asarray(c.given).shape, "numpy", (c.kwargs or {}).get("file_type"))
    except oracle.SpecError as exc:
        return c.obs.raised and c.error == exc.error_type


def _pil_normalized(c: Context) -> bool:
    """A PIL image run through the normalization as RGB data (where the spec refuses the image
    for its file type, the implementation converts it instead: the error field differs too)."""
    source = c.source
    if source.get("kind") != "pil" or c.api != "Image" or not c.fields or not c.fields <= {"pixels", "mode", "size", "error"}:
        return False
    try:
        rgb = np.asarray(pil_image(source["array"], source["mode"]).convert("RGB"))
    except Exception:
        return False
    call = variants.Call("Image", rgb, "numpy", None, c.kwargs.get("file_type"), True, "file_type" in c.kwargs)
    obs = c.obs
    return variants.same_output(variants.predict(call, Variant()), obs.pixels, obs.mode, obs.size, obs.format,
                                obs.encoded, obs.error_type)


JPEG_DECODED = Variant(decoded="jpeg")


def _jpeg_loss(c: Context) -> bool:
    """Pixels read back from the JPEG written: for array and tensor data the pipeline variant
    recomputes it; for other inputs (a PIL image, a path) the spec's pixels are the case's
    expected ones, and only a call the spec writes as JPEG, with every other field right,
    can carry JPEG's loss."""
    if c.call() is not None:
        return c.reproduces(JPEG_DECODED)
    m = c.mismatch("pixels")
    if c.api != "Image" or c.fields != {"pixels"} or m is None or not isinstance(m.expected, np.ndarray):
        return False
    if c.file_type() not in oracle.JPEG_FILE_TYPES or c.obs.format not in oracle.JPEG_FILE_TYPES:
        return False
    trip = jpeg_round_trip(m.expected)
    pixels = c.obs.pixels
    return (trip is not None and isinstance(pixels, np.ndarray) and pixels.dtype == trip.dtype
            and pixels.shape == trip.shape and np.array_equal(trip, pixels))


def _wrong_exception_title(c: Context) -> str:
    return f"raises {c.obs.error_type} where the spec raises {c.expected_error}"


def _constant_title(c: Context) -> str:
    m = c.mismatch("value")
    return f"Image.{c.case.call.get('name')} is {m.actual!r}, not {m.expected!r}"


OTHER_FIELDS = [
    Cause("input.image", "Image(other) does not carry the other image's caption over", _copy_loses_caption,
          "caption None for a copy: the copy forgets it; the spec copies pixels, mode, format and caption, "
          "[input.image]", "copy-loses-caption"),
    Cause("input.image", "Image(other, caption=...) keeps the copied caption and ignores the new one", _copy_keeps_caption,
          "the copy's caption wins over the one given: the spec lets the new caption replace it, [input.image]",
          "copy-keeps-old-caption"),
    Cause("all-captions", "all_captions looks only at the first image", _first_only_captions,
          "False when the first image has no caption, IndexError for no images: the spec lists the captions when any "
          "image has one, [all-captions]", "all-captions-first-only"),
    Cause("meta.caption", "drops the caption", _caption_dropped,
          "caption None where one was given: it is not kept; the spec keeps it as given, [meta.caption]", "caption-dropped"),
    Cause("meta.grouping", "drops the grouping", lambda c: c.fields == {"grouping"} and c.obs.grouping is None,
          "grouping None where one was given: it is not kept; the spec keeps it as given, [meta.grouping]",
          "grouping-dropped"),
    Cause("input.immutable", "modifies the caller's data", lambda c: c.fields == {"input"},
          "the array passed in has other values afterwards: the implementation writes into it; the spec never "
          "changes the caller's data, [input.immutable]", "input-mutated"),
    Cause("file-type.encoding", "writes PNG bytes whatever the file type", lambda c: c.fields == {"encoded"} and c.obs.encoded == "png",
          "format says jpg or bmp but the bytes are PNG: the spec encodes in the format given, [file-type.encoding]",
          "encodes-everything-as-png"),
    Cause("file-type.encoding", "pixels are decoded again from the JPEG file written, so they carry its compression loss",
          _jpeg_loss, "JPEG cases differ by a few levels, exactly a JPEG round trip of the spec's pixels: the spec's "
          "pixels are those before encoding, [file-type.encoding]", "jpeg-round-trip", JPEG_DECODED),
    Cause("input.pil", "runs PIL images through the normalization", _pil_normalized,
          "a PIL image of 0/1 values comes out 0/255, or changes mode: PIL images are normalized; the spec uses them "
          "as they are, [input.pil]", "normalizes-pil-images"),
    Cause("mode.guess", "guess_mode reads tensors channels-last too", _guess_mode_channels_last,
          "guess_mode of a (3, H, W) tensor is not RGB: the last axis is read; the spec reads a tensor's first axis, "
          "[mode.guess]", "guess-mode-channels-last"),
    Cause("limits.constants", _constant_title, lambda c: c.api == "attribute" and c.fields == {"value"},
          "a class constant has another value than the documented one, [limits.constants]", "class-constant-differs"),
    Cause("api.signature", "has no normalize parameter",
          lambda c: c.error == "TypeError" and "normalize" in c.message and "unexpected keyword" in c.message,
          "every normalize= call raises TypeError: the constructor lacks the parameter; the spec documents it, "
          "[api.signature]", "no-normalize-keyword"),
    Cause(None, _wrong_exception_title,
          lambda c: c.fields <= {"error.type", "error.match"} and "error.type" in c.fields and c.obs.raised,
          lambda c: f"the right call fails, with the wrong exception type: {c.obs.error_type} instead of "
                    f"{c.expected_error}, so `except {c.expected_error}` does not catch it",
          ""),
    Cause(None, "refuses with the right exception type but a message that does not say what the spec asks",
          lambda c: c.fields == {"error.match"},
          "the error type is right; the message lacks what the spec's pattern asks for (the value given, the "
          "accepted ones)", "error-message-differs"),
]

GENERIC: list[Cause] = [*OTHER_FIELDS, *ARITHMETIC, *RANGES, *LAYOUT]


def pairable(causes: list[Cause]) -> list[Cause]:
    """The causes that are variants of the pipeline, so two can be recomputed together."""
    return [c for c in causes if c.variant is not None]
