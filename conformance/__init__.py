"""wbimage-conformance: the spec of how `wandb.Image` turns arrays and tensors into pixels,
a reference implementation, and the suite that checks any implementation against it.

Installed, everything lives under this one import root; the repository's folders map to it
(`conformance/` is this package, `reference/` is `wbimage_conformance.reference`, `spec/`
is `wbimage_conformance.spec`). Zones, in the order data flows through them:

- `spec`: SPEC.md, the case files and their schema (data);
- `cases`: case files read, validated and selected; inputs generated and materialized;
- `oracle`: the spec's formulas in exact arithmetic (expected values, recomputation);
- `worker`: what runs in the implementation's own interpreter: protocol, inputs, adapters
  (standard library, NumPy and Pillow only; see worker/__init__.py);
- `run`: the runner, comparison, expectations, reproductions;
- `report`: text, JSON, JUnit, Markdown and HTML;
- `commands`, `fuzz`, `doccheck`, `releases`: what users call.

This file stays import-free beyond the standard library: workers import it under other
interpreters.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("wbimage-conformance")
except _metadata.PackageNotFoundError:  # a worker bundle under another interpreter
    __version__ = "0+unknown"
