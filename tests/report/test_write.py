"""The one entry point the runner calls: write(report, fmt, out, color=...)."""

from __future__ import annotations

import pytest
from report_samples import sample_report

from wbimage_conformance.report import FORMATS, render, write


def test_the_five_formats():
    assert FORMATS == ("text", "json", "junit", "markdown", "html")


def test_an_unknown_format_is_a_value_error_naming_the_choices():
    with pytest.raises(ValueError, match="unknown report format 'yaml'; choose one of text, json"):
        write(sample_report(), "yaml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_path_is_written_as_utf8(tmp_path, fmt):
    path = tmp_path / f"report.{fmt}"
    write(sample_report(), fmt, str(path))
    assert path.read_text(encoding="utf-8") == render(sample_report(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_none_means_standard_output(capsys, fmt):
    write(sample_report(), fmt)
    assert capsys.readouterr().out == render(sample_report(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic(fmt):
    assert render(sample_report(), fmt) == render(sample_report(), fmt)
