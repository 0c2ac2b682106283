"""Started by Python itself in every interpreter the captured program runs (this folder is
first on PYTHONPATH): loads the capture agent from its files and starts it, then hands over
to the `sitecustomize` this one hides, if the environment has one.

The agent is loaded under its own top-level name, `wbimage_capture_agent`, so the program's
interpreter needs neither wbimage_conformance nor anything beyond NumPy, and nothing else of
this package is put on its path. Any failure here is reported on stderr once and the
program runs uncaptured, as Python would run it.
"""

import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_AGENT = os.path.join(os.path.dirname(_HERE), "agent")


def _start_agent():
    spec = importlib.util.spec_from_file_location(
        "wbimage_capture_agent", os.path.join(_AGENT, "__init__.py"), submodule_search_locations=[_AGENT])
    agent = importlib.util.module_from_spec(spec)
    sys.modules["wbimage_capture_agent"] = agent
    spec.loader.exec_module(agent)
    agent.start_from_environment()


def _chain():
    """Run the next sitecustomize on the path, as if this one were not there."""
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find("sitecustomize", rest) if find else None
        if spec is not None and spec.origin and os.path.dirname(os.path.abspath(spec.origin)) != _HERE:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


try:
    if os.environ.get("WBIMAGE_CAPTURE_DIR"):  # the agent's record.ENV_DIR; without it there is nothing to do
        _start_agent()
except Exception as exc:  # noqa: BLE001 - the program must run even when capture cannot
    sys.stderr.write(f"wbimage capture: not capturing in this process: {type(exc).__name__}: {exc}\n")
_chain()
