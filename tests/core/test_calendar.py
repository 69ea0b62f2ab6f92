"""China's working-day calendar and festivals (R-CAL-1, R-CAL-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.core import calendar as cal
from baifang.core.calendar.engine import ESTIMATED, OFFICIAL, OVERRIDE, WorkdayCalendar
from baifang.core.calendar.festivals import festivals, lunar_birthday
from baifang.core.models import WorkdayOverride


def reference_add_workdays(calendar: WorkdayCalendar, start: dt.date, n: int) -> dt.date:
    """Day-by-day reference: walk and count, written independently of the engine's loop."""
    days = []
    probe = start
    step = dt.timedelta(days=1 if n >= 0 else -1)
    while len(days) < abs(n):
        probe = probe + step
        if calendar.day(probe).is_workday:
            days.append(probe)
    return days[-1] if days else start


class TestKnownCases:
    def test_registration_deadline_over_national_day_2025(self):
        """R-CAL-1 / R-ARCH-5: met 2025-09-30 → registered by 2025-10-14 (make-up Saturday 10-11 counts)."""
        assert WorkdayCalendar().add_workdays(dt.date(2025, 9, 30), 5) == dt.date(2025, 10, 14)

    def test_make_up_weekends_are_working_days(self):
        """R-CAL-1: 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are 调休 working days."""
        calendar = WorkdayCalendar()
        assert calendar.is_workday(dt.date(2025, 9, 28))
        assert calendar.is_workday(dt.date(2025, 10, 11))
        assert not calendar.is_workday(dt.date(2025, 10, 8))
        assert calendar.day(dt.date(2025, 10, 8)).source == OFFICIAL

    def test_mid_autumn_2026(self):
        """R-CAL-2: 中秋 2026 is 2026-09-25."""
        dates = {f.code: f.date for f in festivals(2026)}
        assert dates["mid_autumn"] == dt.date(2026, 9, 25)

    def test_spring_festival_2027_and_eve(self):
        """R-CAL-2: 春节 2027 is 2027-02-06; 除夕 is the day before."""
        dates = {f.code: f.date for f in festivals(2027)}
        assert dates["spring"] == dt.date(2027, 2, 6)
        assert dates["new_year_eve"] == dt.date(2027, 2, 5)

    def test_eve_is_29th_when_the_12th_month_is_short(self):
        """R-CAL-2: lunar 2025's 12th month has 29 days: 除夕 2026 is 2026-02-16, never a crash."""
        dates = {f.code: f.date for f in festivals(2026)}
        assert dates["new_year_eve"] == dt.date(2026, 2, 16)
        assert dates["spring"] == dt.date(2026, 2, 17)

    def test_all_six_festivals_and_eve_are_listed_in_order(self):
        """R-CAL-2."""
        listed = festivals(2026)
        assert [f.code for f in listed] == [
            "new_year",
            "new_year_eve",
            "spring",
            "labour",
            "dragon_boat",
            "mid_autumn",
            "national",
        ]
        assert [f.date for f in listed] == sorted(f.date for f in listed)


class TestUnknownYears:
    def test_year_without_official_data_is_estimated_not_a_crash(self):
        """R-CAL-1: 2027 is not in chinesecalendar; answer from holidays, marked estimated."""
        info = WorkdayCalendar().day(dt.date(2027, 2, 8))
        assert info.source == ESTIMATED
        assert info.is_workday is False  # Spring Festival week

    def test_adding_workdays_across_into_an_unknown_year(self):
        """R-CAL-1: a deadline crossing into 2027 still computes."""
        due = WorkdayCalendar().add_workdays(dt.date(2026, 12, 28), 5)
        assert dt.date(2027, 1, 1) < due <= dt.date(2027, 1, 8)

    def test_warning_is_raised_when_the_horizon_reaches_an_unknown_year(self):
        """R-CAL-1: fallback with a visible warning, never silently."""
        assert cal.calendar_warning(dt.date(2026, 12, 1)) == ESTIMATED
        assert cal.calendar_warning(dt.date(2025, 3, 1)) is None

    def test_page_shows_the_estimated_banner(self, org, time_machine):
        """R-CAL-1: the banner is visible on pages when the coming weeks are estimated."""
        from tests.conftest import client_for

        time_machine.move_to(dt.datetime(2026, 12, 10, 9, 0))
        html = client_for(org.rep).get("/").content.decode()
        assert "估算" in html


