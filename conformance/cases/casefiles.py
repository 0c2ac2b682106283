"""Case files to `Case` records: parse, validate, locate, check.

Case files are data, never code: they are read with PyYAML's safe loader only. Every problem
is a CaseFileError naming the file and line, the case (id, or index when the id is missing),
the field path and the offending value, so a case author can fix it without a debugger.

A file validated before, byte for byte, is not validated again (cases/cache.py keeps which
files validated, with their cases' ids, titles, clauses, levels and lines); its cases are still
built from its own bytes, and only the files a selection needs are read (load_case_set's `keep`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wbimage_conformance import private_data, spec, yamlsource
from wbimage_conformance.cases import cache, materialize, patterns
from wbimage_conformance.cases.cache import CaseSummary
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case, SourceRef

CASE_SUFFIXES = (".yaml", ".yml")
_CLAUSE_MARKER = re.compile(r"\*\*\[([a-z0-9][a-z0-9.-]*)\]\*\*")
_STATEMENT_MARKER = re.compile(r"\*\*\[([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9-]*)\]\*\*")


class CaseFileError(ConfigurationError, ValueError):
    """A case file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Clause:
    """One clause of SPEC.md: its id and the line it is defined on."""

    id: str
    line: int


@dataclass(frozen=True)
class Statement:
    """One normative statement of a clause (one thing accepted, refused or raised), marked in
    SPEC.md as `**[clause.id:name]**` inside its clause; `id` is "clause.id:name"."""

    id: str
    clause: str
    line: int


# -- clauses --------------------------------------------------------------------------------


def load_clauses(path: Path | str = spec.SPEC_PATH) -> tuple[Clause, ...]:
    """The clauses defined in SPEC.md by `**[clause.id]**` markers, in document order."""
    clauses: list[Clause] = []
    seen: set[str] = set()
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        for match in _CLAUSE_MARKER.finditer(text):
            if match.group(1) not in seen:
                seen.add(match.group(1))
                clauses.append(Clause(match.group(1), number))
    return tuple(clauses)


def load_statements(path: Path | str = spec.SPEC_PATH) -> tuple[Statement, ...]:
    """The statements marked in SPEC.md, in document order. A statement's marker must name
    the clause it stands in (the last clause marker above it) and be unique; anything else
    is a CaseFileError naming the line, since case files cite statements by these ids."""
    statements: list[Statement] = []
    seen: set[str] = set()
    clause = ""
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        for match in _CLAUSE_MARKER.finditer(text):
            clause = match.group(1)
        for match in _STATEMENT_MARKER.finditer(text):
            statement_id = f"{match.group(1)}:{match.group(2)}"
            if match.group(1) != clause:
                raise CaseFileError(
                    f"{path}:{number}: statement {statement_id!r} stands in clause {clause or 'none'!r}")
            if statement_id in seen:
                raise CaseFileError(f"{path}:{number}: statement {statement_id!r} is marked twice")
            seen.add(statement_id)
            statements.append(Statement(statement_id, clause, number))
    return tuple(statements)


def coverage(cases: Iterable[Case], clauses: Iterable[Clause]) -> dict[str, list[str]]:
    """Clause id -> ids of the cases citing it, for every clause (empty list: uncovered)."""
    table: dict[str, list[str]] = {c.id: [] for c in clauses}
    for case in cases:
        for clause in case.clauses:
            table.setdefault(clause, []).append(case.id)
    return table


def statement_coverage(cases: Iterable[Case], statements: Iterable[Statement]) -> dict[str, list[str]]:
    """Statement id -> ids of the cases citing it, for every statement (empty: uncovered)."""
    table: dict[str, list[str]] = {s.id: [] for s in statements}
    for case in cases:
        for statement in case.statements:
            table.setdefault(statement, []).append(case.id)
    return table


# -- files ----------------------------------------------------------------------------------


def case_files(paths: Sequence[Path | str] | None = None) -> list[Path]:
    """The case files under `paths` (files, or directories searched recursively), sorted;
    the shipped cases when `paths` is None. Inside a directory, a symbolic link that leads
    out of it is refused rather than followed; a file reached twice is read once."""
    roots = [Path(p) for p in paths] if paths else [spec.CASES_DIR]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(_files_under(root))
        elif root.is_file():
            found.append(root)
        else:
            raise CaseFileError(f"{root}: no such case file or directory")
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
            private_data.note(resolved)  # the sandbox hides it from implementations
    return unique


