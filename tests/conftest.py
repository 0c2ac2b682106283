"""Shared setup: tests/fixtures (toy and deliberately wrong implementations, runner helpers)
and spec/tools (the case generator, a development tool that is not installed) are importable
by plain name in every test module.

And the `slow` marker, which `bash .ci/tests --quick` leaves out (`-m "not slow"`). It is set
here, from one table, rather than in each module, so that what the quick run leaves out, and
why, reads in one place. Modules that run every shipped case (the spec against the reference,
the wrong implementations against the spec) keep a sample in the quick run, so every zone of
the project is still exercised there; the full run (CI's) has everything.
"""

import sys
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE / "fixtures", HERE.parent / "spec" / "tools"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

#: Test modules (by their path below tests/), or `module::test` prefixes, left out of the
#: quick run, with why. Chosen by measurement (`--durations`): each takes seconds on an idle
#: 2-core machine, most of them because they start whole commands, pytest sessions, sandboxes
#: or virtual environments.
SLOW = {
    "commands/test_cli.py::test_jobs_change_speed_never_verdicts": "whole runs with several job counts",
    "commands/test_cli_ci.py::test_jobs_default_to_the_usable_cores": "whole runs",
    "commands/test_cli_ci.py::test_three_shards_merged": "four whole runs",
    "commands/test_docs.py::test_the_upstream_pages_pass": "checks every upstream page",
    "commands/test_fuzz.py::test_exit_0_without_a_disagreement": "a fuzzing campaign",
    "commands/test_fuzz.py::test_exit_1_and_a_written_case": "a fuzzing campaign",
    "commands/test_pytest_plugin.py::test_a_project_with_its_own_spec": "a pytest session over the shipped cases",
    "commands/test_pytest_plugin.py::test_ini_options_override": "pytest sessions over the shipped cases",
    "commands/test_pytest_plugin.py::test_keyword_marker_and_exitfirst": "pytest sessions over the shipped cases",
    "commands/test_pytest_plugin.py::test_maxfail_from_the_ini_file": "pytest sessions with and without xdist",
    "commands/test_pytest_plugin.py::test_the_badge_counts_the_spec_items_under_xdist":
        "a pytest session with xdist workers",
    "commands/test_pytest_plugin.py::test_the_header_names_the_sandbox": "a pytest session over the shipped cases",
    "commands/test_pytest_plugin.py::test_the_pyproject_section_alone": "a pytest session over the shipped cases",
    "commands/test_pytest_plugin.py::test_the_section_is_found_from_a_subfolder":
        "a pytest session over the shipped cases",
    "commands/test_pytest_plugin.py::test_the_section_sets_sandbox_badge": "a pytest session over the shipped cases",
    "commands/test_pytest_plugin.py::test_the_terminal_summary_names_the_cause": "a pytest session with triage",
    "commands/test_pytest_plugin.py::test_under_xdist": "pytest sessions with xdist workers",
    "commands/test_pytest_plugin.py::test_xdist_and_junitxml": "a pytest session with xdist workers",
    "commands/test_pytest_plugin.py::test_xpassed_is_a_failure": "a pytest session over the shipped cases",
    "doccheck/test_examples.py::test_an_example_that_does_not_finish": "waits for a timeout",
    "doccheck/test_sessions_server.py::test_pages_through_lanes_give_what": "every page twice, two ways",
    "expectations/test_releases.py": "runs the whole suite against each shipped release's stand-in",
    "expectations/test_shipped.py::test_with_the_drafted_file": "two whole runs",
    "fuzz/test_finds_bugs.py": "fuzzing campaigns against mutants",
    "history/test_pages.py::test_history_page_and_chart_are_current": "rebuilds the history pages",
    "history/test_venvs.py": "makes virtual environments",
    "oracle/test_arithmetic.py::test_oracle_agrees_with_literal_numpy_on_every_float16": "every float16 value",
    "project/test_ci_integrations.py::test_pre_commit_try_repo": "pre-commit installs the hook's environment",
    "project/test_ci_integrations.py::test_the_hook_": "docs checks of pages through the hook's command",
    "project/test_hostile_properties.py":
        "Hypothesis budgets of hostile inputs (run/test_hostile_replies.py and cases/test_hostile_yaml.py stay)",
    "project/test_layout.py::test_listing_the_tests": "lists every test in a pytest session of its own",
    "project/test_mutation_tooling.py": "runs case selections against mutated copies of the reference",
    "project/test_packaging.py": "builds the sdist and the wheel and installs them into fresh venvs",
    "project/test_readme.py::test_every_shown_run_report": "runs the README's failing implementation on every case",
    "project/test_readme.py::test_the_readme_shows_a_run_report":
        "runs the README's failing implementation on every case",
    "report/test_matrix.py::test_a_column_runs_in_the_sandbox": "whole runs",
    "report/test_matrix.py::test_the_command_writes_the_table_for_several": "whole runs of several implementations",
    "run/test_sandbox.py::test_a_fork_bomb_costs": "waits for a fork bomb's timeout",
    "run/test_sandbox.py::test_an_example_writing_800_mb": "moves 800 MB through a pipe",
    "run/test_sandbox.py::test_the_runs_own_case_files_are_hidden": "every attack, in three places, under bwrap",
    "run/test_sandbox_user_code.py": "installs user packages into fresh venvs; the exec example runs the whole suite",
    "run/test_shard.py::test_the_same_shards_in_other_processes": "loads the cases in several processes",
    "spec/test_case_files.py::test_hand_written_files_are_not_generated": "regenerates every case file",
    "spec/test_case_files.py::test_make_cases_reproduces": "regenerates every case file",
    "triage/test_causes.py::test_a_bug_no_hypothesis_describes_is_unexplained":
        "runs and triages the whole suite per probe",
    "triage/test_causes.py::test_a_bug_on_one_dtype": "runs and triages the whole suite",
    "triage/test_causes.py::test_a_known_bug_written_differently": "runs and triages the whole suite",
    "triage/test_causes.py::test_random_wrong_output_gets_no_cause": "triages a whole failing run",
    "triage/test_causes.py::test_two_bugs_are_both_named": "triages whole failing runs",
}

