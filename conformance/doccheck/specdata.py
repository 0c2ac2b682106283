"""What the doc checks need from the spec's cases, read once.

The expected signature and class constants are not restated here: they are the expected
values of the spec's own cases (the `signature` case of [api.signature], the `attribute`
cases of [limits.constants]), so a page is held to exactly what an implementation is held
to. Examples map to cases through the cases' `sources` (doc, locale, example).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wbimage_conformance.cases import casefiles as case_files
from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Case


class SpecDataError(ConfigurationError):
    """The cases lack what the doc checks rely on (exit code 2)."""


@dataclass(frozen=True)
class Constant:
    name: str
    value: Any
    case: str


@dataclass(frozen=True)
class SpecData:
    cases: tuple[Case, ...]
    parameters: tuple[tuple[str, Any], ...]   # after data_or_path: (name, default)
    signature_case: str
    constants: tuple[Constant, ...]

    def cases_for_example(self, locale: str, example: str, doc: str | None = None) -> list[str]:
        """Ids of the cases whose sources cite this example of this locale (and doc, if known)."""
        found = []
        for case in self.cases:
            for source in case.sources:
                if source.locale == locale and source.example == example and (doc is None or source.doc == doc):
                    found.append(case.id)
                    break
        return found

    def examples_for(self, locale: str, doc: str) -> dict[str, list[str]]:
        """example key -> case ids, for every example the spec's cases cite in this doc and locale."""
        table: dict[str, list[str]] = {}
        for case in self.cases:
            for source in case.sources:
                if source.locale == locale and source.doc == doc and source.example:
                    ids = table.setdefault(source.example, [])
                    if case.id not in ids:
                        ids.append(case.id)
        return table

    def cases_for_clause(self, clause: str, locale: str | None = None, limit: int = 8) -> list[str]:
        """Ids of cases citing `clause`, those citing this locale first; at most `limit`."""
        citing = [c for c in self.cases if clause in c.clauses]
        if locale is not None:
            citing.sort(key=lambda c: 0 if any(s.locale == locale for s in c.sources) else 1)
        return [c.id for c in citing[:limit]]

    def constant(self, name: str) -> Constant | None:
        return next((c for c in self.constants if c.name == name), None)


def load(paths: Sequence[Path | str] | None = None) -> SpecData:
    """The spec data of the case files under `paths` (default: the shipped cases), loaded
    once per process for the same paths. Files validated before are not validated again
    (cases/cache.py)."""
    return _load(tuple(str(p) for p in paths) if paths else None)


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...] | None) -> SpecData:
    case_set = case_files.load_case_set(list(paths) if paths else None)
    signature = [c for c in case_set.cases if c.call.get("api") == "signature" and "api.signature" in c.clauses
                 and c.expect and isinstance(c.expect.get("value"), list)]
    if not signature:
        raise SpecDataError("no case of clause api.signature with call api 'signature' and an expected value: "
                            "the signature block cannot be checked")
    parameters = tuple((str(p[0]), p[1]) for p in signature[0].expect["value"])  # type: ignore[index]
    constants = tuple(
        Constant(str(c.call["name"]), c.expect["value"], c.id)
        for c in case_set.cases
        if c.call.get("api") == "attribute" and "limits.constants" in c.clauses and c.expect and "value" in c.expect
    )
    return SpecData(case_set.cases, parameters, signature[0].id, constants)
