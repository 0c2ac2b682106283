"""A cause: a named hypothesis about an implementation, and the test that claims it for one
result.

`title` says what the implementation does, in words ("rounds to nearest instead of
truncating"); `hint` says how to recognise it in the pixels and what the spec wants, in one
line; `variant`, when set, is the pipeline the cause stands for (two such causes can be
combined); `clause` is the clause the behaviour breaks (or a function of the context, or None for
the case's own first clause). Titles and clauses may depend on the context (a release rule
naming the Pillow in use), so they are resolved per result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wbimage_conformance.triage.context import Context
from wbimage_conformance.triage.variants import Variant

Text = str | Callable[[Context], str]


@dataclass(frozen=True)
class Cause:
    clause: str | Callable[[Context], str] | None
    title: Text
    test: Callable[[Context], bool]
    hint: Text = ""
    id: str = ""
    variant: Variant | None = None   # for causes that are a variant of the spec's pipeline

    def text(self, ctx: Context) -> str:
        return self.title(ctx) if callable(self.title) else self.title

    def hint_for(self, ctx: Context) -> str:
        return self.hint(ctx) if callable(self.hint) else self.hint

    def clause_for(self, ctx: Context) -> str:
        if callable(self.clause):
            return self.clause(ctx)
        return self.clause or ctx.case.clauses[0]

    def key(self, ctx: Context) -> str:
        """The stable id of the cause as resolved for this result."""
        return self.id or slug(self.text(ctx))

    def holds(self, ctx: Context) -> bool:
        try:
            return bool(self.test(ctx))
        except Exception:
            return False


def slug(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-")
