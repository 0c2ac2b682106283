"""Triage: a failing run explained by root cause.

After a run, every unexpected result is tested against named hypotheses about the
implementation (rounding instead of truncating, channels-last tensors, NaN made 255, ...).
A hypothesis is claimed for a result only where recomputing the case's input under it, with
the oracle's exact arithmetic, reproduces the observed output exactly, and a pipeline variant
only where the run's other unexpected results agree with it; what none explains is listed as
unexplained. Modules: `variants` (the spec's pipeline with decisions changed), `context`
(what a test sees of one result), `cause` (a hypothesis), `hypotheses` (the generic ones),
`evidence` (a variant judged over the run), `grouping` (a run's results to causes),
`clauses` (a clause's sentence). The release
rules (wbimage_conformance.triage.release_rules) are causes of the same kind.
"""

from wbimage_conformance.triage.cause import Cause
from wbimage_conformance.triage.context import Context, context
from wbimage_conformance.triage.grouping import CauseGroup, Triage, triage, triage_report

__all__ = ["Cause", "CauseGroup", "Context", "Triage", "context", "triage", "triage_report"]