def _files_under(root: Path) -> list[Path]:
    top = root.resolve()
    files = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in CASE_SUFFIXES):
        resolved = path.resolve()
        if not resolved.is_relative_to(top):
            raise CaseFileError(f"{path}: a symbolic link to {resolved}, outside {root}; case files are read only "
                                "from inside the folder given")
        if resolved.is_file():
            files.append(path)
    return files


def case_set_digest(files: Iterable[Path]) -> str:
    """sha256 over the sorted sha256s of the files' contents: names and order do not matter,
    one changed byte does."""
    return _digest_of(Path(f).read_bytes() for f in files)


def _digest_of(contents: Iterable[bytes]) -> str:
    digests = sorted(hashlib.sha256(content).hexdigest() for content in contents)
    return "sha256:" + hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # imported here: only case loading needs it, never a worker

    schema = json.loads(Path(spec.CASE_SCHEMA_PATH).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    ecma = jsonschema.validators.extend(cls, {"pattern": _ecma_pattern})
    return ecma(schema)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema's `pattern` with ECMA-262's `$` (the very end), not Python's, which also
    matches before a final newline: an id `"norm-x\n"` must not pass."""
    if not validator.is_type(instance, "string"):
        return
    anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    if re.search(anchored, instance) is None:
        import jsonschema

        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read(path: Path) -> bytes:
    """A case file's bytes, read once: the same bytes are digested, looked up in the cache
    and parsed, so a file changed meanwhile cannot pass as validated."""
    try:
        if not path.is_file():
            raise CaseFileError(
                f"{path}: not a regular file" if path.exists() else f"{path}: cannot read: no such file")
        with open(path, "rb") as handle:
            raw = handle.read(yamlsource.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > yamlsource.MAX_FILE_BYTES:
        raise CaseFileError(f"{path}: larger than {yamlsource.MAX_FILE_BYTES} bytes, the limit for a YAML file")
    return raw


def _parse(path: Path, raw: bytes) -> tuple[Any, yamlsource.Located]:
    try:
        data, located = yamlsource.parse(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except yamlsource.YamlSourceError as exc:
        raise CaseFileError(f"{path}:{exc.line}: {exc.message}" if exc.line else f"{path}: {exc.message}") from None
    if located.root is None:
        raise CaseFileError(f"{path}: the file is empty; a case file holds a mapping with a 'cases' list")
    return data, located


def _case_label(data: Any, index: int) -> str:
    if isinstance(data, dict):
        cases = data.get("cases")
        if isinstance(cases, list) and index < len(cases) and isinstance(cases[index], dict):
            case_id = cases[index].get("id")
            if isinstance(case_id, str):
                return f"case {case_id!r} (#{index})"
    return f"case #{index}"


def _schema_error(path: Path, data: Any, located: yamlsource.Located) -> CaseFileError | None:
    import jsonschema

    errors = list(_validator().iter_errors(data))
    if not errors:
        return None
    error = jsonschema.exceptions.best_match(errors)
    where = list(error.absolute_path)
    line = located.line_at(where)
    if len(where) >= 2 and where[0] == "cases" and isinstance(where[1], int):
        label = _case_label(data, where[1]) + ": "
        field = materialize.dotted(where[2:]) if len(where) > 2 else "(the case)"
    else:
        label, field = "", materialize.dotted(where) or "(top level)"
    return CaseFileError(
        f"{path}:{line}: {label}field {field} = {_short(error.instance)}: {error.message}"
        + (f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else "")
    )


def _check_pixels(expect: dict[str, Any], field: str) -> None:
    """Inline expected pixels must make a uint8 array (the comparator builds it the same way)."""
    if isinstance(expect.get("pixels"), list):
        try:
            materialize.expected_pixels(expect["pixels"])
        except ValueError as exc:
            raise materialize.MaterializeError(f"{field}.pixels", str(exc)) from None


def _check_match(expect: dict[str, Any], field: str) -> None:
    """An error's `match` must be a pattern of the safe subset (cases/patterns.py)."""
    error = expect.get("error")
    if isinstance(error, dict) and isinstance(error.get("match"), str):
        refused = patterns.problem(error["match"])
        if refused:
            raise materialize.MaterializeError(f"{field}.error.match", refused)


_CHANNELS = {"L": 1, "RGB": 3, "RGBA": 4}
_MAX_EXTENT = 2**31


def _check_picture(expect: dict[str, Any], field: str) -> None:
    """An expected image's size, pixels and mode must describe one picture: a contradiction
    is the case's error, not something to blame on the implementation."""
    size, pixels, mode = expect.get("size"), expect.get("pixels"), expect.get("mode")
    if isinstance(size, list):
        for axis, extent in enumerate(size):
            if not 0 <= extent <= _MAX_EXTENT:
                raise materialize.MaterializeError(
                    f"{field}.size[{axis}]", f"{extent} is not between 0 and {_MAX_EXTENT}")
    if isinstance(pixels, list):
        shape = materialize.expected_pixels(pixels).shape
    elif isinstance(pixels, dict) and isinstance(pixels.get("shape"), list):
        shape = tuple(pixels["shape"])
    else:
        return
    if len(shape) not in (2, 3):
        raise materialize.MaterializeError(
            f"{field}.pixels", f"an image's pixels are (height, width[, channels]), not of shape {list(shape)}")
    if isinstance(size, list) and len(size) == 2 and [shape[1], shape[0]] != size:
        raise materialize.MaterializeError(
            f"{field}.size", f"{size} (width, height), but the pixels are {shape[0]} rows of {shape[1]}")
    channels = 1 if len(shape) == 2 else shape[2]
    if mode in _CHANNELS and channels != _CHANNELS[mode]:
        raise materialize.MaterializeError(
            f"{field}.mode", f"{mode!r} has {_CHANNELS[mode]} channel(s), but the pixels have {channels}")


def _build_case(raw: dict[str, Any], path: Path, line: int) -> Case:
    return Case(
        id=raw["id"],
        title=raw["title"],
        clauses=tuple(raw["clauses"]),
        level=raw["level"],
        input=raw["input"],
        call=raw["call"],
        expect=raw.get("expect"),
        allowed=tuple(raw.get("allowed", ())),
        sources=tuple(SourceRef(**s) for s in raw.get("sources", ())),
        tags=tuple(raw.get("tags", ())),
        rationale=raw.get("rationale"),
        statements=tuple(raw.get("statements", ())),
        file=str(path),
        line=line,
    )


def load_file(
    path: Path | str, known_clauses: frozenset[str] | None = None, known_statements: frozenset[str] | None = None
) -> list[Case]:
    """The cases of one file, validated: schema, inline values, generator digests, pixels, and
    (when `known_clauses` is given) that every cited clause exists, and (with
    `known_statements`) every cited statement, whose clause the case must cite too."""
    path = Path(path)
    return _validated(path, _read(path), known_clauses, known_statements)


def _validated(path: Path, raw: bytes, known_clauses: frozenset[str] | None,
               known_statements: frozenset[str] | None) -> list[Case]:
    data, located = _parse(path, raw)
    problem = _schema_error(path, data, located)
    if problem is not None:
        raise problem
    cases: list[Case] = []
    for index, entry in enumerate(data["cases"]):
        line = located.key_line(["cases", index], "id")
        label = _case_label(data, index)
        try:
            if known_clauses is not None:
                for position, clause in enumerate(entry["clauses"]):
                    if clause not in known_clauses:
                        raise materialize.MaterializeError(
                            f"clauses[{position}]", f"{clause!r} is not a clause of SPEC.md"
                        )
            for position, statement in enumerate(entry.get("statements", ())):
                if known_statements is not None and statement not in known_statements:
                    raise materialize.MaterializeError(
                        f"statements[{position}]", f"{statement!r} is not a statement of SPEC.md")
                if statement.partition(":")[0] not in entry["clauses"]:
                    raise materialize.MaterializeError(
                        f"statements[{position}]", f"{statement!r} belongs to clause "
                        f"{statement.partition(':')[0]!r}, which the case does not cite")
            case = _build_case(entry, path, line)
            materialize.materialize(case)  # reads inline values, checks generator digests
            for field, expect in _expectations(case):
                _check_pixels(expect, field)
                _check_match(expect, field)
                if case.call.get("api") == "Image":
                    _check_picture(expect, field)
        except materialize.MaterializeError as exc:
            field_line = located.line_at(["cases", index, *exc.path_parts])
            raise CaseFileError(f"{path}:{field_line}: {label}: field {exc.field}: {exc.message}") from None
        cases.append(case)
    return cases


def _expectations(case: Case) -> list[tuple[str, dict[str, Any]]]:
    if case.expect is not None:
        return [("expect", case.expect)]
    return [(f"allowed[{i}]", e) for i, e in enumerate(case.allowed)]


@dataclass(frozen=True)
class CaseSet:
    """The loaded cases in file order, with what a report header needs about them. `cases` are
    the cases kept (all of them unless load_case_set was given `keep`); `ids` are the ids of
    every case of the files, kept or not."""

    cases: tuple[Case, ...]
    files: tuple[Path, ...]
    digest: str
    ids: tuple[str, ...] = ()

    def by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}