#: Modules whose tests each run one shipped case or the whole suite: the quick run keeps the
#: first test of each group (a case file, a test function), every zone they reach still reached.
SAMPLED = {
    "spec/test_on_reference.py": lambda item: _case_file(item.callspec.params["case_id"]),
    "spec/test_wrong_implementations.py": lambda item: item.originalname,
}


def _case_file(case_id: str) -> str:
    import shipped_cases  # from tests/fixtures, on the path once this module has run

    return shipped_cases.index()[case_id]


def _slow_reasons() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """SLOW split once into whole modules and, per module, test-name prefixes: looking an item
    up is then a dictionary access, not a scan of the table (thousands of items are marked)."""
    modules: dict[str, str] = {}
    prefixes: dict[str, list[tuple[str, str]]] = {}
    for where, why in SLOW.items():
        module, _, test = where.partition("::")
        if test:
            prefixes.setdefault(module, []).append((test, why))
        else:
            modules[module] = why
    return modules, prefixes


@cache
def module_key(path: Path) -> str:
    """A test module as SLOW and SAMPLED name it: its path below tests/, e.g. "run/test_sandbox.py"."""
    resolved = path.resolve()
    return resolved.relative_to(HERE).as_posix() if resolved.is_relative_to(HERE) else path.name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_modules, slow_prefixes = _slow_reasons()
    seen: set[tuple[str, str]] = set()
    for item in items:
        module = module_key(item.path)
        reason = slow_modules.get(module)
        if reason is None:
            reason = next((why for test, why in slow_prefixes.get(module, ()) if item.name.startswith(test)), None)
        if reason is None and module in SAMPLED and hasattr(item, "callspec"):
            group = (module, SAMPLED[module](item))
            if group in seen:
                reason = "the quick run keeps one test of each group of this module"
            seen.add(group)
        if reason is not None:
            item.add_marker(pytest.mark.slow(reason=reason))
