"""When care occasions fall: festivals, solar and lunar birthdays, yearly dates — plain Python (R-CARE-1, R-CARE-2).

Every function takes a window of solar dates ``first..last`` (inclusive) and answers the occurrences
inside it, so the daily job asks "what falls between today and today + the longest lead time".

Fallbacks (also in docs/care.md):

- a solar date of 29 February is kept on 28 February in a common year;
- a lunar birthday on day 30 of a month that has only 29 days that year is kept on day 29;
- a birthday in a leap month (闰月) is kept in the ordinary month of the same number in years that
  have no such leap month (in a year that has it, on the leap month);
- these are the rules of ``baifang.core.calendar.lunar_birthday``; :func:`lunar_birthday` below gives
  the same answers (a property test holds them equal) from a per-year month table, so the daily job
  resolves hundreds of thousands of lunar birthdays without building a lunar year for each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lunar_python import LunarYear, Solar

from baifang.core.calendar.festivals import Festival, festivals


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date

    def __post_init__(self):
        if self.last < self.first:
            raise ValueError("window ends before it starts")

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    @property
    def years(self) -> range:
        return range(self.first.year, self.last.year + 1)


def window(today: dt.date, lead_days: int) -> Window:
    """Today up to ``lead_days`` ahead: the occasions a daily job must prepare for."""
    return Window(today, today + dt.timedelta(days=max(0, lead_days)))


def festivals_in(win: Window, codes: Iterable[str] | None = None) -> list[Festival]:
    """The care festivals (R-CAL-2, with 除夕) falling in the window; ``codes`` limits them."""
    wanted = None if codes is None else set(codes)
    found = []
    for year in win.years:
        for festival in festivals(year):
            if festival.date in win and (wanted is None or festival.code in wanted):
                found.append(festival)
    return found


def solar_yearly(month: int, day: int, year: int) -> dt.date:
    """A solar month/day in ``year``; 29 February falls on 28 February in a common year."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            return dt.date(year, 2, 28)
        raise


def solar_in(month: int, day: int, win: Window) -> list[dt.date]:
    """Each date in the window on which a yearly solar date (birthday, anniversary) falls."""
    dates = (solar_yearly(month, day, year) for year in win.years)
    return [d for d in dates if d in win]


@lru_cache(maxsize=512)
def _lunar_months(lunar_year: int) -> dict[int, tuple[dt.date, int]]:
    """Lunar year → {month (negative: the leap month): (solar date of its 1st day, days in it)}."""
    table = {}
    for month in LunarYear.fromYear(lunar_year).getMonthsInYear():
        first = Solar.fromJulianDay(month.getFirstJulianDay())
        table[month.getMonth()] = (
            dt.date(first.getYear(), first.getMonth(), first.getDay()),
            month.getDayCount(),
        )
    return table


def _lunar_day_in(lunar_year: int, month: int, day: int, leap: bool) -> dt.date:
    months = _lunar_months(lunar_year)
    first, days = months[-month] if leap and -month in months else months[month]
    return first + dt.timedelta(days=min(day, days) - 1)


@lru_cache(maxsize=65536)
def lunar_birthday(solar_year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """The solar date in ``solar_year`` of a lunar birthday — ``core.calendar.lunar_birthday``, tabled."""
    for lunar_year in (solar_year - 1, solar_year):
        date = _lunar_day_in(lunar_year, month, day, leap)
        if date.year == solar_year:
            return date
    return _lunar_day_in(solar_year, month, day, leap)


def lunar_in(month: int, day: int, leap: bool, win: Window) -> list[dt.date]:
    """Each solar date in the window on which a lunar birthday is celebrated (fallbacks above)."""
    dates = {lunar_birthday(year, month, day, leap) for year in win.years}
    return sorted(d for d in dates if d in win)


def month_days_in(win: Window) -> set[tuple[int, int]]:
    """The (month, day) pairs of the window, with 29 February added when 28 February of a common year is in."""
    pairs = set()
    day = win.first
    while day <= win.last:
        pairs.add((day.month, day.day))
        if day.month == 2 and day.day == 28:
            try:
                dt.date(day.year, 2, 29)
            except ValueError:
                pairs.add((2, 29))
        day += dt.timedelta(days=1)
    return pairs
