"""Pages pinned to a wandb release: their source links point at a tag (`tree/v0.19.5/...`) or
a commit instead of the current code, so they document that release, not the spec.

Such a page is checked as documentation of its release: a constructor parameter it leaves out
that its release did not have is a note naming the release and the release rule that says so
(releases/rules.py: "the constructor has no normalize parameter (added in 0.20.0)"), not an
error. A page pinned to a commit names no release; a parameter some release line lacked is
then a note citing every rule that explains it. Everything else on the page (claims, examples,
other parameters) is still held to the spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from wbimage_conformance.doccheck.markdown import Page

_SOURCE = re.compile(r"github\.com/wandb/(?:wandb|client)/(?:tree|blob)/(?P<ref>[^/\s)'\"]+)/", re.I)
_MOVING = frozenset({"main", "master", "latest", "HEAD"})
#: Versions whose rules a commit pin is compared with: one per release line the rules know.
_RELEASE_LINES = ("0.19.0", "0.20.0", "0.20.1", "0.28.2", "0.29.0")


@dataclass(frozen=True)
class Pin:
    ref: str                 # "v0.19.5" or a commit
    version: str | None      # "0.19.5"; None for a commit
    line: int                # page line of the first such link

    def describe(self) -> str:
        what = f"wandb {self.version}" if self.version else f"wandb at commit {self.ref[:12]}"
        return f"{what} (its source link, line {self.line})"


def pin_of(page: Page) -> Pin | None:
    """The release or commit the page's source links point at; None for a page that follows
    the current code (or has no source link)."""
    for number, line in enumerate(page.text.splitlines(), start=1):
        match = _SOURCE.search(line)
        if match is None or match.group("ref") in _MOVING:
            continue
        ref = match.group("ref")
        try:
            return Pin(ref, str(Version(ref.lstrip("vV"))), number)
        except InvalidVersion:
            if re.fullmatch(r"[0-9a-f]{7,40}", ref):
                return Pin(ref, None, number)
    return None


def _signature_rules(version: str) -> list[str]:
    from wbimage_conformance.triage.release_rules import wandb_rules

    release = tuple(int(p) for p in Version(version).release)
    return [r.title for r in wandb_rules(release) if r.clause == "api.signature" and isinstance(r.title, str)]


def why_absent(pin: Pin, parameter: str) -> str | None:
    """What the release rules say of `parameter` for the pinned release (for a commit, for each
    release line that lacks it), or None when no rule says it is absent there."""
    versions = [pin.version] if pin.version else list(_RELEASE_LINES)
    found: list[str] = []
    for version in versions:
        titles = [t for t in _signature_rules(version) if re.search(rf"\b{re.escape(parameter)}\b", t)]
        titles.sort(key=lambda t: "constructor" not in t)  # the rule about the signature itself first
        if titles and titles[0] not in found:
            found.append(titles[0])
    return " / ".join(found) or None
