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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from .rules import Period

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


def is_statutory_holiday(d: date) -> tuple[bool, bool]:
    """(a statutory holiday (法定节假日: a named holiday of the official arrangement, not an
    ordinary weekend), approximate) for a China date."""
    if d.year in _YEARS:
        return d in _YEARS[d.year][0], False
    try:
        holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return False, True
    return bool(holiday and name), False


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The date n working days after ``start`` (start itself not counted)."""
    due = deadline(start, Period(n, "working_days", ""))
    return due.last_day, due.approx


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


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it has no such day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _month_days(year, month)))


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February in a common year)."""
    return add_months(d, 12 * years)


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True)
class Due:
    """The last day of a period (RULES.md "Counting days"), and whether a day it counted lay
    outside the official holiday calendar (Monday–Friday assumed)."""

    last_day: date
    approx: bool = False

    @property
    def over_at(self) -> str:
        """The instant the period is over: midnight (China time) after its last day, as the
        facts write times (ISO 8601, +08:00)."""
        return start_of_day(self.last_day + timedelta(days=1))

    def __str__(self) -> str:
        return self.last_day.isoformat()


def start_of_day(d: date) -> str:
    return datetime(d.year, d.month, d.day, tzinfo=CHINA).isoformat()


def _roll(d: date) -> tuple[date, bool]:
    """A period whose last day is a holiday or rest day ends on the next working day."""
    work, approx = is_workday(d)
    while not work:
        d += timedelta(days=1)
        work, a = is_workday(d)
        approx = approx or a
    return d, approx


def _excluded_days(first: date, last: date, excluded: Sequence[tuple[date, date]]) -> set[date]:
    days: set[date] = set()
    for lo, hi in excluded:
        lo, hi = max(lo, first), min(hi, last)
        days.update(lo + timedelta(days=i) for i in range((hi - lo).days + 1))
    return days


def deadline(start: date, period: Period, *, extra_days: int = 0, excluded: Sequence[tuple[date, date]] = ()) -> Due:
    """The last day of ``period`` counted from ``start`` (RULES.md "Counting days"): the start
    day is not counted; working days skip holidays and rest days (with the swapped working
    weekends, 调休); months and years end on the corresponding date (or the month's last day);
    calendar periods whose last day is a holiday or rest day end on the next working day.
    ``extra_days`` are approved extensions (calendar days); ``excluded`` are periods (first and
    last day, both counted) that do not run: suspension, testing, hearings."""
    if period.unit == "hours":
        raise ValueError("an hours period runs from an instant: use deadline_instant")
    approx = False
    if period.unit == "working_days":
        d, counted = start, 0
        while counted < period.count:
            d += timedelta(days=1)
            work, a = is_workday(d)
            approx = approx or a
            if work and not any(lo <= d <= hi for lo, hi in excluded):
                counted += 1
        return Due(d, approx)
    if period.unit == "days":
        end = start + timedelta(days=period.count + extra_days)
    elif period.unit == "months":
        end = add_months(start, period.count) + timedelta(days=extra_days)
    else:
        end = add_years(start, period.count) + timedelta(days=extra_days)
    if excluded:  # each day that did not run moves the end one day on
        base, n = end, 0
        while True:
            k = len(_excluded_days(start + timedelta(days=1), base + timedelta(days=n), excluded))
            if k == n:
                break
            n = k
        end = base + timedelta(days=n)
    last, approx = _roll(end)
    return Due(last, approx)


def elapsed(start: date, period: Period, day: date) -> bool:
    """Whether ``day`` comes after the period counted from ``start`` has fully run ("X days
    after", e.g. 强制法 54: an application on the 10th working day is too early)."""
    return day > deadline(start, period).last_day


def deadline_instant(start: datetime, period: Period) -> datetime:
    """The end of a period in hours (e.g. 310号 5: sent within 24 hours of approval)."""
    if period.unit != "hours":
        raise ValueError("only an hours period runs from an instant")
    return start + timedelta(hours=period.count)


def calendar_deadline(start: date, days: int) -> tuple[date, bool]:
    """A period of calendar days; if its last day is a holiday it ends on the next working day."""
    due = deadline(start, Period(days, "days", ""))
    return due.last_day, due.approx


load_calendar_file(os.environ.get("OVERSIGHT_CALENDAR_FILE"))
