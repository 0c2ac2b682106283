"""The worker side runs under other interpreters: it imports only the standard library, NumPy,
Pillow and its own two packages, and a foreign interpreter gets exactly those on its path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import wbimage_conformance
from wbimage_conformance.run import runner, worker_bundle
from wbimage_conformance.worker import protocol

#: Run inside a fresh interpreter whose path holds the bundle first: every module of the bundle
#: is imported and a conversation is served, with an import hook that refuses any top-level
#: name other than the standard library's, NumPy, PIL and wbimage_conformance.
PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys
ALLOWED = set(sys.stdlib_module_names) | {"numpy", "PIL", "wbimage_conformance"}
refused = []
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top not in ALLOWED and not top.startswith("_"):
            refused.append(name)
            raise ImportError(f"the worker side may not import {name}")
        return None
sys.meta_path.insert(0, Refuse())
import wbimage_conformance
assert wbimage_conformance.__file__.startswith(sys.argv[1]), wbimage_conformance.__file__
modules = []
for package in ("wbimage_conformance.worker", "wbimage_conformance.reference"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
        modules.append(info.name)
from wbimage_conformance.worker import serve
from wbimage_conformance.worker.adapters import load
adapter = load("reference")
replies = [serve.handle(adapter, json.loads(line)) for line in sys.stdin]
print(json.dumps({"modules": modules, "refused": refused, "replies": replies,
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}, default=str))
"""


def _requests() -> str:
    array = protocol.encode_array(np.array([[0.2, 0.3]], dtype=np.float32))
    messages = [
        protocol.run_request("array", {"api": "Image"}, {"kind": "numpy", "array": array}),
        protocol.run_request("pil", {"api": "Image"},
                             {"kind": "pil", "array": protocol.encode_array(np.zeros((2, 2, 3), np.uint8)), "mode": "RGB"}),
        protocol.run_request("tensor", {"api": "Image"}, {"kind": "tensor", "array": array}),
    ]
    return "".join(json.dumps(m) + "\n" for m in messages)


def test_the_bundle_holds_only_the_worker_side_and_the_reference():
    package = worker_bundle.bundle_dir() / "wbimage_conformance"
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "reference", "worker"]
    assert not list(package.rglob("*.yaml"))
    assert [p.relative_to(package).as_posix() for p in package.rglob("*.json")] == ["worker/wandb_api.json"]


def test_the_worker_side_imports_only_the_standard_library_numpy_and_pillow():
    bundle = worker_bundle.bundle_dir()
    done = subprocess.run([sys.executable, "-c", PROBE, str(bundle)], input=_requests(), capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(bundle), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # torch is refused as if not installed (the tensor case asked for it); `org` is the standard
    # library's own probe for Jython (copy.py), caught where it is made
    assert set(report["refused"]) - {"org"} == {"torch"}, report["refused"]
    assert "wbimage_conformance.worker.serve" in report["modules"]
    assert "wbimage_conformance.reference.image" in report["modules"]
    third_party = {m for m in report["loaded"] if not m.startswith("_")} - set(sys.stdlib_module_names)
    assert third_party == {"numpy", "PIL", "wbimage_conformance"}  # `_`-names: site's .pth hooks
    array, pil, tensor = report["replies"]
    assert array["outcome"] == "observed" and pil["outcome"] == "observed"
    assert tensor["outcome"] == "skipped" and "torch" in tensor["reason"]


def test_a_foreign_interpreter_gets_the_bundle_and_not_this_environment(tmp_path):
    """A wrapper script is another interpreter as far as the runner can tell; the worker it
    starts must import the suite from the bundle, ahead of this environment's site-packages."""
    wrapper = tmp_path / "python"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    spec = runner.ImplSpec.parse(f"reference@{wrapper}")
    assert spec.command[:3] == (str(wrapper), "-m", "wbimage_conformance.worker")
    bundle = str(worker_bundle.bundle_dir())
    assert spec.env["PYTHONPATH"].split(":")[0] == bundle
    assert str(Path(wbimage_conformance.__file__).parents[1]) not in spec.env["PYTHONPATH"].split(":")
    code = "import wbimage_conformance.worker.serve as s; print(s.__file__)"
    done = subprocess.run([str(wrapper), "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": spec.env["PYTHONPATH"], "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(bundle)


def test_this_interpreter_runs_the_installed_package_without_a_path_change():
    spec = runner.ImplSpec.parse("reference")
    assert spec.command[0] == sys.executable and "PYTHONPATH" not in spec.env
