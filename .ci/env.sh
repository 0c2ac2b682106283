# Sourced by the other .ci scripts: makes ./.venv in the checkout and installs the project.
# torch is pinned to 2.13.0 and installed first: that version is served as a local CPU wheel,
# any other spec would pull the CUDA build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
if ! python -c "import torch" 2>/dev/null; then
    python -m pip install -q "torch==2.13.0"
fi
python -m pip install -q -e ".[test]"
# bubblewrap sandboxes the implementations and documentation examples (--sandbox auto); CI
# installs it where it can (root and apt-get). Without it the sandbox tests are skipped with
# the reason and runs use --sandbox none, which the report header says.
if ! command -v bwrap >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null 2>&1 || true
fi
