"""Every request the runner sends for the shipped cases follows the protocol's JSON Schema
(conformance/schemas/protocol.schema.json), so a porter who validates requests against it, or
reads it instead of spec/PROTOCOL.md, is told every member a request can carry."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from wbimage_conformance.cases import casefiles, materialize
from wbimage_conformance.worker import protocol

SCHEMA = json.loads((Path(protocol.__file__).parents[1] / "schemas" / "protocol.schema.json").read_text("utf-8"))


def test_every_request_for_the_shipped_cases_follows_the_schema(tmp_path):
    validator = jsonschema.Draft202012Validator({**SCHEMA, "$ref": "#/$defs/run_request"})
    problems = []
    for number, case in enumerate(casefiles.load_cases()):
        built = materialize.materialize(case)
        staging = materialize.Staging(tmp_path / f"case-{number}", shared=tmp_path)
        call = {**case.call, "kwargs": materialize.kwargs_to_wire(built, staging)}
        request = json.loads(protocol.dumps(protocol.run_request(case.id, call, materialize.to_wire(built, staging))))
        problems += [f"{case.id}: {error.message[:200]}" for error in validator.iter_errors(request)]
    assert not problems, "\n".join(problems)
