"""Expected pixels that a case records only by digest, computed again to explain a mismatch.

Big expectations are stored as shape plus sha256, so on a mismatch the digest alone says only
"different". For `Image` and `to_uint8` calls on array and tensor inputs, the spec's oracle
(wbimage_conformance.oracle) computes the expected array from the case's
input. That array is used to describe the mismatch (how many pixels differ, where, by how
much; the HTML report's pictures) only when its own digest equals the recorded one, so the
verdict never depends on it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from wbimage_conformance.cases.materialize import materialize
from wbimage_conformance.model import Case


def expected_array(case: Case, recorded: dict[str, Any]) -> np.ndarray | None:
    """The expected pixels whose sha256 is `recorded["sha256"]`, or None when the oracle
    does not cover the call or computes something else."""
    api = case.call.get("api")
    if api not in ("Image", "to_uint8") or case.input.get("kind") not in ("numpy", "tensor"):
        return None
    from wbimage_conformance import oracle  # lazy: only a failing digest case needs it

    data = materialize(case).input["array"]
    kwargs = case.call.get("kwargs") or {}
    try:
        if api == "to_uint8":
            pixels = oracle.to_uint8(data)
        else:
            pixels = oracle.image(data, case.input["kind"], mode=kwargs.get("mode"),
                                  file_type=kwargs.get("file_type"),
                                  normalize=kwargs.get("normalize", True)).pixels
    except oracle.SpecError:  # the oracle says the call raises: nothing to draw
        return None
    pixels = np.asarray(pixels, dtype=np.uint8, order="C")
    if list(pixels.shape) != list(recorded["shape"]):
        return None
    if hashlib.sha256(pixels.tobytes()).hexdigest() != recorded["sha256"]:
        return None
    return pixels
