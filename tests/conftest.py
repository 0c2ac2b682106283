"""Shared setup: tests/fixtures (toy and deliberately wrong implementations, runner helpers)
and spec/tools (the case generator, a development tool that is not installed) are importable
by plain name in every test module."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE / "fixtures", HERE.parent / "spec" / "tools"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
