"""What an implementation did with one call, as plain data: the record a worker sends back.

It lives on the worker side because workers build it under the implementation's interpreter;
the run side imports it from here (wbimage_conformance.model re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple


@dataclass(frozen=True)
class Observation:
    """What an implementation did with one case's call, in plain data.

    For api=Image: pixels (uint8 ndarray), mode, size (w, h), format, encoded (format of the
    encoded bytes by signature, or None when the adapter cannot reach them), caption, grouping.
    For to_uint8: pixels holds the returned array (any dtype; comparison checks it is uint8).
    For guess_mode, all_captions, attribute, signature: value.
    For a raised exception: error_type (class name), error_bases (names along its MRO) and
    error_message. input_mutated is True when the caller's data changed during the call.
    """

    pixels: Any = None
    mode: Optional[str] = None
    size: Optional[Tuple[int, int]] = None
    format: Optional[str] = None
    encoded: Optional[str] = None
    caption: Any = None
    grouping: Any = None
    value: Any = None
    has_value: bool = False
    error_type: Optional[str] = None
    error_bases: Tuple[str, ...] = ()
    error_message: Optional[str] = None
    input_mutated: bool = False
    notes: Tuple[str, ...] = ()

    @property
    def raised(self) -> bool:
        return self.error_type is not None
