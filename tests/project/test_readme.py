"""The README's examples, run as a reader would run them.

- Every Python block runs, and each `print(...)  # OUTPUT` prints exactly OUTPUT (a comment may
  go on after the output with `: why`).
- A `text` block that shows a run's report (it starts `wbimage-conformance report: `) is what
  the `wbimage-conformance run ...` command named just before it prints, where `...` stands for
  lines left out (alone on a line: any lines; ending a line: the rest of that line and the
  lines indented under it).
- The shell examples that are safe and quick (`run` of the reference on part of the cases,
  `coverage`, `report` of a saved run) run and exit 0, and what they print as JSON is JSON.
- The outputs quoted in prose (an error message, a badge) are what the code gives.

Each check returns the README's wrong lines, so the tests on doctored copies of the README
prove that a wrong output fails.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from locations import ROOT
from report_samples import ENVIRONMENT, case

from wbimage_conformance import reference
from wbimage_conformance.model import Result, RunReport, Status
from wbimage_conformance.report import badge

README = (ROOT / "README.md").read_text(encoding="utf-8")
FIXTURES = ROOT / "tests" / "fixtures"
COMMAND = "wbimage-conformance"
#: What `...` stands for in a shown output.
ELLIPSIS = "..."


@dataclass(frozen=True)
class Block:
    language: str
    lines: tuple[str, ...]
    line: int                  # README line of the block's first line (after the fence)
    before: str                # the paragraph just above the fence


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with where they start and what introduces them."""
    found, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        fence = re.fullmatch(r"```(\w*)\s*", lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        last = index
        while last > 0 and not lines[last - 1].strip():
            last -= 1
        first = last
        while first > 0 and lines[first - 1].strip():
            first -= 1
        found.append(Block(fence.group(1), tuple(lines[index + 1:end]), index + 2, " ".join(lines[first:last])))
        index = end + 1
    return found


# -- Python blocks -----------------------------------------------------------------------------------

def _printed_by_line(block: Block) -> dict[int, str]:
    """Run a Python block; what each README line's print() calls printed."""
    printed: dict[int, list[str]] = {}

    def recording_print(*args, **kwargs):
        buffer = io.StringIO()
        builtins.print(*args, **{**kwargs, "file": buffer})
        printed.setdefault(sys._getframe(1).f_lineno, []).append(buffer.getvalue())

    source = "\n" * (block.line - 1) + "\n".join(block.lines)
    exec(compile(source, "README.md", "exec"), {"print": recording_print, "__name__": "readme"})
    return {line: "".join(parts).rstrip("\n") for line, parts in printed.items()}


def python_problems(text: str) -> list[str]:
    """README lines whose `# OUTPUT` comment is not what their print() printed."""
    problems = []
    for block in (b for b in blocks(text) if b.language == "python"):
        printed = _printed_by_line(block)
        for offset, line in enumerate(block.lines):
            shown = re.match(r"\s*print\(.*\)\s+#\s(.*)$", line)
            if not shown:
                continue
            number, comment, output = block.line + offset, shown.group(1), printed.get(block.line + offset)
            if output is None or not (comment == output or comment.startswith(output + ": ")):
                problems.append(f"README.md:{number}: shows {comment!r}, prints {output!r}")
    return problems


def test_every_python_block_prints_what_its_comments_show():
    assert [b for b in blocks(README) if b.language == "python"], "the README has no Python block"
    assert python_problems(README) == []


def test_a_wrong_comment_in_a_python_block_fails():
    wrong = README.replace("# [[  0   0 100 254 255]]", "# [  0   0 100 254 255]", 1)
    assert wrong != README
    (problem,) = python_problems(wrong)
    assert "shows '[  0   0 100 254 255]', prints '[[  0   0 100 254 255]]'" in problem


def test_a_wrong_explanation_separator_or_value_fails():
    wrong = README.replace("# [[102 204]]: 255", "# [[102 205]]: 255", 1).replace("# png L", "# png RGB", 1)
    assert len(python_problems(wrong)) == 2


# -- a run's report shown as text --------------------------------------------------------------------

def shown_matches(shown: list[str], printed: list[str]) -> str | None:
    """None when `printed` is what `shown` shows; else the first shown line that differs."""
    return _match(shown, 0, printed, 0)


def _match(shown: list[str], i: int, printed: list[str], j: int) -> str | None:
    if i == len(shown):
        return None if j == len(printed) else f"the README stops, but the output goes on: {printed[j]!r}"
    line = shown[i].rstrip()
    if line.strip() == ELLIPSIS:
        misses = [_match(shown, i + 1, printed, k) for k in range(j, len(printed) + 1)]
        return None if None in misses else misses[0]
    if j == len(printed):
        return f"shows {line!r}, but the output has ended"
    if line.endswith(ELLIPSIS):
        head = line[: -len(ELLIPSIS)]
        if not printed[j].startswith(head):
            return f"shows {line!r}, prints {printed[j]!r}"
        depth = len(printed[j]) - len(printed[j].lstrip())
        k = j + 1
        while k < len(printed) and printed[k].strip() and len(printed[k]) - len(printed[k].lstrip()) > depth:
            k += 1
        return _match(shown, i + 1, printed, k)
    if line != printed[j].rstrip():
        return f"shows {line!r}, prints {printed[j].rstrip()!r}"
    return _match(shown, i + 1, printed, j + 1)


def shown_runs(text: str) -> list[tuple[Block, str]]:
    """Each text block showing a run's report, with the run command the paragraph above names."""
    found = []
    for block in blocks(text):
        if block.language == "text" and block.lines and block.lines[0].startswith(f"{COMMAND} report: "):
            commands = re.findall(rf"`({COMMAND} run [^`]*)`", block.before)
            assert commands, f"README.md:{block.line}: no `{COMMAND} run ...` introduces this output"
            found.append((block, commands[-1]))
    return found


def _python_command(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[0] == COMMAND
    return [sys.executable, "-m", "wbimage_conformance", *words[1:]]


@pytest.fixture(scope="module")
def shown_run_outputs() -> list[tuple[Block, list[str]]]:
    """Each shown run's command, run as a user would (default sandbox) from the repository root
    with tests/fixtures on the path."""
    outputs = []
    env = {**os.environ, "PYTHONPATH": str(FIXTURES), "NO_COLOR": "1"}
    for block, command in shown_runs(README):
        done = subprocess.run([*_python_command(command), "--jobs", "2"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode in (0, 1), done.stderr
        outputs.append((block, done.stdout.replace(f"{ROOT}{os.sep}", "").splitlines()))
    return outputs


def test_the_readme_shows_a_run_report(shown_run_outputs):
    assert shown_run_outputs, "no text block shows a run's report"


def test_every_shown_run_report_is_what_the_run_prints(shown_run_outputs):
    for block, printed in shown_run_outputs:
        assert shown_matches(list(block.lines), printed) is None, f"README.md:{block.line}"


@pytest.mark.parametrize("change", [
    lambda lines: [line.replace("unexpected result(s)", "unexpected results") for line in lines],
    lambda lines: [re.sub(r"(\d+) case\(s\)", lambda m: f"{int(m.group(1)) + 1} case(s)", line, count=1)
                   for line in lines],
    lambda lines: [line.replace("expected 127, got 128", "expected 127, got 129") for line in lines],
    lambda lines: lines[:-1],                                          # the closing `...` taken away
    lambda lines: lines[:2] + lines[3:],                               # a line left out, no `...`
], ids=["words", "count", "value", "no-closing-ellipsis", "line-dropped"])
def test_a_doctored_run_report_fails(shown_run_outputs, change):
    block, printed = shown_run_outputs[0]
    doctored = change(list(block.lines))
    assert doctored != list(block.lines)
    assert shown_matches(doctored, printed) is not None


def test_ellipses_stand_for_lines_and_line_ends_only():
    printed = ["title", "  a: 1, 2,", "      3", "  b: 4", "end", "tail 1", "tail 2"]
    assert shown_matches(["title", "  a: 1, ...", "  b: 4", "..."], printed) is None
    assert shown_matches(["title", "...", "end", "..."], printed) is None
    assert shown_matches(["title", "...", "tail 2"], printed) is None
    assert shown_matches(["title", "  a: 2, ...", "..."], printed) is not None
    assert shown_matches(["title", "...", "missing", "..."], printed) is not None
    assert shown_matches(["title", "  a: 1, 2,", "  b: 4", "..."], printed) is not None   # "      3" left out


# -- shell examples --------------------------------------------------------------------------------

def shell_commands(text: str) -> Iterator[tuple[int, str]]:
    """Each `wbimage-conformance ...` line of the sh blocks (continuations joined, comments cut,
    an optional `[...]` part both left out and put in)."""
    for block in (b for b in blocks(text) if b.language == "sh"):
        joined = "\n".join(block.lines).replace("\\\n", " ")
        for line in joined.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if not command.startswith(COMMAND + " "):
                continue
            optional = re.search(r"\s*\[([^\]]+)\]", command)
            if optional:
                yield block.line, command.replace(optional.group(0), "")
                yield block.line, command.replace(optional.group(0), " " + optional.group(1))
            else:
                yield block.line, command


def is_quick_and_safe(command: str) -> bool:
    """The reference on part of the cases, coverage, or a saved run rendered: nothing installed,
    nothing of the reader's run, nothing slow."""
    words = shlex.split(command)[1:]
    if words[0] == "coverage":
        return True
    if words[0] == "report":
        return all(w.endswith(".json") or w.startswith("-") or w in ("markdown", "text", "json") for w in words[1:])
    selects = any(w in ("-k", "--clause") for w in words)
    return words[0] == "run" and selects and "--impl" not in words and "--output" not in words


QUICK = [(line, command) for line, command in shell_commands(README) if is_quick_and_safe(command)]


def test_the_readme_has_quick_shell_examples_of_run_report_and_coverage():
    kinds = {shlex.split(command)[1] for _, command in QUICK}
    assert kinds == {"run", "report", "coverage"}


@pytest.mark.parametrize("line, command", QUICK, ids=[c for _, c in QUICK])
def test_a_quick_shell_example_runs_and_exits_0(tmp_path, line, command):
    env = {**os.environ, "NO_COLOR": "1"}
    for saved in re.findall(r"(\S+\.json)", command):   # a saved run to render: the quickest there is
        (tmp_path / saved).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(_python_command(f"{COMMAND} run -k norm-hand-signed-zero --report json={saved}"), cwd=tmp_path,
                       env=env, capture_output=True, check=True, timeout=300)
    done = subprocess.run(_python_command(command), cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"README.md:{line}: {command}: {done.stderr}"
    assert done.stdout.strip()
    if "--format json" in command:
        assert isinstance(json.loads(done.stdout), dict)


# -- outputs quoted in prose -----------------------------------------------------------------------

def test_the_quoted_box_error_is_the_message_the_reference_raises():
    (quoted,) = re.findall(r"`(boxes\['pred'\]\['box_data'\]\[2\]\['position'\]: [^`]*)`", README)
    box = {"position": {"minX": 0.1, "maxX": 0.3, "minY": 0.1, "maxY": 0.3}, "class_id": 1}
    broken = {**box, "position": {k: v for k, v in box["position"].items() if k != "maxX"}}
    with pytest.raises((TypeError, ValueError)) as raised:
        reference.Image(np.zeros((4, 4)), boxes={"pred": {"box_data": [box, box, broken]}})
    assert str(raised.value).startswith(quoted)


def test_the_quoted_badge_is_what_390_passed_of_400_run_get():
    (quoted,) = re.findall(r"badge \(`\"([^\"]+)\"`", README)
    statuses = [Status.PASSED] * 390 + [Status.FAILED] * 10 + [Status.SKIPPED] * 5
    results = tuple(Result(case(f"c{i}", "norm.unit", "t", i), s) for i, s in enumerate(statuses))
    assert badge.endpoint(RunReport(ENVIRONMENT, results))["message"] == quoted == "97.5% (390/400)"
    known = Result(case("x", "norm.unit", "t", 1), Status.XFAILED)
    assert badge.endpoint(RunReport(ENVIRONMENT, results + (known,)))["message"] == "97.2% (390/401)"