@dataclass
class _File:
    """One case file while a set loads: its bytes, its cases' summaries, and its cases once
    built (None while only the validation cache has spoken for it)."""

    path: Path
    raw: bytes
    summaries: tuple[CaseSummary, ...] = ()
    cases: list[Case] | None = None


class _Validation:
    """Validates files against one SPEC.md, through the cache of files validated before (cases/cache.py)."""

    def __init__(self, spec_path: Path | str | None) -> None:
        self.clauses = frozenset(c.id for c in load_clauses(spec_path)) if spec_path is not None else None
        self.statements = frozenset(s.id for s in load_statements(spec_path)) if spec_path is not None else None
        self.context = cache.context(self.clauses, self.statements)

    def summarize(self, file: _File) -> None:
        """The file's summaries, from the cache when its bytes validated before, else by validating it."""
        known = cache.recall(file.raw, self.context)
        if known is None:
            self.validate(file)
        else:
            file.summaries = known

    def validate(self, file: _File) -> None:
        file.cases = _validated(file.path, file.raw, self.clauses, self.statements)
        file.summaries = tuple(CaseSummary.of(c) for c in file.cases)
        cache.remember(file.raw, self.context, file.summaries)

    def build(self, file: _File) -> list[Case]:
        """The file's cases, parsed from its bytes; validated again unless they are exactly the
        cases its cache entry summarizes (an entry never supplies a case, only vouches for one)."""
        if file.cases is None:
            built = _unchecked_cases(file)
            if built is not None and tuple(CaseSummary.of(c) for c in built) == file.summaries:
                file.cases = built
            else:
                self.validate(file)
        assert file.cases is not None
        return file.cases


