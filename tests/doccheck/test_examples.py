"""Examples run in the sandbox: the good pages pass, each drifted claim fails with its
message, wrong implementations are caught, and the sandbox keeps its promises (seeds, a
recording stand-in wandb, no network, a time limit)."""

from __future__ import annotations

import textwrap

import pytest
from locations import DOC_PAGES as FIXTURES

from wbimage_conformance.doccheck import check, classify, examples, sessions, specdata, wandb_api
from wbimage_conformance.doccheck.findings import Severity
from wbimage_conformance.doccheck.markdown import parse_page

import runner_support as support


def errors(report, file=None, check_name=None):
    return [f for f in report.findings if f.severity is Severity.ERROR
            and (file is None or f.file.endswith(file)) and (check_name is None or f.check == check_name)]


@pytest.fixture(scope="module")
def good_report():
    names = ["good/image.en.md", "good/image.ja.md", "good/image.ko.md", "good/guide.en.md"]
    return check.check_files([FIXTURES / n for n in names], "reference")


def test_the_good_pages_pass_against_the_reference(good_report):
    assert good_report.ok, [(f.file, f.line, f.message) for f in errors(good_report)]
    assert len(good_report.runs) == 25 and {r.status for r in good_report.runs} == {"passed"}


def test_zero_to_127_5_is_an_informative_note_per_truncation(good_report):
    notes = [f for f in good_report.findings if f.severity is Severity.NOTE and f.check == "claim"]
    assert len(notes) == 4 and all("norm.truncation" in f.clauses and f.subject == "example-2" for f in notes)
    assert all("0 → 127.5" in f.message and "the pixel is 127" in f.message for f in notes)


def test_the_stand_in_run_records_what_is_logged(good_report):
    usage = [r for r in good_report.runs if r.subject.startswith("usage-")]
    assert usage and all(r.logged == ("frames",) and r.images == 2 for r in usage)


# -- drifted pages, run together; each must fail with its own message ------------------------

DRIFTS = {
    "claim-256.ja.md": ("claim", "example-1", "multiplied by 256", "[norm.unit] multiplies by 255"),
    "claim-mapping.ko.md": ("claim", "example-2", "0 → 128", "[norm.signed] gives 0 → 127"),
    "claim-unclipped.en.md": ("claim", "example-4", "values are not clipped", "[norm.disabled] clips every value to [0, 255]"),
    "range-heading.en.md": ("claim", "example-2", "values in [0, 1]", "outside [0, 1]"),
    "format-claim.en.md": ("claim", "usage-jpg", "logged as .bmp", "format 'jpg'"),
    "example-raises.en.md": ("example", "usage-jpg", "raises ValueError", "the example itself is wrong"),
    "claim-rescaled.en.md": ("claim", "example-4", "values are rescaled", "with normalize=False values are only clipped"),
    "claim-pil-normalized.en.md": ("claim", "example-3", "the data is normalized", "a PIL image is used as it is"),
}


@pytest.fixture(scope="module")
def drift_report():
    return check.check_files([FIXTURES / "drift" / n for n in [*DRIFTS, "caption-less.en.md"]], "reference")


@pytest.mark.parametrize("name", sorted(DRIFTS))
def test_each_drifted_claim_fails_with_its_message(drift_report, name):
    kind, subject, said, spec_says = DRIFTS[name]
    found = [f for f in errors(drift_report, name) if f.check != "consistency"]
    assert len(found) == 1, [(f.line, f.message) for f in found]
    (finding,) = found
    assert (finding.check, finding.subject) == (kind, subject)
    assert said in finding.message and spec_says in finding.message
    page_line = (FIXTURES / "drift" / name).read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert page_line.strip()  # the line names the words or the call that is wrong


def test_every_failed_run_says_what_failed(drift_report):
    failed = [r for r in drift_report.runs if r.status == "failed"]
    assert failed and all(r.message for r in failed)
    for run in failed:
        found = [f for f in errors(drift_report, run.file.rsplit("/", 1)[-1]) if f.subject == run.subject]
        assert any(f"[{f.check}] line {f.line}: {f.message}" in run.message for f in found), run


def test_a_caption_less_page_passes(drift_report):
    assert [f for f in errors(drift_report, "caption-less.en.md")] == []


# -- wrong implementations ------------------------------------------------------------------


EXAMPLES_PAGE = """\
## Examples of normalization effects

**Example 1: data in [0, 1]**
```python
import numpy as np
import wandb

unit = np.random.rand(4, 4, 3)
# times 255
image = wandb.Image(unit)
```

**Example 2: data in [-1, 1]**
```python
import numpy as np
import wandb

signed = np.random.rand(4, 4, 3) * 2 - 1
# -1 -> 0, 0 -> 127.5, 1 -> 255
image = wandb.Image(signed)
```

**Example 4: normalize=False**
```python
import numpy as np
import wandb

unit = np.random.rand(4, 4, 3)
# values are clipped to [0, 255]
image = wandb.Image(unit, normalize=False)
```
"""


@pytest.fixture
def examples_page(tmp_path, monkeypatch):
    support.use_fixtures_path(monkeypatch)
    path = tmp_path / "page.en.md"
    path.write_text(EXAMPLES_PAGE, encoding="utf-8")
    return path


