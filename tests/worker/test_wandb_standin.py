"""The stand-in wandb of the docs sandbox (worker/wandb_standin.py): wandb's real public API
around the implementation's Image, from the shipped manifest, with nothing sent anywhere."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from wbimage_conformance.worker import wandb_standin


class FakeImage:
    """The implementation under test, as far as the stand-in is concerned."""

    def __init__(self, data, **kwargs):
        self.data = data


@pytest.fixture
def logged():
    return []


@pytest.fixture
def wandb(logged):
    standin = wandb_standin.build(FakeImage, lambda data, step, commit: logged.append((data, step, commit)))
    standin.install()
    import wandb as module

    yield module
    standin.uninstall()


def test_the_manifest_loads_and_names_the_wandb_release():
    manifest = wandb_standin.load_manifest()
    assert manifest["wandb_version"] == "0.31.0"
    assert "wandb_api.py" in manifest["generated_by"]
    assert {"wandb", "wandb.plot", "wandb.apis.public", "wandb.integration.keras"} <= set(manifest["modules"])


@pytest.mark.parametrize("name", ["Table", "Histogram", "Classes", "Video", "Object3D", "login", "Artifact",
                                  "Api", "use_artifact", "Settings", "Error"])
def test_the_public_names_of_wandb_exist(wandb, name):
    assert getattr(wandb, name) is not None


def test_wandb_plot_line_builds_a_chart_from_a_table(wandb):
    table = wandb.Table(data=[[1, 2], [2, 4]], columns=["x", "y"])
    chart = wandb.plot.line(table, "x", "y", title="doubling")
    assert isinstance(chart, wandb.plot.CustomChart)


def test_login_returns_true_without_the_network(wandb):
    assert wandb.login(key="x" * 40) is True


def test_a_misspelt_keyword_raises_api_signature_error_with_the_real_one(wandb):
    with pytest.raises(wandb_standin.APISignatureError) as raised:
        wandb.Table(colums=["a"])
    assert (raised.value.keyword, raised.value.suggestion, raised.value.owner) == ("colums", "columns", "wandb.Table")
    assert isinstance(raised.value, TypeError)


def test_a_method_is_bound_against_its_real_signature(wandb):
    run = wandb.init()
    with pytest.raises(wandb_standin.APISignatureError) as raised:
        run.use_artifact("dataset:latest", typ="dataset")
    assert raised.value.suggestion == "type"


def test_an_unknown_attribute_raises_unknown_api_with_the_closest_name(wandb):
    with pytest.raises(wandb_standin.UnknownAPI) as raised:
        wandb.Tabel
    assert (raised.value.name, raised.value.suggestion, raised.value.version) == ("Tabel", "Table", "0.31.0")
    assert not hasattr(wandb, "Tabel")  # an AttributeError


def test_an_unknown_method_of_a_class_raises_unknown_api(wandb):
    table = wandb.Table(columns=["a"])
    with pytest.raises(wandb_standin.UnknownAPI) as raised:
        table.add_dat(1)
    assert raised.value.suggestion == "add_data" and raised.value.owner == "wandb.Table"


def test_unpacking_a_value_from_the_service_raises_stand_in_limit(wandb):
    run = wandb.init()
    fetched = run.use_artifact("dataset:latest").get("predictions")
    with pytest.raises(wandb_standin.StandInLimit, match=r"unpacking.*run\.use_artifact\(\.\.\.\)\.get\(\.\.\.\)"):
        first, second = fetched
    assert "stand-in" in str(fetched) and bool(fetched)


def test_iterating_runs_from_the_public_api_raises_stand_in_limit(wandb):
    runs = wandb.Api().runs("entity/project")
    with pytest.raises(wandb_standin.StandInLimit, match=r"wandb\.Api\(\.\.\.\)\.runs\(\.\.\.\)"):
        list(runs)


def test_an_integration_without_its_framework_fails_to_import_naming_the_framework(wandb):
    if importlib.util.find_spec("tensorflow") is not None:
        pytest.skip("tensorflow is installed here")
    with pytest.raises(ModuleNotFoundError) as raised:
        from wandb.integration.keras import WandbMetricsLogger  # noqa: F401
    assert raised.value.name == "tensorflow"


def test_a_module_wandb_does_not_have_fails_to_import(wandb):
    with pytest.raises(ModuleNotFoundError) as raised:
        import wandb.integration.no_such_thing  # noqa: F401
    assert raised.value.name == "wandb.integration.no_such_thing"


def test_run_log_and_wandb_log_call_on_log(wandb, logged):
    run = wandb.init(project="docs")
    run.log({"loss": 0.5}, step=3)
    wandb.log({"acc": 0.9}, commit=False)
    assert logged == [({"loss": 0.5}, 3, None), ({"acc": 0.9}, None, False)]


def test_log_of_something_else_than_a_dict_raises_type_error(wandb):
    run = wandb.init()
    with pytest.raises(TypeError, match="must be passed a dictionary"):
        run.log([1, 2])


def test_log_before_init_raises_wandb_error(wandb):
    with pytest.raises(wandb.Error, match=r"You must call wandb.init\(\) before wandb.log\(\)"):
        wandb.log({"loss": 1})


def test_wandb_run_is_none_before_init_and_the_run_until_finish(wandb):
    assert wandb.run is None
    run = wandb.init()
    assert wandb.run is run and isinstance(run, wandb.Run)
    wandb.finish()
    assert wandb.run is None


def test_the_run_is_a_context_manager_that_finishes(wandb):
    with wandb.init() as run:
        assert wandb.run is run
    assert wandb.run is None


def test_config_is_a_dict_with_attribute_access(wandb):
    run = wandb.init(config={"lr": 0.1})
    wandb.config.epochs = 3
    wandb.config.update({"batch": 8})
    assert run.config == {"lr": 0.1, "epochs": 3, "batch": 8} and run.config.lr == 0.1
    run.summary["best"] = 1
    assert dict(run.summary) == {"best": 1}


def test_a_table_keeps_its_rows_and_columns(wandb):
    table = wandb.Table(columns=["id", "image"])
    table.add_data(1, wandb.Image([0]))
    table.add_column("label", ["cat"])
    assert table.columns == ["id", "image", "label"] and table.get_column("label") == ["cat"]
    with pytest.raises(ValueError, match="expects 3 columns"):
        table.add_data(2)


def test_the_homes_of_image_are_the_implementation(wandb):
    from wandb import Image
    from wandb.data_types import Image as DataTypesImage
    from wandb.sdk.data_types.image import Image as SdkImage

    assert wandb.Image is Image is DataTypesImage is SdkImage is FakeImage


def test_uninstall_removes_the_stand_in(wandb):
    standin = wandb_standin.build(FakeImage, lambda *args: None)
    standin.install()
    standin.uninstall()
    assert sys.modules["wandb"] is wandb and standin not in sys.meta_path


#: In a fresh interpreter, with an import hook that refuses anything outside the standard
#: library: import the stand-in, install it and use it.
PROBE = r"""
import json, sys
ALLOWED = set(sys.stdlib_module_names) | {"wbimage_conformance", "wandb"}
refused = []
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in ALLOWED and not name.startswith("_"):
            refused.append(name)
            raise ImportError(name)
sys.meta_path.insert(0, Refuse())
before = set(sys.modules)
from wbimage_conformance.worker import wandb_standin
standin = wandb_standin.build(object, lambda *args: None)
standin.install()
import wandb
wandb.init(config={"a": 1}).log({"t": wandb.Table(columns=["a"], data=[[1]])})
wandb.finish()
loaded = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({"refused": refused, "loaded": loaded}))
"""


def test_the_stand_in_imports_only_the_standard_library():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["refused"] == []
    third_party = {m for m in report["loaded"] if not m.startswith("_")} - set(sys.stdlib_module_names)
    assert third_party == {"wbimage_conformance", "wandb"}
