"""China dates and working days (RULES.md "Counting days").

Working days come from the `chinese-calendar` package (official holidays and swapped working
weekends, 调休). The State Council publishes each year's arrangement late in the year before,
often before the package ships it: ``OVERSIGHT_CALENDAR_FILE`` names a JSON file with the
years it covers, which take precedence over the package:

    {"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}}

(``holidays``: days off that would be working days; ``workdays``: weekend days worked.)
Outside the years either knows, Monday–Friday is assumed and the caller is told
(``approximate``), so a finding can say so.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")


def china_date(t: datetime) -> date:
    """The business date in China of a timezone-aware time."""
    if t.tzinfo is None:
        raise ValueError("naive datetime: times must carry an offset")
    return t.astimezone(CHINA).date()


#: {year: (holidays, workdays)} from OVERSIGHT_CALENDAR_FILE
_YEARS: dict[int, tuple[frozenset[date], frozenset[date]]] = {}


def load_calendar_file(path: str | None) -> None:
    """Load (or, with None, drop) the years of an official arrangement file."""
    _YEARS.clear()
    is_workday.cache_clear()
    if not path:
        return
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    years = {}
    for year, days in data.items():
        holidays = frozenset(date.fromisoformat(x) for x in days.get("holidays", []))
        workdays = frozenset(date.fromisoformat(x) for x in days.get("workdays", []))
        if any(d.year != int(year) for d in holidays | workdays):
            raise ValueError(f"OVERSIGHT_CALENDAR_FILE: a date under {year} lies in another year")
        years[int(year)] = (holidays, workdays)
    _YEARS.update(years)  # all or nothing


@lru_cache(maxsize=8192)
def is_workday(d: date) -> tuple[bool, bool]:
    """(is a working day, approximate) for a China date (cached: the calendar is fixed)."""
    if d.year in _YEARS:
        holidays, workdays = _YEARS[d.year]
        return (d in workdays) or (d.weekday() < 5 and d not in holidays), False
    try:
        return bool(chinese_calendar.is_workday(d)), False
    except NotImplementedError:
        return d.weekday() < 5, True


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The date n working days after ``start`` (start itself not counted)."""
    d = start
    approx = False
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        work, a = is_workday(d)
        approx = approx or a
        if work:
            counted += 1
    return d, approx


def working_days_between(start: date, end: date, stop_after: int | None = None) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start).
    With ``stop_after``, counting stops once the count exceeds it (enough to know a bound
    was passed)."""
    n = 0
    approx = False
    d = start
    while d < end and (stop_after is None or n <= stop_after):
        d += timedelta(days=1)
        work, a = is_workday(d)
        approx = approx or a
        if work:
            n += 1
    return n, approx


def calendar_deadline(start: date, days: int) -> tuple[date, bool]:
    """A period of calendar days; if its last day is a holiday it ends on the next working day."""
    d = start + timedelta(days=days)
    work, approx = is_workday(d)
    while not work:
        d += timedelta(days=1)
        work, a = is_workday(d)
        approx = approx or a
    return d, approx


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it has no such day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(
        d.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return date(year, month, day)


load_calendar_file(os.environ.get("OVERSIGHT_CALENDAR_FILE"))
