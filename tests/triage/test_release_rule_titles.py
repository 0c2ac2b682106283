"""A release rule whose title names a wandb release must agree with the saved release history:
the title is quoted in every expectations file and in the findings, so a wrong release there
misleads every reader (one said guess_mode's file_type arrived in 0.20.0; the history shows
0.19.9)."""

from __future__ import annotations

import functools
import re

import pytest

from wbimage_conformance.history import record
from wbimage_conformance.history.timeline import CauseSpan, History

from locations import DOCS

SAVED = DOCS / "history"

#: "no file_type parameter before X", "(added in X)": X is the first release without the cause.
ARRIVES = re.compile(r"\b(?:before|added in) (\d+\.\d+\.\d+)")
#: "removed in X", "since X", "lost its ... in X": X is the first release with the cause.
DEPARTS = re.compile(r"\b(?:removed in|since|lost [^,;]* in) (\d+\.\d+\.\d+)")


@functools.lru_cache(maxsize=1)
def saved_history() -> History:
    return History.of(record.load_folder(SAVED))


def named_spans() -> list[CauseSpan]:
    return [s for s in saved_history().spans() if ARRIVES.search(s.title) or DEPARTS.search(s.title)]


def test_the_history_has_titles_that_name_a_release():
    assert len(named_spans()) >= 5


@pytest.mark.parametrize("span", named_spans(), ids=lambda s: s.id)
def test_a_title_that_names_a_release_agrees_with_the_history(span):
    versions = saved_history().versions
    arrives = ARRIVES.search(span.title)
    if arrives:
        release = arrives.group(1)
        assert release in versions, f"{span.title!r}: {release} is not in the history"
        assert span.last == versions[versions.index(release) - 1], (
            f"{span.title!r}: the history shows it up to {span.last}, so it ends before "
            f"{versions[versions.index(span.last) + 1]}")
    departs = DEPARTS.search(span.title)
    if departs:
        assert span.first == departs.group(1), f"{span.title!r}: the history shows it from {span.first}"
