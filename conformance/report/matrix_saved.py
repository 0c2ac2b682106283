"""Matrix columns saved and read back, so the compatibility page can be rebuilt (with other
columns, or the release families) without running every implementation again.

A saved column is a pickle of `{"impl": ..., "environment": Environment, "results": [Result]}`
(`matrix --save-results DIR` writes DIR/NAME.pkl), named by the shipped expectations file whose
reasons give its headlines (`wandb-0.28.2-pillow12`; where none fits, the implementation and
its version, and no reasons). A pickle runs code when read: only files this project wrote
belong here.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.model import Environment
from wbimage_conformance.report.matrix import Column
from wbimage_conformance.run import expectations as expectation_files
from wbimage_conformance.stored import writing


class SavedColumnError(ConfigurationError):
    """A saved column that cannot be read, or that holds something else (exit code 2)."""


def load_column(name: str, path: Path | str) -> Column:
    """The column saved in `path`, with the shipped expectations file `name` when there is one."""
    try:
        data = pickle.loads(Path(path).read_bytes())
    except OSError as exc:
        raise SavedColumnError(f"{path}: cannot read the saved results: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - whatever unpickling a wrong file raises
        raise SavedColumnError(f"{path}: not saved results ({type(exc).__name__}: {exc})") from None
    if not (isinstance(data, dict) and isinstance(data.get("environment"), Environment)
            and isinstance(data.get("results"), (list, tuple)) and isinstance(data.get("impl"), str)):
        raise SavedColumnError(f"{path}: not saved results: expected impl, environment and results")
    shipped = expectation_files.SHIPPED_DIR / f"{name}.yaml"
    expected = expectation_files.load(shipped) if shipped.is_file() else None
    return Column(data["impl"], data["environment"], tuple(data["results"]), expected)


def saved_name(column: Column) -> str:
    """The name a column is saved under: its expectations file's, else implementation-version."""
    if column.expectations is not None and column.expectations.path:
        return Path(column.expectations.path).stem
    env = column.environment
    return f"{env.implementation}-{env.implementation_version or 'unknown'}".replace("/", "_")


def save_column(column: Column, folder: Path | str) -> Path:
    """Write `column` as FOLDER/NAME.pkl (saved_name), for load_column."""
    target = Path(folder) / f"{saved_name(column)}.pkl"
    data = {"impl": column.label, "environment": column.environment, "results": list(column.results)}
    writing.replace_bytes(target, pickle.dumps(data))
    return target
