"""Release virtualenvs: one that already imports the release is reused as it is, one whose
install was interrupted is made again. (Making them needs the package index; these tests stand
in an interpreter that only reports a version.)"""

from __future__ import annotations

import stat

import pytest

from wbimage_conformance.history import venvs


def fake_venv(root, version, reports):
    python = venvs.python_of(venvs.release_dir(root, version))
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\necho {reports}\n", encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return python


class MadeAgain(Exception):
    pass


@pytest.fixture
def no_base(monkeypatch):
    def refuse(*args, **kwargs):
        raise MadeAgain
    monkeypatch.setattr(venvs, "ensure_base", refuse)


def test_a_virtualenv_importing_the_release_is_reused(tmp_path, no_base):
    python = fake_venv(tmp_path, "0.28.2", "0.28.2")
    assert venvs.ensure_release(tmp_path, "0.28.2") == python


def test_a_virtualenv_with_another_release_is_made_again(tmp_path, no_base):
    fake_venv(tmp_path, "0.28.2", "0.28.1")
    with pytest.raises(MadeAgain):
        venvs.ensure_release(tmp_path, "0.28.2")


def test_a_virtualenv_whose_install_was_interrupted_is_made_again(tmp_path, no_base):
    python = fake_venv(tmp_path, "0.28.2", "0.28.2")
    (python.parents[1] / venvs.UNFINISHED).write_text("", encoding="utf-8")
    with pytest.raises(MadeAgain):
        venvs.ensure_release(tmp_path, "0.28.2")


def test_a_local_build_label_satisfies_the_pin(tmp_path):
    python = fake_venv(tmp_path, "x", "2.13.0+cpu")
    assert venvs._satisfied(python, "torch==2.13.0")
    assert not venvs._satisfied(python, "torch==2.12.0")
