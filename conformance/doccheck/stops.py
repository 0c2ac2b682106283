"""Why a block of a page's session stopped, and whether that is the page's fault.

A reader runs a documentation page with their own data, model and account. What the page
leaves to them is not a defect: a name it never defines, a module not installed here, a
placeholder, a file it does not provide, a value only the W&B service returns, the network.
Those are notes, and the note says which wandb.Image calls could therefore not be checked.
What the page gets wrong is an error: an exception from its own code on its own values, a
name it defines under a similar one (names.py reports that before anything runs), an API
name or keyword wandb does not have where the stand-in knows the one meant.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from wbimage_conformance.doccheck.names import PageNames
from wbimage_conformance.doccheck.sessions import Job
from wbimage_conformance.doccheck.source import PLACEHOLDER_NAME

#: Exceptions that say a file is not there: the page expects the reader's own.
_FILE_ERRORS = frozenset({"FileNotFoundError", "IsADirectoryError", "NotADirectoryError"})
#: Exceptions that say the network is closed.
_NETWORK_ERRORS = frozenset({"NetworkBlocked", "ConnectionRefusedError", "ConnectionError", "gaierror", "URLError",
                             "ConnectTimeout", "ConnectionResetError", "HTTPError", "SSLError"})
#: Stand-in exceptions (worker/wandb_standin.py).
_SERVICE_VALUE = "StandInLimit"
_UNKNOWN_API = frozenset({"UnknownAPI", "APISignatureError"})


@dataclass(frozen=True)
class Stop:
    severity: str                      # "error" or "note"; "" when another finding already says it
    message: str


def explain(error: dict[str, Any], job: Job, names: PageNames, stopped: dict[int, int], page_line: int) -> Stop:
    """What to report for a block that raised `error` (not in wandb.Image: examples.py judges
    those) at `page_line`. `stopped` maps the fence line of every earlier block that stopped to
    the page line where it stopped."""
    kind, message = str(error.get("type")), str(error.get("message"))
    said = f"{kind}: {message}"
    if kind == "Timeout":
        return Stop("error", message)
    missing = error.get("missing_module")
    if kind in ("ModuleNotFoundError", "ImportError") and missing:
        return Stop("note", f"needs the module {missing!r}, which is not installed here ({said}); install it "
                            "for a fuller check")
    if kind == "NameError":
        return _name_stop(str(error.get("name") or ""), job, names, page_line)
    if error.get("origin") == "stand-in":
        if kind == _SERVICE_VALUE:
            return Stop("note", f"needs a value only the W&B service provides ({message})")
        if kind in _UNKNOWN_API:
            suggestion = error.get("suggestion")
            if suggestion:
                return Stop("error", f"{message}; did you mean {suggestion!r}?")
            return Stop("note", f"{message}: not in the wandb API the checker knows, so not checked")
    if page_line in names.placeholder_lines or "ellipsis" in message.lower():
        return Stop("note", f"uses a placeholder the reader fills in (`...`), so it stops here ({said})")
    if kind in _FILE_ERRORS:
        return Stop("note", f"needs a file the page does not provide ({said})")
    if kind in _NETWORK_ERRORS:
        return Stop("note", f"needs the network, which examples do not have ({said})")
    upstream = _depends_on_stopped(job, names, stopped, page_line)
    if upstream is not None:
        return Stop("note", f"{said}; it uses what line {upstream} would have made, and that line did not run")
    return Stop("error", f"the example raises {said}")


def _name_stop(name: str, job: Job, names: PageNames, page_line: int) -> Stop:
    if name == PLACEHOLDER_NAME:
        return Stop("note", "a placeholder the reader fills in (`<...>`) stops the block here")
    unbound = names.about(job.block, page_line, name)
    if unbound is not None and unbound.is_defect:
        return Stop("", "")  # names.py reports it as an error at this line
    if unbound is not None and unbound.reason == "implied":
        return Stop("note", f"`{name}` is a name the page takes for granted ({unbound.other!r}), and that did not "
                            "work here (a module not installed?)")
    if unbound is not None and unbound.reason == "later":
        return Stop("note", f"`{name}` is defined only further down the page (line {unbound.other_line})")
    bound = names.bound_at.get(name)
    if bound is not None and bound < page_line:
        return Stop("note", f"`{name}` is defined at line {bound}, which did not run")
    return Stop("note", f"`{name}` is never defined on this page: the reader supplies it (a fragment)")


def _depends_on_stopped(job: Job, names: PageNames, stopped: dict[int, int], page_line: int) -> int | None:
    """The line where an earlier block stopped, if the failing statement uses a name that
    block binds (its value is then not what the page meant)."""
    if not stopped or job.block.tree is None:
        return None
    code_line = page_line - job.block.block.first_line + 1
    used: set[str] = set()
    for statement in ast.walk(job.block.tree):
        if isinstance(statement, ast.stmt) and statement.lineno <= code_line <= (statement.end_lineno or 0):
            used |= {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for fence, stop_line in stopped.items():
        if used & names.block_bindings.get(fence, frozenset()):
            return stop_line
    return None
