"""The return-visit schedule (R-FREQ-9) as properties: plain Python, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baifang.core.calendar.engine import WorkdayCalendar
from baifang.rules import engine

CALENDAR = WorkdayCalendar()
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
units = st.sampled_from(engine.OFFSET_UNITS)


@st.composite
def schedules(draw):
    unit = draw(units)
    offset = draw(st.integers(0, 12 if unit == engine.MONTHS else 60))
    if draw(st.booleans()):
        every = draw(st.integers(1, 12))
        first = {engine.MONTHS: offset, engine.DAYS: offset // 31, engine.WORKDAYS: offset // 23}[unit]
        until = draw(st.integers(first + every, first + every * 20))
    else:
        every = until = None
    return unit, offset, every, until


@given(days, schedules())
def test_r_freq_9_schedule_windows_chain_and_stay_within_the_repeat(event_on, schedule):
    """R-FREQ-9: the first opens on the event; each opens the day after the previous is due and closes
    when the next opens; every repeat is due within ``until`` months of the event; no more than allowed."""
    unit, offset, every, until = schedule
    if engine.schedule_problem(offset, unit, every, until):
        return
    occ = engine.return_visit_schedule(
        event_on,
        offset=offset,
        unit=unit,
        every_months=every,
        until_months=until,
        add_workdays=CALENDAR.add_workdays,
    )
    assert occ[0].opens_on == event_on and occ[-1].closes_on is None
    assert [o.index for o in occ] == list(range(len(occ))) and len(occ) <= engine.MAX_OCCURRENCES
    for o in occ:
        assert o.opens_on <= o.due_on
        assert o.closes_on is None or o.due_on < o.closes_on
    for a, b in zip(occ, occ[1:], strict=False):
        assert a.closes_on == b.opens_on == a.due_on + dt.timedelta(days=1)
        assert b.due_on == engine.add_months(occ[0].due_on, b.index * every)
    if every is None:
        assert len(occ) == 1
    else:
        end = engine.add_months(event_on, until)
        assert all(o.due_on <= end for o in occ[1:])
        assert engine.add_months(occ[0].due_on, len(occ) * every) > end or len(occ) == engine.MAX_OCCURRENCES


@given(days, st.integers(0, 30))
def test_r_freq_9_working_day_offset_lands_on_a_working_day(event_on, n):
    """R-CAL-1: "within N working days" is due on a working day, N working days after the event."""
    [occ] = engine.return_visit_schedule(
        event_on, offset=n, unit=engine.WORKDAYS, add_workdays=CALENDAR.add_workdays
    )
    if n:
        assert CALENDAR.is_workday(occ.due_on)
        assert CALENDAR.workdays_between(event_on, occ.due_on) == n
    else:
        assert occ.due_on == event_on


@given(days, st.integers(-30, 30))
def test_add_months_clamps_to_the_month_end(day, months):
    moved = engine.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + dt.timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ((10, "days", 6, None), "repeat_pair"),
        ((1, "months", 6, 6), "repeat_never"),
        ((0, "days", 1, 100), "repeat_too_many"),
        ((-1, "days", None, None), "offset"),
        ((1, "weeks", None, None), "unit"),
        ((70, "days", 1, 2), "repeat_never"),  # the first one is due after the repeat would end
    ],
)
def test_r_freq_9_impossible_schedules_are_named(schedule, problem):
    assert engine.schedule_problem(*schedule) == problem
    with pytest.raises(ValueError, match=problem):
        engine.return_visit_schedule(
            dt.date(2026, 1, 1), offset=schedule[0], unit=schedule[1], every_months=schedule[2],
            until_months=schedule[3], add_workdays=CALENDAR.add_workdays,
        )  # fmt: skip
