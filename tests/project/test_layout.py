"""The tests' own layout (tests/README.md): every test module sits in the folder of a zone of
the code, the quick run's tables name modules and tests that exist, every test path the
repository quotes exists, and listing the tests builds no case and imports no torch."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from locations import ROOT, TESTS

NOT_ZONES = {"fixtures", "__pycache__"}
#: Where the repository quotes test paths. The case files are left out: their bytes are measured
#: (the case set digest), so a comment in one is not edited for a moved test.
QUOTING = ("README.md", "pyproject.toml", "MANIFEST.in", "docs/**/*.md", "spec/*.md", "spec/tools/*.py",
           "conformance/**/*.py", "reference/**/*.py", "tests/**/*.py", "tests/**/*.md", ".ci/**/*",
           ".github/**/*")
TEST_PATH = re.compile(r"\btests/[\w/.-]*?\.py\b")


def zone_folders() -> list[Path]:
    return sorted(p for p in TESTS.iterdir() if p.is_dir() and p.name not in NOT_ZONES)


def test_no_test_module_sits_at_the_top_of_tests():
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []


def test_every_folder_is_a_zone_of_the_code_and_the_readme_says_what_it_holds():
    code = {p.name for p in (ROOT / "conformance").iterdir() if p.is_dir() and p.name != "__pycache__"}
    readme = (TESTS / "README.md").read_text(encoding="utf-8")
    folders = zone_folders()
    assert len(folders) >= 10
    for folder in folders:
        assert folder.name in code | {"reference", "spec", "project"}, folder
        assert f"| `{folder.name}/` |" in readme, f"tests/README.md does not list {folder.name}/"
        assert list(folder.glob("test_*.py")), f"{folder} holds no test module"


def table_keys(name: str) -> list[str]:
    """The keys of a dict literal assigned to `name` in conftest.py, read without importing it."""
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    (table,) = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
    assert isinstance(table, ast.Dict)
    return [ast.literal_eval(key) for key in table.keys]


@pytest.mark.parametrize("table", ["SLOW", "SAMPLED"])
def test_the_quick_run_tables_name_modules_and_tests_that_exist(table):
    keys = table_keys(table)
    assert keys
    for key in keys:
        module, _, test = key.partition("::")
        path = TESTS / module
        assert path.is_file(), f"conftest.py {table}: {key}: no module {path}"
        if test:
            functions = [node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                         if isinstance(node, ast.FunctionDef)]
            assert any(f.startswith(test) for f in functions), f"conftest.py {table}: {key}: no such test"


def prose_of(path: Path) -> str:
    """What a file says to its reader: a Python module's comments and docstrings (its string
    values may be made-up paths, such as a glob's examples), any other file whole."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".py":
        return text
    tree = ast.parse(text)
    docstrings = [ast.get_docstring(node, clean=False) or "" for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    return "\n".join(docstrings + comments)


def quoted_test_paths() -> list[tuple[str, str]]:
    found = []
    for pattern in QUOTING:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                found.extend((str(path.relative_to(ROOT)), m.group(0)) for m in TEST_PATH.finditer(prose_of(path)))
    return found


def test_every_test_path_the_repository_quotes_exists():
    quoted = quoted_test_paths()
    assert any(where == ".ci/wheel" for where, _ in quoted), "the sdist's tests are named in .ci/wheel"
    missing = sorted({f"{where}: {path}" for where, path in quoted if not (ROOT / path).is_file()})
    assert missing == []


#: Runs pytest's collection in this interpreter, counting what must not happen while tests are
#: only listed: a case set loaded (every case built) and torch imported.
PROBE = """
import sys
import pytest
from wbimage_conformance.cases import casefiles

loads = []
for name in ("load_case_set", "load_file"):
    real = getattr(casefiles, name)
    setattr(casefiles, name, lambda *a, _real=real, _name=name, **k: loads.append(_name) or _real(*a, **k))

class Probe:
    def pytest_collection_finish(self, session):
        print("PROBE", len(session.items), "torch" in sys.modules, loads)

sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:xdist", sys.argv[1]], plugins=[Probe()]))
"""


def test_listing_the_tests_builds_no_case_and_imports_no_torch():
    done = subprocess.run([sys.executable, "-c", PROBE, str(TESTS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    _, items, torch_imported, loads = line.split(" ", 3)
    assert int(items) > 1000
    assert torch_imported == "False"
    assert loads == "[]"
