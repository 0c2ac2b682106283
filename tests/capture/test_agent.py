"""The capture agent in one process: how inputs are described, how wandb.Image is wrapped
(the class and its results untouched), and that it needs nothing but the standard library
and NumPy, since it runs in the user's interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from wbimage_conformance.capture import agent
from wbimage_conformance.capture.agent import describe, hook
from wbimage_conformance.capture.agent.record import Site


@pytest.mark.parametrize("values, dtype, expected", [
    ([[np.nan, 1.5, -np.inf]], np.float64, ("-inf", 1.5, True)),
    ([[np.nan, np.nan]], np.float32, (None, None, True)),
    ([[True, False]], np.bool_, (0, 1, False)),
    ([[0, 2 ** 64 - 1]], np.uint64, (0, 2 ** 64 - 1, False)),
    ([[1 + 2j]], np.complex64, (None, None, False)),
    ([], np.float32, (None, None, False)),
    ([[np.inf, 2.0]], np.float16, (2.0, "inf", False)),
])
def test_the_range_ignores_nan_and_writes_infinities_as_words(values, dtype, expected):
    assert describe.array_range(np.array(values, dtype=dtype)) == expected


def test_an_object_array_is_not_read():
    with pytest.raises(describe.Unreadable, match="object array"):
        describe.host_array(np.array([None]), "numpy")


def test_the_size_of_a_tensor_is_known_before_it_is_copied():
    torch = pytest.importorskip("torch")
    big = torch.empty((1000, 1000, 3), device="meta")
    assert describe.estimated_bytes(big, "torch") == 12_000_000 + describe.NPY_HEADER_BYTES


class Image:
    """A class shaped like wandb.Image, for wrapping in this process."""

    def __init__(self, data_or_path, mode=None, caption=None, normalize=True):
        if isinstance(data_or_path, str) and data_or_path == "refuse":
            raise ValueError("refused as the real one would")
        self.data = data_or_path
        self.mode = mode


def test_the_wrapped_class_returns_and_raises_what_the_original_does(tmp_path):
    hook.wrap(Image)
    recorder = agent.start(str(tmp_path), agent.Limits(max_per_site=3))
    try:
        made = Image(np.zeros((2, 2)), "L", caption="hidden")
        assert type(made) is Image and made.mode == "L" and made.data.shape == (2, 2)
        with pytest.raises(ValueError, match="refused as the real one would"):
            Image("refuse")
        with pytest.raises(TypeError):
            Image()  # wrong arguments: the original's own TypeError, nothing recorded
    finally:
        agent.stop(recorder)
    Image(np.ones(3))  # stopped: the wrap reports to no one
    sites = {site["line"]: site for site in recorder.sites.values()}
    assert sorted(site["calls"] for site in sites.values()) == [1, 1]
    (array_site,) = [site for site in sites.values() if site["samples"][0]["kind"] == "numpy"]
    assert array_site["file"] == __file__ and array_site["function"].startswith("test_the_wrapped_class")
    assert array_site["samples"][0]["kwargs"] == {"mode": "L", "normalize": True}
    assert array_site["samples"][0]["other_kwargs"] == ["caption"]


class Nesting:
    """Builds a second instance inside its constructor, as wandb does for some inputs."""

    def __init__(self, data_or_path, mode=None):
        self.inner = Nesting(data_or_path, mode="inner") if mode != "inner" else None


def test_an_image_built_inside_another_is_not_a_second_call(tmp_path):
    hook.wrap(Nesting)
    recorder = agent.start(str(tmp_path), agent.Limits())
    try:
        made = Nesting(np.zeros(2))
    finally:
        agent.stop(recorder)
    assert made.inner is not None
    (site,) = recorder.sites.values()
    assert site["calls"] == 1 and site["samples"][0]["kwargs"] == {"mode": None}


def test_a_site_is_the_first_frame_outside_wandb():
    namespace = {"__name__": "wandb.sdk.helpers"}
    exec("def build():\n    return site()\n", namespace)
    namespace["site"] = hook.call_site
    line = sys._getframe().f_lineno + 1
    found = namespace["build"]()
    assert (found.filename, found.line) == (__file__, line)


def test_a_site_folder_name_is_safe_for_any_file_name():
    site = Site("/tmp/we ird/../päth:with*chars.py", 12, "f")
    assert site.folder.startswith("samples/p_th_with_chars.py-12-")
    assert Site("/a/x.py", 12, "f").folder != Site("/b/x.py", 12, "f").folder


#: Imports the agent from its files under the name the boot file gives it, with an import hook
#: that refuses anything but the standard library, then captures an array through a stand-in.
PROBE = r"""
import importlib.abc, importlib.util, json, os, sys
refused = []
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        allowed = top in sys.stdlib_module_names or top in ("wbimage_capture_agent", "numpy")
        if not allowed and not top.startswith("_"):
            refused.append(name)
            raise ImportError(name)
        return None
sys.meta_path.insert(0, Refuse())
agent_dir = sys.argv[1]
spec = importlib.util.spec_from_file_location("wbimage_capture_agent", os.path.join(agent_dir, "__init__.py"),
                                              submodule_search_locations=[agent_dir])
module = importlib.util.module_from_spec(spec)
sys.modules["wbimage_capture_agent"] = module
spec.loader.exec_module(module)
loaded_numpy = "numpy" in sys.modules
print(json.dumps({"refused": refused, "numpy_at_start": loaded_numpy}))
"""


def test_the_agent_imports_only_the_standard_library_until_an_array_arrives():
    from pathlib import Path

    agent_dir = Path(agent.__file__).parent
    done = subprocess.run([sys.executable, "-I", "-c", PROBE, str(agent_dir)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"refused": [], "numpy_at_start": False}
