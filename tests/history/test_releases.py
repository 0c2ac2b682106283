"""`--releases`: which releases a range or a list means (final releases only, both ends included)."""

from __future__ import annotations

import pytest

from wbimage_conformance.errors import UsageError
from wbimage_conformance.history.releases import ReleaseRange, parse_index_listing, resolve

ON_INDEX = ["0.18.7", "0.19.0", "0.19.1rc1", "0.19.9", "0.19.10", "0.20.0.dev1", "0.20.0", "0.20.1", "0.21.0", "junk"]


def test_a_range_holds_both_ends_and_what_lies_between_in_version_order():
    assert ReleaseRange.parse("0.19.0..0.20.1").select(ON_INDEX) == ["0.19.0", "0.19.9", "0.19.10", "0.20.0", "0.20.1"]


def test_pre_releases_and_development_releases_are_left_out_of_a_range():
    chosen = ReleaseRange.parse("0.19.0..0.21.0").select(ON_INDEX)
    assert "0.19.1rc1" not in chosen and "0.20.0.dev1" not in chosen


def test_range_ends_need_not_be_releases_themselves():
    assert ReleaseRange.parse("0.19.5..0.20").select(ON_INDEX) == ["0.19.9", "0.19.10", "0.20.0"]


def test_a_list_names_exactly_its_releases_sorted():
    assert ReleaseRange.parse("0.21.0, 0.19.0").select(ON_INDEX) == ["0.19.0", "0.21.0"]


def test_a_listed_release_missing_from_the_index_is_a_usage_error():
    with pytest.raises(UsageError, match="0.19.2"):
        ReleaseRange.parse("0.19.0,0.19.2").select(ON_INDEX)


def test_a_listed_pre_release_is_a_usage_error():
    with pytest.raises(UsageError, match="0.19.1rc1"):
        ReleaseRange.parse("0.19.1rc1")


def test_a_backwards_range_is_a_usage_error():
    with pytest.raises(UsageError, match="empty"):
        ReleaseRange.parse("0.21.0..0.19.0")


def test_a_range_with_no_release_in_it_is_a_usage_error():
    with pytest.raises(UsageError, match="no final release"):
        ReleaseRange.parse("0.22.0..0.23.0").select(ON_INDEX)


def test_a_part_that_is_not_a_version_is_named():
    with pytest.raises(UsageError, match="'latest'"):
        ReleaseRange.parse("0.19.0..latest")


def test_a_list_needs_no_index():
    assert resolve("0.31.0,0.28.2") == ["0.28.2", "0.31.0"]


def test_a_range_can_be_resolved_against_known_versions_instead_of_the_index():
    assert resolve("0.19.0..0.19.10", offline=ON_INDEX) == ["0.19.0", "0.19.9", "0.19.10"]


def test_pip_index_listing_is_read():
    text = ("WARNING: pip index is currently an experimental command.\n"
            "wandb (0.31.0)\nAvailable versions: 0.31.0, 0.30.0, 0.29.0\n  INSTALLED: 0.28.2\n")
    assert parse_index_listing(text) == ["0.31.0", "0.30.0", "0.29.0"]
    assert parse_index_listing("ERROR: No matching distribution found for nosuchpackage") == []
