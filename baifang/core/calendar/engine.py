"""Chinese working-day calendar engine — plain Python, no Django (R-CAL-1).

Precedence for each date: the company's override table, then the official State Council schedule
(chinesecalendar, which includes make-up working weekends 调休), then rule-based holidays from the
`holidays` package (marked *estimated*: it knows no make-up days), then plain Monday–Friday.
The answer always carries its source so pages can warn when it is not official.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
import holidays

OVERRIDE = "override"
OFFICIAL = "official"
ESTIMATED = "estimated"
WEEKDAYS = "weekdays"


@dataclass(frozen=True)
class DayInfo:
    """Whether a date is a working day, and where that answer came from."""

    date: dt.date
    is_workday: bool
    source: str


@lru_cache(maxsize=64)
def official_year_known(year: int) -> bool:
    """True when chinesecalendar has the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=64)
def _estimated_holidays(year: int) -> frozenset[dt.date]:
    try:
        return frozenset(holidays.China(years=year).keys())
    except Exception:  # an unsupported year must never crash a page
        return frozenset()


@lru_cache(maxsize=8192)
def library_day(day: dt.date) -> DayInfo:
    """The libraries' answer for ``day``, ignoring company overrides."""
    if official_year_known(day.year):
        return DayInfo(day, bool(chinese_calendar.is_workday(day)), OFFICIAL)
    estimated = _estimated_holidays(day.year)
    if estimated:
        return DayInfo(day, day.weekday() < 5 and day not in estimated, ESTIMATED)
    return DayInfo(day, day.weekday() < 5, WEEKDAYS)


class WorkdayCalendar:
    """Working-day arithmetic over a fixed set of overrides (date → is working day)."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self.overrides = dict(overrides or {})

    def day(self, day: dt.date) -> DayInfo:
        """Working-day status of one date with its source."""
        if day in self.overrides:
            return DayInfo(day, self.overrides[day], OVERRIDE)
        return library_day(day)

    def is_workday(self, day: dt.date) -> bool:
        return self.day(day).is_workday

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (before it when n < 0; ``start`` when 0).

        ``start`` itself is not counted, so a 5-working-day deadline from a Tuesday first contact
        in an ordinary week is the next Tuesday.
        """
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        day = start
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d ≤ end (negative when end is before start)."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def workdays_in(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """All working days from ``first`` to ``last`` inclusive."""
        days = []
        day = first
        while day <= last:
            if self.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def sources_in(self, first: dt.date, last: dt.date) -> set[str]:
        """The set of sources used for the dates from ``first`` to ``last``."""
        return {library_day(dt.date(year, 1, 1)).source for year in range(first.year, last.year + 1)}
