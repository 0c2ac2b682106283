"""The suite refuses to judge anything from an install whose files differ from its manifest
(the wheel's dist-info RECORD), and says so when there is no manifest to check against.

These build small installs by hand, RECORD written with hashlib here; project/test_packaging.py checks
a real install of the built wheel end to end."""

from __future__ import annotations

import base64
import hashlib
import py_compile
from pathlib import Path

import pytest

from wbimage_conformance.errors import ConfigurationError
from wbimage_conformance.run import install_check

FILES = {
    "wbimage_conformance/__init__.py": "VERSION = '1'\n",
    "wbimage_conformance/oracle/arithmetic.py": "def scale(x):\n    return 255 * x\n",
    "wbimage_conformance/spec/cases/unit.yaml": "id: unit\n",
}


def _record_line(site: Path, name: str) -> str:
    data = (site / name).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


@pytest.fixture
def site(tmp_path) -> Path:
    """A site-packages holding a wheel-installed suite and its RECORD."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    info = tmp_path / "wbimage_conformance-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: wbimage-conformance\n", encoding="utf-8")
    lines = [_record_line(tmp_path, name) for name in [*FILES, f"{info.name}/METADATA"]]
    (info / "RECORD").write_text("\n".join([*lines, f"{info.name}/RECORD,,"]) + "\n", encoding="utf-8")
    return tmp_path


def test_an_untouched_install_is_verified_and_named_by_its_record_digest(site):
    record = (site / "wbimage_conformance-1.0.dist-info" / "RECORD").read_bytes()
    said = install_check.verify_at(site / "wbimage_conformance")
    assert said.startswith(f"wheel at {site / 'wbimage_conformance'}: 4 files match its RECORD")
    assert hashlib.sha256(record).hexdigest()[:16] in said


def test_one_changed_byte_is_refused_naming_the_file(site):
    target = site / "wbimage_conformance/oracle/arithmetic.py"
    target.write_bytes(target.read_bytes().replace(b"255", b"256"))
    with pytest.raises(install_check.TamperedInstall) as raised:
        install_check.verify_at(site / "wbimage_conformance")
    message = str(raised.value)
    assert f"{target} does not match its sha256 in RECORD" in message
    assert "reinstall it" in message and "\n" not in message
    assert isinstance(raised.value, ConfigurationError)  # exit code 2


def test_a_missing_file_is_refused(site):
    (site / "wbimage_conformance/spec/cases/unit.yaml").unlink()
    with pytest.raises(install_check.TamperedInstall, match=r"unit\.yaml is missing"):
        install_check.verify_at(site / "wbimage_conformance")


def test_a_planted_module_is_refused(site):
    (site / "wbimage_conformance/oracle/sitecustom.py").write_text("PLANTED = True\n", encoding="utf-8")
    with pytest.raises(install_check.TamperedInstall, match=r"sitecustom\.py is not in RECORD"):
        install_check.verify_at(site / "wbimage_conformance")


def test_bytecode_python_wrote_from_the_source_is_accepted(site):
    source = site / "wbimage_conformance/oracle/arithmetic.py"
    py_compile.compile(str(source), doraise=True)
    assert list((source.parent / "__pycache__").glob("arithmetic.*.pyc"))
    assert "4 files match" in install_check.verify_at(site / "wbimage_conformance")


def test_bytecode_of_other_code_beside_a_verified_source_is_refused(site, tmp_path_factory):
    """Python runs a .pyc whose header matches its source's size and time, whatever the code in
    it: a planted one would run in place of the verified source."""
    source = site / "wbimage_conformance/oracle/arithmetic.py"
    py_compile.compile(str(source), doraise=True)
    (pyc,) = (source.parent / "__pycache__").glob("arithmetic.*.pyc")
    other = tmp_path_factory.mktemp("other") / "arithmetic.py"
    other.write_text("def scale(x):\n    return 256 * x\n", encoding="utf-8")
    forged = Path(py_compile.compile(str(other), doraise=True)).read_bytes()
    pyc.write_bytes(pyc.read_bytes()[:16] + forged[16:])  # the genuine header, other code
    with pytest.raises(install_check.TamperedInstall, match=r"arithmetic\.cpython-\d+\.pyc holds other code than arithmetic\.py"):
        install_check.verify_at(site / "wbimage_conformance")


def test_a_checkout_has_no_manifest_and_the_header_says_it_is_not_verified(tmp_path):
    package = tmp_path / "conformance"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'wbimage-conformance'\n", encoding="utf-8")
    said = install_check.verify_at(package)
    assert said == f"editable install or source checkout at {tmp_path}: files not verified (no installed manifest)"


def test_a_record_that_does_not_list_the_package_is_refused(site):
    info = site / "wbimage_conformance-1.0.dist-info"
    (info / "RECORD").write_text("other/__init__.py,,\n", encoding="utf-8")
    with pytest.raises(install_check.TamperedInstall, match=r"RECORD does not list wbimage_conformance/__init__\.py"):
        install_check.verify_at(site / "wbimage_conformance")


def test_an_installed_copy_whose_record_was_deleted_is_refused_not_run_unverified(site):
    """Else editing the judge and deleting RECORD would run a wrong implementation to a pass."""
    (site / "wbimage_conformance/oracle/arithmetic.py").write_text("def scale(x):\n    return x\n", encoding="utf-8")
    (site / "wbimage_conformance-1.0.dist-info" / "RECORD").unlink()
    with pytest.raises(install_check.TamperedInstall) as raised:
        install_check.verify_at(site / "wbimage_conformance")
    assert "dist-info/RECORD is missing" in str(raised.value) and "\n" not in str(raised.value)


def test_an_installed_copy_without_any_dist_info_is_refused(site):
    for path in sorted((site / "wbimage_conformance-1.0.dist-info").iterdir()):
        path.unlink()
    (site / "wbimage_conformance-1.0.dist-info").rmdir()
    with pytest.raises(install_check.TamperedInstall, match="has no wbimage_conformance-\\*\\.dist-info folder beside it"):
        install_check.verify_at(site / "wbimage_conformance")


def test_a_second_dist_info_beside_the_package_is_refused(site):
    (site / "wbimage_conformance-9.9.dist-info").mkdir()
    with pytest.raises(install_check.TamperedInstall, match="has 2 dist-info folders beside it"):
        install_check.verify_at(site / "wbimage_conformance")


@pytest.mark.parametrize("planted", ["entry_points.txt", "licenses/NOTICE", "sitecustomize.py"])
def test_a_file_planted_in_the_dist_info_folder_is_refused(site, planted):
    target = site / "wbimage_conformance-1.0.dist-info" / planted
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("[pytest11]\nwbimage = evil\n", encoding="utf-8")
    with pytest.raises(install_check.TamperedInstall, match=f"{planted} is not in RECORD"):
        install_check.verify_at(site / "wbimage_conformance")


@pytest.mark.parametrize("name", sorted(install_check.UNLISTED_METADATA))
def test_metadata_an_installer_writes_after_record_is_accepted_unlisted(site, name):
    (site / "wbimage_conformance-1.0.dist-info" / name).write_text("pip\n", encoding="utf-8")
    assert "4 files match" in install_check.verify_at(site / "wbimage_conformance")


@pytest.mark.parametrize("record, message", [
    (b"wbimage_conformance/__init__.py,sha256=x,12abc\n", "the size '12abc' is not a whole number"),
    (b"wbimage_conformance/__init__.py,,\n\xff\xfe\n", "cannot be read"),
])
def test_an_unreadable_record_is_refused_in_one_line(site, record, message):
    (site / "wbimage_conformance-1.0.dist-info" / "RECORD").write_bytes(record)
    with pytest.raises(install_check.TamperedInstall, match=message):
        install_check.verify_at(site / "wbimage_conformance")


def test_a_package_folder_named_like_a_checkout_but_without_pyproject_must_have_a_record(tmp_path):
    package = tmp_path / "conformance"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    with pytest.raises(install_check.TamperedInstall, match="has no wbimage_conformance-"):
        install_check.verify_at(package)


def test_bytecode_pip_lists_without_a_digest_must_hold_its_sources_code(site, tmp_path_factory):
    source = site / "wbimage_conformance/oracle/arithmetic.py"
    pyc = Path(py_compile.compile(str(source), doraise=True))
    record = site / "wbimage_conformance-1.0.dist-info" / "RECORD"
    with record.open("a", encoding="utf-8") as out:
        out.write(f"{pyc.relative_to(site).as_posix()},,\n")  # as pip lists what it compiled
    assert "4 files match" in install_check.verify_at(site / "wbimage_conformance")
    other = tmp_path_factory.mktemp("other") / "arithmetic.py"
    other.write_text("def scale(x):\n    return 0\n", encoding="utf-8")
    pyc.write_bytes(pyc.read_bytes()[:16] + Path(py_compile.compile(str(other), doraise=True)).read_bytes()[16:])
    with pytest.raises(install_check.TamperedInstall, match="holds other code than arithmetic.py"):
        install_check.verify_at(site / "wbimage_conformance")