@pytest.mark.parametrize("impl, subject, message", [
    ("wrong_implementations:DisabledWraps", "example-4", "-4 → 252 (spec: 0)"),
    ("wrong_implementations:RoundsInsteadOfTruncating", "example-1", "values differ"),
    ("wrong_implementations:NeverNormalizes", "example-1", "values differ"),
    ("wrong_implementations:SignedWith127", "example-2", "1 → 254 (spec: 255)"),
])
def test_wrong_implementations_are_caught_on_the_examples(examples_page, impl, subject, message):
    # unsandboxed: the verdicts are tested here (test_sandbox_user_code runs such code under bwrap)
    report = check.check_files([examples_page], impl, sandbox_mode="none")
    found = [f for f in errors(report, check_name="example") if f.subject == subject]
    assert any(message in f.message and impl in f.message for f in found), [f.message for f in errors(report)]


def test_an_example_that_does_not_finish_is_a_timeout(examples_page):
    report = check.check_files([examples_page], support.toy("HangingImage"), timeout=2)
    assert {r.status for r in report.runs} == {"timeout"}
    assert all("did not finish within 2 s" in f.message for f in errors(report, check_name="example"))


def test_an_implementation_that_cannot_load_is_a_setup_error(examples_page):
    with pytest.raises(sessions.ExampleSetupError, match="no_such_module"):
        check.check_files([examples_page], "no_such_module:Image")
    with pytest.raises(sessions.ExampleSetupError, match="exec: implementations cannot be used"):
        check.check_files([examples_page], "exec:/bin/true")


# -- the sandbox ----------------------------------------------------------------------------


def run_code(code: str, impl: str = "reference", timeout: float = 60, sandbox_mode: str = "auto"):
    text = f"## Examples\n\nRun it\n\n```python\n{textwrap.dedent(code).strip()}\n```\n"
    page = classify.classify(parse_page(text, "sandbox.en.md"))
    (block,) = page.examples
    job = sessions.plan(page, [block])
    page_outcome = sessions.run_page(job, sessions.sandbox_command(impl, sandbox_mode), timeout)
    findings, runs = examples.evaluate_page(job, page_outcome, specdata.load(), impl)
    outcome, run = page_outcome.block(0), runs[0]
    return outcome, findings, run


def test_the_network_is_closed_and_an_example_that_needs_it_is_a_note():
    outcome, findings, _ = run_code("""
        import socket
        import wandb
        socket.create_connection(("example.invalid", 443), timeout=1)
        """)
    assert outcome.status == "raised" and outcome.reply["error"]["type"] == "NetworkBlocked"
    (finding,) = findings
    assert finding.severity is Severity.NOTE and finding.line == 8
    assert "needs the network" in finding.message and "no network" in finding.message


def test_a_name_the_page_never_defines_is_a_fragment_note_at_its_line():
    _, findings, _ = run_code("""
        import wandb
        image = wandb.Image(undefined_name)
        """)
    (finding,) = findings
    assert finding.severity is Severity.NOTE and finding.line == 7
    assert "`undefined_name` is never defined on this page" in finding.message
    assert "the wandb.Image call(s) at line(s) 7 were therefore not checked" in finding.message


def test_an_exception_without_a_message_is_still_a_message():
    _, findings, run = run_code("""
        import wandb
        raise AssertionError()
        """)
    (finding,) = findings
    assert finding.message == "the example raises AssertionError: (raised without a message)"
    assert run.status == "failed" and run.message.startswith("[example] line 7: the example raises AssertionError")


def test_wandb_is_the_stand_in_built_from_the_real_api():
    outcome, findings, _ = run_code("""
        import wandb
        assert wandb.__version__ == wandb_version
        run = wandb.init(project="x")
        run.log({"a": 1}, step=3)
        wandb.log({"b": 2})
        table = wandb.Table(columns=["a"])
        wandb.finish()
        wandb.Tabel()
        """.replace("wandb_version", repr(wandb_api.version())))
    assert [(log["step"], log["keys"]) for log in outcome.reply["logs"]] == [(3, {"a": "int"}), (4, {"b": "int"})]
    (finding,) = findings
    assert finding.severity is Severity.ERROR and "'Tabel'" in finding.message and "did you mean 'Table'" in finding.message


def test_randomness_is_seeded_by_the_block_so_translations_get_the_same_data():
    code = """
        import numpy as np
        import wandb
        with wandb.init() as run:
            run.log({"x": wandb.Image(np.random.randint(0, 256, size=(4, 4, 3)))})  # a comment
        """
    first, _, _ = run_code(code)
    second, _, _ = run_code(code.replace("# a comment", "# ein Kommentar"))
    a = first.arrays[first.reply["calls"][0]["input"]["array"]]
    b = second.arrays[second.reply["calls"][0]["input"]["array"]]
    assert (a == b).all()


def test_calls_made_on_one_line_by_a_loop_are_one_finding(monkeypatch):
    support.use_fixtures_path(monkeypatch)
    impl = "wrong_implementations:DropsCaptions"  # built on the reference: no sandbox can show it
    _, findings, run = run_code("""
        import numpy as np
        import wandb
        with wandb.init() as run:
            frames = [wandb.Image(np.zeros((2, 2)), caption=f"frame {k}") for k in range(3)]
            run.log({"frames": frames})
        """, impl, sandbox_mode="none")
    (finding,) = findings
    assert finding.line == 9 and "3 of the 3 calls made here differ" in finding.message
    assert "caption None; the call passed 'frame 0'" in finding.message
    assert run.images == 3 and run.logged == ("frames",)
