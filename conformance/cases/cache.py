"""Which case files have passed validation, so that an unchanged file is not validated again.

Validating case files (the JSON schema, inline values, generator digests, expected pictures,
files Pillow must write) costs about 2 s for the 757 shipped cases on the machine of
docs/performance.md, and reading them (YAML) most of the rest of a one-case run; both were
paid by every command, and by every test module that loads the cases.

What is kept, per content of a case file: that it validated, and of each of its cases only
what selection reads (id, title, clauses, level) and its line. Never an input or an expected
value: a case that runs is always built from its file, parsed anew, and a file whose cases
differ from what is kept is validated again (casefiles.load_case_set). So an entry that is
damaged, stale or written by someone else can change neither a case nor a verdict; at most
which cases of files not read match a selection (`-k`, `--clause`).

The key is a sha256 over the file's bytes and everything validation depends on: the entry
format, the suite's version, the schema, the clauses and statements of SPEC.md, the source of
the validating code (an editable install changes it without a new version) and the versions
of the libraries validation runs on. Entries live in the user's cache folder
(`$XDG_CACHE_HOME/wbimage-conformance/validated`, else `~/.cache/...`), one small JSON file per
key, written atomically (temporary file, then rename), the oldest removed beyond MAX_ENTRIES;
one that cannot be read, is larger than stored.CASE_CACHE_ENTRY allows (a file of 757 cases
makes about 100 KB) or does not fit case-cache-entry.schema.json counts as absent.
A cache that cannot be written (a read-only home) costs only time.

Who can write an entry: the user, who can as well edit the case files; an implementation
under the default sandbox sees no home folder at all (run/sandbox.py). An entry is trusted to
say only that these bytes validated.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import wbimage_conformance
from wbimage_conformance import model, spec, stored, user_cache, yamlsource
from wbimage_conformance.stored import schemas
from wbimage_conformance.worker import inputs, protocol

#: Bumped when an entry's layout changes.
FORMAT = 2
SCHEMA = "case-cache-entry.schema.json"
#: An entry larger than this is not read.
MAX_ENTRY_BYTES = stored.CASE_CACHE_ENTRY.max_bytes
#: Entries kept at most: each edit of a case file makes one, so the oldest go beyond this.
MAX_ENTRIES = 2000
#: The code whose behaviour decides what validation accepts: this folder and the modules it reads with.
_VALIDATING_CODE = (Path(__file__).parent, *(Path(inspect.getfile(m)) for m in (model, yamlsource, inputs, protocol)))
#: The libraries validation runs on: the schema's validator, the YAML parser, the generators'
#: NumPy, and Pillow, which must be able to write every path input's file.
_VALIDATING_LIBRARIES = ("jsonschema", "PyYAML", "numpy", "pillow")


@dataclass(frozen=True)
class CaseSummary:
    """What selection reads of a case, and its line: all an entry holds about it."""

    id: str
    title: str
    clauses: tuple[str, ...]
    level: str
    line: int

    @classmethod
    def of(cls, case: model.Case) -> CaseSummary:
        return cls(case.id, case.title, case.clauses, case.level, case.line)


def cache_dir() -> Path:
    return user_cache.folder(user_cache.SUITE)


def context(known_clauses: Iterable[str] | None, known_statements: Iterable[str] | None) -> str:
    """The digest of everything but the file that validation depends on (see the module's docstring)."""
    digest = hashlib.sha256(f"format {FORMAT}\nsuite {wbimage_conformance.__version__}\n".encode())
    for name in _VALIDATING_LIBRARIES:
        digest.update(f"library {name} {_version(name)}\n".encode())
    for label, ids in (("clauses", known_clauses), ("statements", known_statements)):
        digest.update(f"{label} {'unchecked' if ids is None else ' '.join(sorted(ids))}\n".encode())
    code = sorted(p for root in _VALIDATING_CODE for p in ([root] if root.is_file() else root.glob("*.py")))
    for label, path in [("schema", Path(spec.CASE_SCHEMA_PATH)), *(("code", p) for p in code)]:
        digest.update(f"{label} {path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _entry(content: bytes, validation_context: str, folder: Path | None) -> tuple[Path, str]:
    key = hashlib.sha256(validation_context.encode("ascii") + b"\n" + hashlib.sha256(content).digest()).hexdigest()
    return (folder or cache_dir()) / "validated" / f"{key}.json", key


def recall(content: bytes, validation_context: str, folder: Path | None = None) -> tuple[CaseSummary, ...] | None:
    """The summaries kept for a file of these bytes that validated in this context, or None
    when there is no usable entry: missing, unreadable (read as every stored file is: a FIFO or
    a device is not waited on), too large, not of case-cache-entry.schema.json, of another key."""
    entry, key = _entry(content, validation_context, folder)
    try:
        data, _ = stored.read_json(entry, stored.CASE_CACHE_ENTRY)
    except stored.StoredFileError:
        return None
    if not schemas.is_valid(data, SCHEMA) or data["key"] != key:
        return None
    return tuple(CaseSummary(case_id, title, tuple(clauses), level, line)
                 for case_id, title, clauses, level, line in data["cases"])


def remember(content: bytes, validation_context: str, summaries: Iterable[CaseSummary],
             folder: Path | None = None) -> None:
    """Keep that a file of these bytes validated, with its cases' summaries."""
    entry, key = _entry(content, validation_context, folder)
    payload = json.dumps({"key": key, "cases": [[s.id, s.title, list(s.clauses), s.level, s.line] for s in summaries]},
                         ensure_ascii=False).encode("utf-8")
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=entry.name, suffix=".tmp", delete=False) as out:
            temporary = out.name
            out.write(payload)
        os.replace(temporary, entry)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    _prune(entry.parent)


def _prune(folder: Path) -> None:
    """Remove the least recently written entries beyond MAX_ENTRIES (only when a file was
    validated, never on the fast path)."""
    with contextlib.suppress(OSError):
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for stale in entries[: max(0, len(entries) - MAX_ENTRIES)]:
            stale.unlink()
