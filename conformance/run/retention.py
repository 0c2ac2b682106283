"""What the runner keeps of a judged result whose reply was big.

A run keeps every result until its reports are written, observations included (triage and the
HTML report read them). An implementation that answers every case with a 60 MB array once
made the runner hold 1.3 GB for 17 cases: `--memory-limit` caps the workers, not the runner.
So a result whose reply line was longer than KEEP_WHOLE_BYTES, or held more than
KEEP_WHOLE_VALUES values, is summarized as soon as it is judged: the comparison has already
said everything the reports say (counts, first difference, largest difference: the mismatch's
`detail`), and what stays of each big array is an ArrayDigest (dtype, shape, sha256), which
the reports treat like an expectation known by digest. Long strings are cut, long lists and
dicts become a one-line description. What this costs: triage cannot recompute against a
digest, so such a result is listed as unexplained, and the HTML report draws no picture of it.

The shipped cases' largest replies are about 1.4 MB, so on them nothing is summarized.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from wbimage_conformance.model import Mismatch, Observation, Result
from wbimage_conformance.worker.protocol import Opaque

#: Replies up to this many bytes, and values, are kept as observed.
KEEP_WHOLE_BYTES = 2 << 20
KEEP_WHOLE_VALUES = 10_000
#: In a summarized result: arrays of more elements become digests ...
SMALL_ARRAY_ELEMENTS = 64
#: ... lists, tuples and dicts of more items a description ...
SMALL_CONTAINER_ITEMS = 64
#: ... and strings are cut to this many characters.
TEXT_KEEP = 2000


def needs_summary(reply_bytes: int, reply_values: int) -> bool:
    return reply_bytes > KEEP_WHOLE_BYTES or reply_values > KEEP_WHOLE_VALUES


@dataclass(frozen=True)
class ArrayDigest(Mapping):
    """A big array known by its dtype, shape and sha256 (of its C-ordered bytes). It reads as
    the mapping {kind: ndarray, dtype, shape, sha256}, which is exactly how a JSON report
    writes any array above 64 elements, and which the reports take for an array known by
    digest."""

    dtype: str
    shape: tuple[int, ...]
    sha256: str

    @classmethod
    def of(cls, array: np.ndarray) -> ArrayDigest:
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest() if array.dtype != object else ""
        return cls(str(array.dtype), tuple(int(n) for n in array.shape), digest)

    def _items(self) -> dict[str, Any]:
        return {"kind": "ndarray", "dtype": self.dtype, "shape": list(self.shape), "sha256": self.sha256}

    def __getitem__(self, key: str) -> Any:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("kind", "dtype", "shape", "sha256"))

    def __len__(self) -> int:
        return 4


def clip(text: str, limit: int = TEXT_KEEP) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def summarize(value: Any, digests: dict[int, ArrayDigest] | None = None) -> Any:
    """`value` with big arrays as digests, long strings cut, long containers described
    (recursive: a reply's depth is bounded by run.replies). `digests` holds the digests made
    so far by array id, for arrays that are alive throughout (an observation's pixels are
    usually also its pixel mismatch's actual side: digested once)."""
    digests = {} if digests is None else digests
    if isinstance(value, np.ndarray):
        if value.size <= SMALL_ARRAY_ELEMENTS:
            return value
        if id(value) not in digests:
            digests[id(value)] = ArrayDigest.of(value)
        return digests[id(value)]
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, (bytes, bytearray)):
        return value if len(value) <= TEXT_KEEP else _described(value, f"{len(value)} bytes, sha256 "
                                                                       f"{hashlib.sha256(value).hexdigest()}")
    if isinstance(value, Opaque):
        return Opaque(clip(value.type, 200), clip(value.repr), summarize(value.value, digests))
    if isinstance(value, (list, tuple, dict)) and len(value) > SMALL_CONTAINER_ITEMS:
        return _described(value, f"{len(value)} items, beginning {clip(repr(_first(value)), 200)}")
    if isinstance(value, (list, tuple)):
        return type(value)(summarize(item, digests) for item in value)
    if isinstance(value, dict):
        return {summarize(key) if isinstance(key, str) else key: summarize(item, digests) for key, item in value.items()}
    return value


def _first(value: Any) -> Any:
    items = list(value.items()) if isinstance(value, dict) else value
    return [summarize(item) for item in list(items[:4])]


def _described(value: Any, text: str) -> Opaque:
    kind = type(value).__name__
    return Opaque(kind, f"<{kind} of {text}>")


def summarize_observation(obs: Observation, digests: dict[int, ArrayDigest]) -> Observation:
    def cut(value: Any) -> Any:
        return summarize(value, digests)

    return replace(
        obs,
        pixels=cut(obs.pixels), caption=cut(obs.caption), grouping=cut(obs.grouping), value=cut(obs.value),
        mode=cut(obs.mode), format=cut(obs.format), encoded=cut(obs.encoded),
        error_type=cut(obs.error_type),
        error_bases=tuple(clip(base, 200) for base in obs.error_bases[:SMALL_CONTAINER_ITEMS]),
        error_message=cut(obs.error_message),
        notes=tuple(clip(note) for note in obs.notes[:SMALL_CONTAINER_ITEMS]),
    )


def summarize_mismatch(mismatch: Mismatch, digests: dict[int, ArrayDigest]) -> Mismatch:
    return replace(mismatch, expected=summarize(mismatch.expected, digests), actual=summarize(mismatch.actual, digests),
                   detail={key: summarize(item, digests) for key, item in mismatch.detail.items()})


def summarize_result(result: Result) -> Result:
    """The result as kept: observation and mismatches summarized, the message cut."""
    digests: dict[int, ArrayDigest] = {}
    observation = result.observation
    return replace(
        result,
        message=clip(result.message),
        mismatches=tuple(summarize_mismatch(m, digests) for m in result.mismatches),
        observation=summarize_observation(observation, digests) if observation is not None else None,
    )
