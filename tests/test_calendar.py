"""Working days (RULES.md "Counting days"): the official calendar, and a province's file for
the years the package does not know yet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain import calendar
from domain.calendar import add_working_days, is_workday


@pytest.fixture
def arrangement(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "calendar.json"
    # An arrangement as the State Council might publish it for 2027 (New Year on Friday 1
    # January; Sunday 7 February worked before the Spring Festival).
    path.write_text(
        json.dumps({"2027": {"holidays": ["2027-01-01", "2027-02-08"], "workdays": ["2027-02-07"]}}),
        encoding="utf-8",
    )
    yield path
    calendar.load_calendar_file(None)


def test_the_package_knows_2026_and_approximates_2027() -> None:
    assert is_workday(date(2026, 10, 1)) == (False, False)  # National Day
    assert is_workday(date(2026, 9, 30)) == (True, False)
    assert is_workday(date(2027, 1, 1)) == (True, True)  # a Friday, as far as anyone can tell


def test_a_calendar_file_covers_the_years_it_lists(arrangement: Path) -> None:
    calendar.load_calendar_file(str(arrangement))
    assert is_workday(date(2027, 1, 1)) == (False, False)
    assert is_workday(date(2027, 2, 7)) == (True, False)  # a Sunday worked (调休)
    assert is_workday(date(2027, 2, 8)) == (False, False)
    assert is_workday(date(2027, 3, 3)) == (True, False)
    assert is_workday(date(2026, 10, 1)) == (False, False)  # other years: the package
    # Thursday 31 December 2026 + 2 working days: Tuesday 5 January 2027 (1 January is off).
    assert add_working_days(date(2026, 12, 31), 2) == (date(2027, 1, 5), False)


def test_a_calendar_file_with_a_date_under_the_wrong_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"2027": {"holidays": ["2028-01-01"]}}), encoding="utf-8")
    with pytest.raises(ValueError, match="another year"):
        calendar.load_calendar_file(str(path))
    calendar.load_calendar_file(None)
