"""China's working-day calendar and festivals (R-CAL-1, R-CAL-2).

Use the module functions from Django code: they apply the company's override table. The engine
classes in ``engine`` and ``festivals`` are plain Python and take overrides as data.
"""

from __future__ import annotations

import datetime as dt

from baifang.core.calendar.engine import (
    ESTIMATED,
    OFFICIAL,
    OVERRIDE,
    WEEKDAYS,
    DayInfo,
    WorkdayCalendar,
    library_day,
    official_year_known,
)
from baifang.core.calendar.festivals import Festival, festivals, lunar_birthday, lunar_to_solar

__all__ = [
    "ESTIMATED",
    "OFFICIAL",
    "OVERRIDE",
    "WEEKDAYS",
    "DayInfo",
    "Festival",
    "WorkdayCalendar",
    "add_workdays",
    "calendar_for",
    "calendar_warning",
    "day_info",
    "festivals",
    "is_workday",
    "library_day",
    "lunar_birthday",
    "lunar_to_solar",
    "official_year_known",
    "workdays_between",
]

# Deadlines rarely reach further than this; the override query covers the whole span.
_SPAN = dt.timedelta(days=400)


def calendar_for(first: dt.date, last: dt.date) -> WorkdayCalendar:
    """A calendar with the company's overrides between ``first`` and ``last`` (one query)."""
    from baifang.core.models import WorkdayOverride

    rows = WorkdayOverride.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
    return WorkdayCalendar(dict(rows))


def day_info(day: dt.date) -> DayInfo:
    return calendar_for(day, day).day(day)


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in China, overrides first."""
    return day_info(day).is_workday


def add_workdays(start: dt.date, n: int) -> dt.date:
    """``n`` Chinese working days after ``start`` (``start`` not counted)."""
    span = _SPAN + dt.timedelta(days=abs(n) * 3)
    return calendar_for(start - span, start + span).add_workdays(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d ≤ end."""
    low, high = min(start, end), max(start, end)
    return calendar_for(low, high).workdays_between(start, end)


def calendar_warning(today: dt.date, horizon_days: int = 60) -> str | None:
    """A warning source when dates from ``today`` to the horizon are not on the official schedule.

    Returns ``ESTIMATED`` or ``WEEKDAYS`` when the answer for some year in range is not official,
    else None. Pages show this as a banner (R-CAL-1: never silently).
    """
    last = today + dt.timedelta(days=horizon_days)
    for year in range(today.year, last.year + 1):
        if not official_year_known(year):
            return library_day(dt.date(year, 1, 2)).source
    return None
