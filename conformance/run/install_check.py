"""Is the suite judging this run the one that was installed? Checked before any run.

A verdict is only as good as the code computing it: an implementation once run unconfined
(`--sandbox none`) can rewrite the installed oracle, comparison or a module they import, and
every later run of anything would pass. So before a run the suite compares its installed files
with the wheel's own manifest, the dist-info RECORD that pip writes at install time (a sha256
and size for every file it unpacked), and refuses to run from an install that differs: a
changed or missing file, or a file RECORD does not list (a module planted in the package).
Bytecode has no digest there (pip lists what it compiled without one; Python may write more
later), so each .pyc must hold the same code as its verified source; else a planted .pyc would
run in place of a verified .py. Compiling the sources for that is most of the check's cost
(about 0.2 s for the whole package).

RECORD is the manifest, rather than one generated at build time: it already covers every
installed file, including those made at install time, and it can be no easier to forge than a
manifest shipped beside it. What this catches is a change to the installed files after
installation; what it cannot catch is an attacker who also rewrites RECORD, or who changes the
interpreter, its site-packages (a .pth file) or a dependency: the header shows RECORD's own
digest so it can be compared with a known-good install. An editable install or a source
checkout has no manifest: the header says it is not verified.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import marshal
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import wbimage_conformance
from wbimage_conformance.errors import ConfigurationError

DIST_NAME = "wbimage_conformance"
#: A pyc header: magic, flags, then 8 bytes of source stamp (PEP 552); the code object follows.
PYC_HEADER_BYTES = 16


class TamperedInstall(ConfigurationError):
    """The installed suite differs from its manifest (exit code 2)."""


@dataclass(frozen=True)
class Entry:
    path: Path
    digest: str | None    # "sha256=..." as RECORD writes it; None for RECORD itself and bytecode
    size: int | None


def package_dir() -> Path:
    return Path(wbimage_conformance.__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def verify() -> str:
    """The report header's `install` row, once per process; TamperedInstall when the install
    differs from its manifest."""
    return verify_at(package_dir())


def verify_at(package: Path) -> str:
    """`verify` for the suite's package directory `package`."""
    record = find_record(package)
    if record is None:
        return f"{describe_unverified(package)}: files not verified (no installed manifest)"
    entries = read_record(record)
    problem = first_difference(entries, package)
    if problem:
        raise TamperedInstall(
            f"the installed suite was changed after installation: {problem} (manifest: {record}); "
            f"reinstall it (pip install --force-reinstall --no-deps wbimage-conformance) before trusting a run")
    digest = hashlib.sha256(record.read_bytes()).hexdigest()[:16]
    checked = sum(1 for entry in entries if entry.digest)
    return f"wheel at {package}: {checked} files match its RECORD (sha256 {digest}...)"


def find_record(package: Path) -> Path | None:
    """The RECORD of the wheel that installed `package`, beside it in site-packages."""
    for info in sorted(package.parent.glob(f"{DIST_NAME}-*.dist-info")):
        record = info / "RECORD"
        if record.is_file() and f"{DIST_NAME}/__init__.py," in record.read_text(encoding="utf-8"):
            return record
    return None


def describe_unverified(package: Path) -> str:
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file():
        return f"editable install or source checkout at {checkout}"
    return f"unpacked at {package}"


def read_record(record: Path) -> list[Entry]:
    """RECORD's entries inside site-packages: the package and its dist-info. The console script
    pip writes elsewhere is left out: its recorded path depends on how pip was asked to install
    (wrong under --target), and a changed script runs before any check could."""
    base = record.parent.parent
    entries = []
    for row in csv.reader(io.StringIO(record.read_text(encoding="utf-8"))):
        if not row or not row[0]:
            continue
        path, digest, size = (row + ["", ""])[:3]
        where = Path(os.path.normpath(base / path))
        if where.is_relative_to(base):
            entries.append(Entry(where, digest or None, int(size) if size else None))
    return entries


def first_difference(entries: list[Entry], package: Path) -> str | None:
    """The first file that is not as RECORD says, in words; None when all are. pip lists the
    bytecode it compiles without a digest: that, like bytecode Python wrote later, must hold
    the code of its verified source."""
    listed: set[Path] = set()
    for entry in entries:
        if entry.digest is None:
            continue
        listed.add(entry.path)
        try:
            data = entry.path.read_bytes()
        except OSError:
            return f"{entry.path} is missing"
        if entry.size is not None and len(data) != entry.size or _digest(data) != entry.digest:
            return f"{entry.path} does not match its sha256 in RECORD"
    for path in sorted(p for p in package.rglob("*") if not p.is_dir()):
        if path in listed:
            continue
        if path.suffix == ".pyc" and path.parent.name == "__pycache__":
            module, tag, *rest = path.name.split(".")
            source = path.parent.parent / f"{module}.py"
            if tag != sys.implementation.cache_tag:
                continue  # bytecode of another interpreter: never loaded by this one
            if source in listed:
                optimize = int(rest[0][len("opt-"):]) if rest[0].startswith("opt-") else 0
                if _same_code(path, source, optimize):
                    continue
                return f"{path} holds other code than {source.name} compiles to"
        return f"{path} is not in RECORD (a file added after installation)"
    return None


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _same_code(pyc: Path, source: Path, optimize: int) -> bool:
    """Bytecode Python wrote itself holds the code its source compiles to."""
    try:
        written = marshal.loads(pyc.read_bytes()[PYC_HEADER_BYTES:])
        compiled = compile(source.read_bytes(), str(source), "exec", dont_inherit=True, optimize=optimize)
    except (OSError, ValueError, EOFError, TypeError, SyntaxError):
        return False
    return written == compiled
