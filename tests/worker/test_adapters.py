"""The adapters for released trackers: documented calls their class cannot express are
skipped with the reason, keywords at their documented default are left out, and every
adapter pins its client offline before importing it.

The mapping is tested on a small class in fixtures/mapped_impls.py, through worker
subprocesses, so nothing here needs wandb, trackio or swanlab installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wbimage_conformance.cases import casefiles as cases
from wbimage_conformance.model import Status
from wbimage_conformance.run import runner
from wbimage_conformance.worker.adapters import mapped, offline
from wbimage_conformance.worker.adapters import swanlab as swanlab_adapter
from wbimage_conformance.worker.adapters import trackio as trackio_adapter
from wbimage_conformance.worker.adapters import wandb as wandb_adapter

import runner_support as support

TINY = "mapped_impls:adapter"


@pytest.fixture(autouse=True)
def _fixtures_importable(monkeypatch):
    support.use_fixtures_path(monkeypatch)


def run_all(tmp_path, *case_data):
    path = support.write_cases(tmp_path, list(case_data))
    return runner.run(cases.load_cases([path]), TINY).results


def test_a_keyword_the_class_lacks_is_skipped_with_the_reason(tmp_path):
    (result,) = run_all(tmp_path, support.case("mode", kwargs={"mode": "RGB"}))
    assert result.status is Status.SKIPPED
    assert result.message == "mode='RGB' cannot be mapped: TinyImage always keeps the guessed mode"


def test_a_keyword_with_no_entry_at_all_is_skipped(tmp_path):
    (result,) = run_all(tmp_path, support.case("grouping", kwargs={"grouping": "g"}))
    assert result.status is Status.SKIPPED
    assert "has no counterpart for keyword 'grouping'" in result.message


def test_keywords_at_their_documented_default_are_left_out(tmp_path):
    (result,) = run_all(tmp_path, support.case("defaults", kwargs={"mode": None, "normalize": True, "caption": "c"}))
    assert result.status is Status.PASSED, result.message


def test_a_default_of_another_type_is_not_the_default(tmp_path):
    (result,) = run_all(tmp_path, support.case("one", kwargs={"normalize": 1}))
    assert result.status is Status.SKIPPED
    assert result.message.startswith("normalize=1 cannot be mapped")


def test_a_method_the_class_lacks_is_skipped(tmp_path):
    data = support.case("to-uint8", call={"api": "to_uint8"}, expect={"pixels": [[51, 76]]}, clauses=["to-uint8"])
    (result,) = run_all(tmp_path, data)
    assert result.status is Status.SKIPPED
    assert result.message == "mapped_impls.TinyImage has no to_uint8"


@pytest.mark.parametrize("name", [None, "on-class"])
def test_guess_mode_the_class_lacks_is_skipped_however_it_is_called(tmp_path, name):
    call = {"api": "guess_mode", **({"name": name} if name else {})}
    data = support.case("guess", call=call, expect={"value": "L"}, clauses=["mode.guess"])
    (result,) = run_all(tmp_path, data)
    assert result.status is Status.SKIPPED
    assert result.message == "mapped_impls.TinyImage has no guess_mode"


def test_a_constant_the_class_lacks_is_skipped_but_one_it_has_is_read(tmp_path):
    missing = support.case("items", input={"kind": "python", "value": None},
                           call={"api": "attribute", "name": "NO_SUCH_CONSTANT"}, expect={"value": 1})
    present = support.case("dimension", input={"kind": "python", "value": None},
                           call={"api": "attribute", "name": "MAX_DIMENSION"}, expect={"value": 65500})
    first, second = run_all(tmp_path, missing, present)
    assert first.status is Status.SKIPPED
    assert second.status is Status.PASSED, second.message


def test_the_signature_of_another_constructor_is_skipped_naming_it(tmp_path):
    data = support.case("sig", input={"kind": "python", "value": None}, call={"api": "signature"},
                        expect={"value": [["mode", None]]}, clauses=["api.signature"])
    (result,) = run_all(tmp_path, data)
    assert result.status is Status.SKIPPED
    assert "TinyImage(value, caption=None) is not wandb's constructor" in result.message


def test_an_unmappable_keyword_of_an_image_passed_in_is_skipped_not_an_error(tmp_path):
    inner = {"kind": "numpy", "dtype": "float32", "value": [[0.2, 0.3]]}
    data = support.case("copy", input={"kind": "image", "of": inner, "kwargs": {"mode": "RGB"}})
    (result,) = run_all(tmp_path, data)
    assert result.status is Status.SKIPPED
    assert result.message.startswith("mode='RGB' cannot be mapped")


def test_an_input_kind_the_class_does_not_document_is_skipped(tmp_path):
    data = support.case("tensor", input={"kind": "tensor", "dtype": "float32", "value": [[[0.2, 0.3]]]})
    (result,) = run_all(tmp_path, data)
    assert result.status is Status.SKIPPED
    assert "tensor" in result.message


def test_the_mapped_adapter_never_declares_the_normalize_keyword():
    assert "normalize-keyword" not in mapped.MappedAdapter(
        object, "x", None, "x", keywords={}, accepts=frozenset({"numpy"})).capabilities


@pytest.mark.parametrize("table", [trackio_adapter.KEYWORDS, swanlab_adapter.KEYWORDS], ids=["trackio", "swanlab"])
def test_every_documented_keyword_has_a_mapping(table):
    assert set(table) == set(mapped.DOCUMENTED_DEFAULTS)


def test_pin_overrides_the_callers_settings_and_makes_private_folders():
    environ = {"WANDB_MODE": "online"}
    home = offline.pin({"WANDB_MODE": "disabled"}, ("WANDB_DIR",), environ=environ)
    assert environ["WANDB_MODE"] == "disabled"
    assert environ["WANDB_DIR"].startswith(home)
    assert Path(environ["WANDB_DIR"]).is_dir()


@pytest.mark.parametrize("module", [wandb_adapter, trackio_adapter, swanlab_adapter], ids=lambda m: m.__name__)
def test_each_release_adapter_pins_its_client_offline_and_private(module):
    environ: dict = {}
    offline.pin(module.OFFLINE_ENVIRONMENT, module.PRIVATE_DIRECTORIES, environ=environ)
    for name in module.PRIVATE_DIRECTORIES:
        assert Path(environ[name]).is_dir()
    assert environ.get("WANDB_MODE", environ.get("SWANLAB_MODE", environ.get("HF_HUB_OFFLINE"))) in ("disabled", "1")


def test_the_wandb_adapter_disables_runs_and_error_reporting():
    environ = {"WANDB_MODE": "online", "WANDB_ERROR_REPORTING": "true"}
    wandb_adapter.isolate(environ)
    assert environ["WANDB_MODE"] == "disabled"
    assert environ["WANDB_ERROR_REPORTING"] == "false"


def test_release_adapters_import_neither_yaml_nor_jsonschema():
    code = (
        "import sys, wbimage_conformance.worker.adapters.wandb, wbimage_conformance.worker.adapters.trackio, wbimage_conformance.worker.adapters.swanlab;"
        "print(','.join(sorted(m for m in ('yaml', 'jsonschema', 'torch') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
