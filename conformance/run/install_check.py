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
digest so it can be compared with a known-good install.

An installed copy (a package folder named `wbimage_conformance`) must have its manifest: with
RECORD deleted, or its dist-info folder gone or doubled, a changed judge would otherwise run as
"not verified"; so that is refused too. Its dist-info folder is checked like the package: a
file there that RECORD does not list is refused, except the metadata installers may write
after RECORD (INSTALLER, REQUESTED, direct_url.json; pip lists them, others need not), which
holds no code. An editable install or a source checkout (the folder `conformance/` beside the
project's pyproject.toml) has no manifest: the header says it is not verified.
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
#: The source folder of the package in a checkout (pyproject.toml maps it to DIST_NAME).
CHECKOUT_NAME = "conformance"
#: Files of a dist-info folder an installer may write without listing them in RECORD.
UNLISTED_METADATA = frozenset({"INSTALLER", "REQUESTED", "direct_url.json"})
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


@functools.cache
def verify() -> str:
    """The report header's `install` row, once per process; TamperedInstall when the install
    differs from its manifest."""
    return verify_at(package_dir())


def verify_at(package: Path) -> str:
    """`verify` for the suite's package directory `package`."""
    if is_checkout(package):
        return f"editable install or source checkout at {package.parent}: files not verified (no installed manifest)"
    record = find_record(package)
    entries = read_record(record)
    problem = first_difference(entries, package) or first_unlisted_metadata(entries, record.parent)
    if problem:
        _refuse(f"{problem} (manifest: {record})")
    digest = hashlib.sha256(record.read_bytes()).hexdigest()[:16]
    checked = sum(1 for entry in entries if entry.digest)
    return f"wheel at {package}: {checked} files match its RECORD (sha256 {digest}...)"


def _refuse(problem: str) -> None:
    raise TamperedInstall(
        f"the installed suite was changed after installation: {problem}; "
        f"reinstall it (pip install --force-reinstall --no-deps wbimage-conformance) before trusting a run")


def is_checkout(package: Path) -> bool:
    """The package is the source folder of a checkout (run from it, or installed editable)."""
    return package.name == CHECKOUT_NAME and (package.parent / "pyproject.toml").is_file()


def find_record(package: Path) -> Path:
    """The RECORD of the wheel that installed `package`, beside it in site-packages: exactly one
    dist-info folder of the suite, whose RECORD lists the package."""
    infos = sorted(package.parent.glob(f"{DIST_NAME}-*.dist-info"))
    if not infos:
        _refuse(f"{package} has no {DIST_NAME}-*.dist-info folder beside it")
    if len(infos) > 1:
        _refuse(f"{package} has {len(infos)} dist-info folders beside it ({', '.join(i.name for i in infos)})")
    record = infos[0] / "RECORD"
    if not record.is_file():
        _refuse(f"{record} is missing")
    if f"{DIST_NAME}/__init__.py," not in record.read_text(encoding="utf-8", errors="replace"):
        _refuse(f"{record} does not list {DIST_NAME}/__init__.py")
    return record


def first_unlisted_metadata(entries: list[Entry], info: Path) -> str | None:
    """The first file of the dist-info folder `info` that RECORD does not list (RECORD itself
    and UNLISTED_METADATA aside); None when there is none."""
    listed = {entry.path for entry in entries}
    for path in sorted(p for p in info.rglob("*") if not p.is_dir()):
        if path not in listed and path.name != "RECORD" and path.relative_to(info).as_posix() not in UNLISTED_METADATA:
            return f"{path} is not in RECORD (a file added after installation)"
    return None


def read_record(record: Path) -> list[Entry]:
    """RECORD's entries inside site-packages: the package and its dist-info. The console script
    pip writes elsewhere is left out: its recorded path depends on how pip was asked to install
    (wrong under --target), and a changed script runs before any check could."""
    base = record.parent.parent
    entries = []
    try:
        rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        _refuse(f"{record} cannot be read: {exc}")
    for number, row in enumerate(rows, start=1):
        if not row or not row[0]:
            continue
        path, digest, size = (row + ["", ""])[:3]
        if size and not size.isdigit():
            _refuse(f"{record}, line {number}: the size {size[:40]!r} is not a whole number")
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
        if (entry.size is not None and len(data) != entry.size) or _digest(data) != entry.digest:
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