@pytest.mark.django_db
class TestOverrides:
    def test_override_wins_over_official_data(self):
        """R-CAL-1: the admin-editable override table comes first."""
        WorkdayOverride.objects.create(date=dt.date(2025, 10, 8), is_workday=True, note="公司加班")
        assert cal.is_workday(dt.date(2025, 10, 8))
        assert cal.day_info(dt.date(2025, 10, 8)).source == OVERRIDE

    def test_override_enters_workday_arithmetic(self):
        """R-CAL-1: an extra company holiday pushes a deadline back by a day."""
        start = dt.date(2025, 11, 3)
        before = cal.add_workdays(start, 5)
        WorkdayOverride.objects.create(date=dt.date(2025, 11, 5), is_workday=False, note="公司活动")
        assert cal.add_workdays(start, 5) == before + dt.timedelta(days=1)
        assert cal.workdays_between(start, before) == 4


DATES = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=DATES, n=st.integers(min_value=-40, max_value=40))
def test_add_workdays_matches_day_by_day_reference(start, n):
    """R-CAL-1: add_workdays agrees with a day-by-day walk, both directions, across years."""
    calendar = WorkdayCalendar()
    assert calendar.add_workdays(start, n) == reference_add_workdays(calendar, start, n)


@settings(max_examples=150, deadline=None)
@given(start=DATES, n=st.integers(min_value=0, max_value=40))
def test_workdays_between_inverts_add_workdays(start, n):
    """R-CAL-1: counting the working days up to the deadline gives n back; the deadline is a working day."""
    calendar = WorkdayCalendar()
    due = calendar.add_workdays(start, n)
    assert calendar.workdays_between(start, due) == n
    assert calendar.workdays_between(due, start) == -n
    if n:
        assert calendar.is_workday(due)


@settings(max_examples=60, deadline=None)
@given(start=DATES, overrides=st.dictionaries(DATES, st.booleans(), max_size=20), n=st.integers(0, 25))
def test_overrides_are_honoured_by_arithmetic(start, overrides, n):
    """R-CAL-1: with any override table, results agree with the reference walk."""
    calendar = WorkdayCalendar(overrides)
    assert calendar.add_workdays(start, n) == reference_add_workdays(calendar, start, n)


class TestLunarBirthdays:
    def test_lunar_birthday_falls_on_its_solar_date(self):
        """R-CARE-2: lunar 8/15 in 2026 is 2026-09-25."""
        assert lunar_birthday(2026, 8, 15) == dt.date(2026, 9, 25)

    def test_day_30_in_a_short_month_falls_back_to_day_29(self):
        """R-CARE-2: 腊月三十 does not exist in lunar 2025: use the 29th (2026-02-16)."""
        assert lunar_birthday(2026, 12, 30) == dt.date(2026, 2, 16)

    def test_leap_month_birthday(self):
        """R-CARE-2: 闰六月初一 2025 is 2025-07-25; in 2026 (no leap 6th month) the ordinary 6th month."""
        assert lunar_birthday(2025, 6, 1, leap=True) == dt.date(2025, 7, 25)
        assert lunar_birthday(2026, 6, 1, leap=True) == lunar_birthday(2026, 6, 1)

    @settings(max_examples=80, deadline=None)
    @given(year=st.integers(1950, 2090), month=st.integers(1, 12), day=st.integers(1, 30), leap=st.booleans())
    def test_any_lunar_birthday_resolves_within_a_year(self, year, month, day, leap):
        """R-CARE-2: every (month, day, leap) gives a date in that solar year or just after it, never an error."""
        date = lunar_birthday(year, month, day, leap)
        assert year <= date.year <= year + 1
