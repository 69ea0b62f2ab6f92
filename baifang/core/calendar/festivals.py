"""Festival dates and lunar birthdays — plain Python over lunar_python (R-CAL-2, R-CARE-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lunar_python import Lunar, LunarYear

# (code, Chinese name, English name, lunar?, month, day)
_FESTIVALS = (
    ("new_year", "元旦", "New Year's Day", False, 1, 1),
    ("spring", "春节", "Spring Festival", True, 1, 1),
    ("labour", "劳动节", "Labour Day", False, 5, 1),
    ("dragon_boat", "端午节", "Dragon Boat Festival", True, 5, 5),
    ("mid_autumn", "中秋节", "Mid-Autumn Festival", True, 8, 15),
    ("national", "国庆节", "National Day", False, 10, 1),
)


@dataclass(frozen=True)
class Festival:
    """One festival occurrence in a solar year."""

    code: str
    name_zh: str
    name_en: str
    date: dt.date
    lunar: bool


def lunar_to_solar(lunar_year: int, month: int, day: int) -> dt.date:
    """Solar date of a lunar date; ``month`` is negative for a leap month (lunar_python's convention)."""
    solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> list[Festival]:
    """The six care festivals of R-CAL-2 plus 除夕 (Spring Festival − 1 day), sorted by date."""
    result = []
    for code, zh, en, lunar, month, day in _FESTIVALS:
        date = lunar_to_solar(year, month, day) if lunar else dt.date(year, month, day)
        result.append(Festival(code, zh, en, date, lunar))
    spring = next(f for f in result if f.code == "spring")
    # 除夕 is the last day of the 12th lunar month, which may be the 29th: never "腊月三十".
    result.append(
        Festival("new_year_eve", "除夕", "Chinese New Year's Eve", spring.date - dt.timedelta(days=1), True)
    )
    return sorted(result, key=lambda f: f.date)


def _lunar_day_in(lunar_year: int, month: int, day: int, leap: bool) -> dt.date:
    """Solar date of a lunar birthday in one lunar year, with fallbacks for missing days.

    A leap-month birthday falls in the ordinary month of the same number in years without that
    leap month; day 30 falls on day 29 in a short month.
    """
    year_info = LunarYear.fromYear(lunar_year)
    use_month = -month if leap and year_info.getLeapMonth() == month else month
    days_in_month = year_info.getMonth(use_month).getDayCount()
    return lunar_to_solar(lunar_year, use_month, min(day, days_in_month))


def lunar_birthday(solar_year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """The solar date in ``solar_year`` on which a lunar birthday (month, day) is celebrated."""
    for lunar_year in (solar_year - 1, solar_year):
        date = _lunar_day_in(lunar_year, month, day, leap)
        if date.year == solar_year:
            return date
    # A lunar date can be absent from a solar year (e.g. late 12th month); take the next one.
    return _lunar_day_in(solar_year, month, day, leap)