def _unchecked_cases(file: _File) -> list[Case] | None:
    """The cases of a file whose bytes the cache says validated, built without validating
    again; None when they cannot be built (then the entry was wrong and validation says why)."""
    try:
        data, located = _parse(file.path, file.raw)
        return [_build_case(raw, file.path, located.key_line(["cases", index], "id"))
                for index, raw in enumerate(data["cases"])]
    except (CaseFileError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _check_unique(files: Iterable[_File]) -> None:
    first_seen: dict[str, str] = {}
    for file in files:
        for case in file.summaries:
            location = f"{file.path}:{case.line}"
            if case.id in first_seen:
                raise CaseFileError(f"{location}: case {case.id!r}: field id = {case.id!r}: "
                                    f"duplicate id, first defined at {first_seen[case.id]}")
            first_seen[case.id] = location


def _summarized(paths: Sequence[Path | str] | None, spec_path: Path | str | None) -> tuple[_Validation, list[_File]]:
    """The case files under `paths`, each with its cases' summaries (from the validation cache,
    or by validating it), ids checked unique across files."""
    validation = _Validation(spec_path)
    files = [_File(path, _read(path)) for path in case_files(paths)]
    for file in files:
        validation.summarize(file)
    _check_unique(files)
    return validation, files


def case_index(
    paths: Sequence[Path | str] | None = None, *, spec_path: Path | str | None = spec.SPEC_PATH,
) -> tuple[tuple[Path, CaseSummary], ...]:
    """Every case under `paths` (default: the shipped cases) as its file and summary, in file
    order, without building a case: listing cases (a test collection parametrized by case id)
    then costs reading the files and the validation cache, not parsing them. A file the cache
    does not vouch for is validated, so a broken one fails here as in load_case_set."""
    _, files = _summarized(paths, spec_path)
    return tuple((file.path, summary) for file in files for summary in file.summaries)


def load_case_set(
    paths: Sequence[Path | str] | None = None, *, spec_path: Path | str | None = spec.SPEC_PATH,
    keep: Callable[[CaseSummary], bool] | None = None,
) -> CaseSet:
    """Load and check every case under `paths` (default: the shipped cases). Case ids must be
    unique across files. With `spec_path=None` cited clauses are not checked. With `keep` (a
    test on a case's id, title, clauses and level, such as selection.predicate), only the
    files holding a kept case are read beyond the validation cache, and only kept cases are built."""
    validation, files = _summarized(paths, spec_path)
    cases: list[Case] = []
    for file in files:
        if keep is None or any(keep(summary) for summary in file.summaries):
            cases.extend(case for case in validation.build(file) if keep is None or keep(CaseSummary.of(case)))
    _check_unique(files)  # again: a file validated anew may have other ids than its entry said
    return CaseSet(tuple(cases), tuple(f.path for f in files), _digest_of(f.raw for f in files),
                   tuple(case.id for f in files for case in f.summaries))


def load_cases(paths: Sequence[Path | str] | None = None) -> list[Case]:
    """The checked cases under `paths`, or the cases shipped in the `spec` package."""
    return list(load_case_set(paths).cases)
