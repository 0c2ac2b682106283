"""Which releases a `--releases` argument means.

`A..B` is every final release on the package index from A to B, both included; `X` is one
release; `X,Y,...` are the releases listed (each must be on the index). Pre-releases and
development releases never count: a history is of what users install by default. The index is
asked through pip (`pip index versions`), so its configuration (mirrors, certificates) applies.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from wbimage_conformance.errors import ConfigurationError, UsageError

PACKAGE = "wandb"


class PackageIndexError(ConfigurationError):
    """The package index could not be asked which releases exist (exit code 2)."""


@dataclass(frozen=True)
class ReleaseRange:
    """`--releases` as given: a range (`low`..`high`) or an explicit list (`listed`)."""

    text: str
    low: Version | None = None
    high: Version | None = None
    listed: tuple[Version, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ReleaseRange:
        """`A..B`, `X` or `X,Y,...`; UsageError naming the part that is not a version."""
        cleaned = text.strip()
        if ".." in cleaned:
            low_text, _, high_text = cleaned.partition("..")
            low, high = _version(low_text, text), _version(high_text, text)
            if low > high:
                raise UsageError(f"--releases {text}: the range is empty ({low} is after {high})")
            return cls(text, low=low, high=high)
        parts = [p for p in cleaned.split(",") if p.strip()]
        if not parts:
            raise UsageError("--releases: expected A..B, X or X,Y,...")
        listed = tuple(_version(p, text) for p in parts)
        early = [str(v) for v in listed if _pre(v)]
        if early:
            raise UsageError(f"--releases {text}: pre-releases are not part of a history: {', '.join(early)}")
        return cls(text, listed=listed)

    def select(self, available: Iterable[str]) -> list[str]:
        """The final releases of `available` this range holds, oldest first; a listed release
        the index does not have is a UsageError."""
        finals = sorted({Version(v) for v in _versions(available) if not _pre(Version(v))})
        if self.listed:
            missing = [str(v) for v in self.listed if v not in finals]
            if missing:
                raise UsageError(f"--releases {self.text}: not a final release on the index: {', '.join(missing)}")
            return [str(v) for v in sorted(set(self.listed))]
        assert self.low is not None and self.high is not None
        chosen = [str(v) for v in finals if self.low <= v <= self.high]
        if not chosen:
            raise UsageError(f"--releases {self.text}: no final release on the index in that range")
        return chosen


def _version(part: str, whole: str) -> Version:
    try:
        return Version(part.strip())
    except InvalidVersion:
        raise UsageError(f"--releases {whole}: {part.strip()!r} is not a version") from None


def _versions(texts: Iterable[str]) -> list[str]:
    out = []
    for text in texts:
        try:
            Version(text)
        except InvalidVersion:
            continue
        out.append(text)
    return out


def _pre(version: Version) -> bool:
    return version.is_prerelease or version.is_devrelease


_AVAILABLE = re.compile(r"^Available versions:\s*(.+)$", re.MULTILINE)


def parse_index_listing(text: str) -> list[str]:
    """The versions in the output of `pip index versions PACKAGE`."""
    match = _AVAILABLE.search(text)
    if not match:
        return []
    return [v.strip() for v in match.group(1).split(",") if v.strip()]


def available(package: str = PACKAGE, python: Sequence[str] = (sys.executable,)) -> list[str]:
    """The versions of `package` on the package index, as pip sees them."""
    command = [*python, "-m", "pip", "index", "versions", package]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PackageIndexError(f"cannot ask the package index for {package}'s releases: {exc}") from None
    versions = parse_index_listing(done.stdout)
    if done.returncode != 0 or not versions:
        last = (done.stderr.strip().splitlines() or ["no versions listed"])[-1]
        raise PackageIndexError(f"cannot ask the package index for {package}'s releases: {last}")
    return versions


def resolve(text: str, offline: Iterable[str] | None = None) -> list[str]:
    """The releases `--releases TEXT` means. A list of versions is taken as it is when every
    one is given exactly (no index needed); a range asks the index unless `offline` (the
    versions known without it, e.g. those with saved runs) is given."""
    wanted = ReleaseRange.parse(text)
    if offline is not None:
        return wanted.select(offline)
    if wanted.listed:
        return [str(v) for v in sorted(set(wanted.listed))]
    return wanted.select(available())
