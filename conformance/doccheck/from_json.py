"""A saved `docs check` JSON report read back into a DocsReport, so `report` can render it in
any format or merge the shards of one check. Everything a docs report shows is in its JSON,
so nothing is lost on the way back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wbimage_conformance import stored
from wbimage_conformance.doccheck import findings
from wbimage_conformance.doccheck.report import SCHEMA_ID
from wbimage_conformance.report.from_json import ReportFileError
from wbimage_conformance.stored import schemas

SCHEMA = "docs-report.schema.json"

__all__ = ["SCHEMA_ID", "from_data", "is_docs_report"]


def is_docs_report(data: Any) -> bool:
    return isinstance(data, dict) and data.get("schema") == SCHEMA_ID


def from_data(data: Any, where: str = "<report>", line_at: Callable[[Sequence[Any]], int] | None = None) -> findings.DocsReport:
    """The DocsReport a JSON docs report describes; ReportFileError (exit code 2) naming the
    file, the line (`line_at`: the data path's line in the file) and the field when it does
    not follow the schema, as for every stored file (stored.schemas)."""
    try:
        schemas.check(data, SCHEMA, stored.Source(where, line_at), "wbimage-conformance docs report")
    except stored.StoredFileError as exc:
        raise ReportFileError(str(exc)) from None
    shard = data["shard"]
    return findings.DocsReport(
        implementation=data["implementation"],
        pages=tuple(_page(p) for p in data["pages"]),
        findings=tuple(_finding(f) for f in data["findings"]),
        runs=tuple(findings.ExampleRun(r["file"], r["line"], r["example"], r["status"], r["duration_s"], r["images"],
                                tuple(r["logged"]), r["message"]) for r in data["runs"]),
        duration_s=data["summary"]["duration_s"],
        environment=dict(data["environment"]),
        skipped=tuple(findings.SkippedPage(s["path"], s["reason"]) for s in data["skipped"]),
        walked=data["summary"]["walked"],
        shard=None if shard is None else findings.DocsShard(shard["index"], shard["count"], tuple(shard["selection"])),
        readings=tuple(findings.SentenceReading(r["file"], r["line"], r["text"], tuple(r["statements"]),
                                                tuple(r["problems"]), tuple(r["other"]), r["understood"])
                       for r in data.get("sentences", [])),
    )


def _page(p: dict[str, Any]) -> findings.PageSummary:
    blocks = tuple(findings.BlockSummary(b["line"], b["kind"], b["subject"], tuple(b["clauses"]), tuple(b["cases"]),
                                  b["status"]) for b in p["blocks"])
    return findings.PageSummary(p["path"], p["locale"], p["locale_source"], p["doc"], p["title"], p["identifier"],
                         p["translation_key"], blocks, p["generator"], tuple(p["doc_evidence"]))


def _finding(f: dict[str, Any]) -> findings.Finding:
    related = tuple(findings.Location(r["file"], r["line"]) for r in f["related"])
    return findings.Finding(findings.Severity(f["severity"]), f["check"], f["file"], f["line"], f["subject"],
                            f["message"], tuple(f["clauses"]), tuple(f["cases"]), related)
