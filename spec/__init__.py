"""The normative data of wbimage-conformance: SPEC.md, the case files and their schema.

Shipped inside the installed package so the suite runs from any directory.
"""

from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent
SPEC_PATH = SPEC_DIR / "SPEC.md"
CASES_DIR = SPEC_DIR / "cases"
CASE_SCHEMA_PATH = SPEC_DIR / "case.schema.json"
