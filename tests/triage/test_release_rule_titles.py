"""A release rule whose title names a wandb release must agree with the saved release history:
the title is quoted in every expectations file and in the findings, so a wrong release there
misleads every reader (one said guess_mode's file_type arrived in 0.20.0; the history shows
0.19.9).

Every version number in a title is read: one after a package's name (Pillow 13.0.0, torch
2.13.0) is that package's; one in a phrase that places a boundary says where the behaviour
ends ("before X", "until X", "(added in X)": X is the first release without it) or begins
("since X", "from X", "removed in X", "lost ... in X", "X's": X is the first release with it).
A wandb release in any other wording fails, so a new title cannot carry an unchecked date.
The rules' own titles are checked as well as the history's, so a title changed in rules.py
is checked before the history is recorded again, and must then be found in it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
from locations import DOCS

from wbimage_conformance.history import record
from wbimage_conformance.history.timeline import CauseSpan, History
from wbimage_conformance.triage import release_rules as rules
from wbimage_conformance.triage.cause import slug

SAVED = DOCS / "history"

VERSION = r"(\d+\.\d+(?:\.\d+)?)"
#: A version number that belongs to another package than wandb.
OTHER_PACKAGE = re.compile(rf"\b(?:Pillow|torch|torchvision|Pydantic|NumPy|Python|swanlab|trackio) {VERSION}")
#: X is the first release that no longer shows the behaviour.
ENDS = re.compile(rf"\b(?:before|until|added in) {VERSION}")
#: X is the first release that shows the behaviour.
BEGINS = re.compile(rf"(?:\b(?:since|from|removed in|lost [^,;()]* in) {VERSION}|\b{VERSION}'s\b)")
ANY_VERSION = re.compile(rf"(?<![\w.]){VERSION}(?![\w.]*\d)")


@dataclass(frozen=True)
class Claim:
    """What a title says about the releases: where the behaviour begins and where it ends."""

    begins: str | None
    ends: str | None
    unplaced: tuple[str, ...]   # wandb releases named in no wording this test reads

    @classmethod
    def of(cls, title: str) -> Claim:
        others = {m.start(1) for m in OTHER_PACKAGE.finditer(title)}
        ends = [(m.start(1), m.group(1)) for m in ENDS.finditer(title) if m.start(1) not in others]
        begins = [(m.start(m.lastindex or 1), m.group(m.lastindex or 1)) for m in BEGINS.finditer(title)
                  if m.start(m.lastindex or 1) not in others]
        placed = others | {at for at, _ in ends + begins}
        unplaced = tuple(m.group(1) for m in ANY_VERSION.finditer(title) if m.start(1) not in placed)
        return cls(begins[0][1] if begins else None, ends[0][1] if ends else None, unplaced)

    @property
    def names_a_release(self) -> bool:
        return bool(self.begins or self.ends or self.unplaced)


def disagreements(title: str, span: CauseSpan, versions: list[str]) -> list[str]:
    """How the history contradicts what `title` says (empty: it agrees)."""
    claim = Claim.of(title)
    problems = [f"{release} is named without 'before', 'since' or the like" for release in claim.unplaced]
    if claim.begins:
        if claim.begins not in versions:
            problems.append(f"it begins in {claim.begins}, a release the history does not have")
        elif span.first != claim.begins:
            problems.append(f"it begins in {claim.begins}, but the history shows it from {span.first}")
    if claim.ends:
        if claim.ends not in versions or versions.index(claim.ends) == 0:
            problems.append(f"it ends before {claim.ends}, which the history cannot check")
        elif span.last != versions[versions.index(claim.ends) - 1]:
            later = versions[versions.index(span.last) + 1] if span.last != versions[-1] else "(still shown)"
            problems.append(f"it ends before {claim.ends}, but the history shows it up to {span.last}, "
                            f"so it ends before {later}")
    return problems


@functools.lru_cache(maxsize=1)
def saved_history() -> History:
    return History.of(record.load_folder(SAVED))


def named_spans() -> list[CauseSpan]:
    return [s for s in saved_history().spans() if Claim.of(s.title).names_a_release]


def wandb_rule_titles() -> list[str]:
    """The fixed titles of every wandb rule table a release of the history uses (titles
    written per result name the Pillow in use, never a wandb release)."""
    titles: dict[str, None] = {}
    for version in saved_history().versions:
        for rule in rules.rules_for("wandb", rules.version_tuple(version)):
            if isinstance(rule.title, str) and Claim.of(rule.title).names_a_release:
                titles.setdefault(rule.title)
    return list(titles)


def test_the_history_has_titles_that_name_a_release():
    assert len(named_spans()) >= 5


@pytest.mark.parametrize("span", named_spans(), ids=lambda s: s.id)
def test_a_title_that_names_a_release_agrees_with_the_history(span):
    assert disagreements(span.title, span, saved_history().versions) == [], span.title


@pytest.mark.parametrize("title", wandb_rule_titles())
def test_a_rule_title_that_names_a_release_is_in_the_history_and_agrees(title):
    span = next((s for s in saved_history().spans() if s.title == title), None)
    assert span is not None, f"{title!r}: no saved run shows this cause; record the history again"
    assert disagreements(title, span, saved_history().versions) == []


# -- the reading itself, on titles and spans made up here ------------------------------------------

VERSIONS = ["0.19.0", "0.19.8", "0.19.9", "0.20.0", "0.29.0", "0.31.0"]


def made_up_span(*releases: str) -> CauseSpan:
    return CauseSpan("made up", "made-up", cases=dict.fromkeys(releases, 1))


@pytest.mark.parametrize("title, begins, ends", [
    ("guess_mode has no file_type parameter before 0.19.9", None, "0.19.9"),
    ("there is no normalize parameter yet (added in 0.20.0)", None, "0.20.0"),
    ("Image.to_uint8 was removed in 0.20.0", "0.20.0", None),
    ("there is no normalization since 0.29.0: a bare astype(uint8)", "0.29.0", None),
    ("the constructor lost its normalize parameter in 0.29.0", "0.29.0", None),
    ("0.19.0's settings class fails with Pydantic 2.14", "0.19.0", None),
    ("mode= is refused by Pillow 13.0.0 with torch 2.13.0 and torchvision 0.28.0", None, None),
    ("which Pillow 13.0.0's fromarray refuses", None, None),
])
def test_a_title_is_read_as_a_beginning_or_an_end(title, begins, ends):
    claim = Claim.of(title)
    assert (claim.begins, claim.ends, claim.unplaced) == (begins, ends, ())


def test_a_wrong_end_is_caught_with_the_release_the_history_gives():
    span = made_up_span("0.19.0", "0.19.8")
    assert disagreements("no file_type parameter before 0.20.0", span, VERSIONS) == [
        "it ends before 0.20.0, but the history shows it up to 0.19.8, so it ends before 0.19.9"]


def test_a_wrong_beginning_is_caught():
    span = made_up_span("0.20.0", "0.29.0", "0.31.0")
    assert disagreements("the parameter was removed in 0.29.0", span, VERSIONS) == [
        "it begins in 0.29.0, but the history shows it from 0.20.0"]


def test_a_release_in_other_wording_is_caught():
    span = made_up_span("0.19.0")
    assert disagreements("a bug of wandb 0.19.0 and 0.19.8", span, VERSIONS) == [
        "0.19.0 is named without 'before', 'since' or the like",
        "0.19.8 is named without 'before', 'since' or the like"]


def test_a_release_the_history_does_not_have_cannot_be_claimed():
    span = made_up_span("0.19.0")
    found = disagreements("fixed before 0.19.5", span, VERSIONS)
    assert found == ["it ends before 0.19.5, which the history cannot check"]


@pytest.mark.parametrize("impl, version", [("wandb", (0, 19, 8)), ("wandb", (0, 20, 0)), ("wandb", (0, 20, 1)),
                                           ("wandb", (0, 28, 2)), ("wandb", (0, 29, 0)), ("swanlab", ()),
                                           ("trackio", ())])
def test_different_rule_titles_do_not_share_a_cause_id(impl, version):
    """A cause's id is the start of its title: two titles alike in their first words would be
    counted as one cause in the saved runs, under whichever title came first."""
    titles = {rule.title for rule in rules.rules_for(impl, version) if isinstance(rule.title, str)}
    ids: dict[str, str] = {}
    for title in sorted(titles):
        assert ids.setdefault(slug(title), title) == title, f"{title!r} and {ids[slug(title)]!r}: one id"
