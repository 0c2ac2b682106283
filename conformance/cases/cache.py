"""The shipped cases, validated once per content rather than once per command.

Loading the shipped case set validates 757 cases against the JSON schema and materializes
every input, about 2.3 s: more than a documentation page takes to check. The shipped files
change only with the suite, so the validated cases are kept in the user's cache folder
(`$XDG_CACHE_HOME/wbimage-conformance`, else `~/.cache/wbimage-conformance`) under a key that
covers everything validation depends on: the case files (names and contents), SPEC.md, the
schema, the suite's version, the source of the code that validates and the versions of the
libraries it runs on. An entry is used only
when its key is that key and its payload is whole (its own sha256); anything else, unreadable
included, is rebuilt by the full validation and written anew (atomically, so a reader never
sees half a file). Cases the user passes (`--cases`) never come from here: they are
validated every time (casefiles.load_case_set).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import wbimage_conformance
from wbimage_conformance import model, spec, yamlsource
from wbimage_conformance.cases import casefiles
from wbimage_conformance.model import Case, SourceRef
from wbimage_conformance.worker import inputs, protocol

#: Bumped when the entry's layout changes.
FORMAT = 1
#: How bytes and mappings with other keys than strings are written (the key of a one-key object).
BYTES, ITEMS = "$bytes", "$items"
#: The code whose behaviour decides what validation accepts and builds: a change to it is a
#: change of key even when the suite's version stays (an editable install).
_VALIDATING_CODE = (Path(casefiles.__file__).parent, *(Path(m.__file__) for m in (model, yamlsource, inputs, protocol)))
#: The libraries validation runs on (the schema's validator, the YAML parser, the generators' NumPy).
_VALIDATING_LIBRARIES = ("jsonschema", "PyYAML", "numpy")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wbimage-conformance"


def shipped_case_set(cases_dir: Path = spec.CASES_DIR, spec_path: Path = spec.SPEC_PATH,
                     folder: Path | None = None) -> casefiles.CaseSet:
    """The case set under `cases_dir` (checked against `spec_path`), from the cache in
    `folder` (default: cache_dir()) when its entry is current, else validated in full and cached."""
    files = casefiles.case_files([cases_dir])
    key = _key(files, spec_path)
    entry = (folder or cache_dir()) / f"cases-{hashlib.sha256(str(cases_dir.resolve()).encode()).hexdigest()[:16]}.json"
    cases = _read(entry, key)
    if cases is None:
        case_set = casefiles.load_case_set([cases_dir], spec_path=spec_path)
        _write(entry, key, case_set.cases)
        return case_set
    return casefiles.CaseSet(cases, tuple(files), casefiles.case_set_digest(files))


def _key(files: list[Path], spec_path: Path) -> str:
    libraries = " ".join(f"{name}={_version(name)}" for name in _VALIDATING_LIBRARIES)
    digest = hashlib.sha256(f"format {FORMAT}\nsuite {wbimage_conformance.__version__}\n{libraries}\n".encode())
    code = sorted(p for root in _VALIDATING_CODE for p in ([root] if root.is_file() else root.glob("*.py")))
    for label, path in [("spec", spec_path), ("schema", spec.CASE_SCHEMA_PATH), *(("code", p) for p in code),
                        *(("case", f) for f in files)]:
        digest.update(f"{label} {path}\n".encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _read(entry: Path, key: str) -> tuple[Case, ...] | None:
    """The cached cases, or None when the entry is missing, stale, damaged or unreadable."""
    try:
        header, _, payload = entry.read_bytes().partition(b"\n")
        meta = json.loads(header)
        if meta.get("key") != key or meta.get("sha256") != hashlib.sha256(payload).hexdigest():
            return None
        return tuple(_case(raw) for raw in json.loads(payload, object_hook=_from_json))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _case(raw: dict[str, Any]) -> Case:
    return Case(**{**raw, "clauses": tuple(raw["clauses"]), "allowed": tuple(raw["allowed"]),
                   "sources": tuple(SourceRef(**s) for s in raw["sources"]), "tags": tuple(raw["tags"]),
                   "statements": tuple(raw["statements"])})


def _plain(value: Any) -> Any:
    """`value` as JSON can hold it: bytes (a `!!binary` input) as {"$bytes": base64}, a
    mapping with keys other than strings (a class id) as {"$items": [[key, value], ...]}."""
    if isinstance(value, bytes):
        return {BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and list(value) not in ([BYTES], [ITEMS]):
            return {k: _plain(v) for k, v in value.items()}
        return {ITEMS: [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _from_json(value: dict[str, Any]) -> Any:
    if list(value) == [BYTES]:
        return base64.b64decode(value[BYTES])
    if list(value) == [ITEMS]:
        return {k: v for k, v in value[ITEMS]}
    return value


def _write(entry: Path, key: str, cases: tuple[Case, ...]) -> None:
    """Cache `cases`, unless JSON would not give them back exactly (then every load validates).
    A cache that cannot be written (a read-only home) costs only time, so that is not an error."""
    try:
        payload = json.dumps([_plain(dataclasses.asdict(c)) for c in cases], ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        return
    if repr(tuple(_case(raw) for raw in json.loads(payload, object_hook=_from_json))) != repr(cases):
        return
    header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest()}).encode("ascii")
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=entry.name, suffix=".tmp", delete=False) as out:
            temporary = out.name
            out.write(header + b"\n" + payload)
        os.replace(temporary, entry)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
