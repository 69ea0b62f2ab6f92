"""Plan periods and their submission deadlines on China's working-day calendar (R-PLAN-3, R-CAL-1)."""

from __future__ import annotations

import datetime as dt

from baifang.core.calendar import calendar_for
from baifang.plans.choices import MonthlyDeadline, PlanKind


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    return month_end(day) + dt.timedelta(days=1)


def previous_month(day: dt.date) -> dt.date:
    return month_start(month_start(day) - dt.timedelta(days=1))


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of ``kind`` that contains ``day``."""
    if kind == PlanKind.MONTH:
        return month_start(day), month_end(day)
    if kind == PlanKind.WEEK:
        start = week_start(day)
        return start, start + dt.timedelta(days=6)
    return day, day


def last_workday_before(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    cal = calendar_for(day - dt.timedelta(days=30), day)
    d = day - dt.timedelta(days=1)
    while not cal.is_workday(d):
        d -= dt.timedelta(days=1)
    return d


def last_workday_of_month(day: dt.date) -> dt.date:
    return last_workday_before(month_end(day) + dt.timedelta(days=1))


def deadline(kind: str, start: dt.date, policy) -> dt.date:
    """When a plan starting on ``start`` must be submitted (R-PLAN-3).

    Monthly: N days before the month, or the last working day of the month before (a company
    setting). Weekly: on the policy's weekday of the week before (Friday), moved to the working day
    before it when that is a holiday. Daily: the working day before.
    """
    if kind == PlanKind.MONTH:
        if policy.monthly_deadline == MonthlyDeadline.DAYS_BEFORE:
            return start - dt.timedelta(days=policy.monthly_days_before)
        return last_workday_before(start)
    if kind == PlanKind.WEEK:
        due = week_start(start) - dt.timedelta(days=7) + dt.timedelta(days=policy.weekly_weekday)
        cal = calendar_for(due - dt.timedelta(days=30), due)
        while not cal.is_workday(due):
            due -= dt.timedelta(days=1)
        return due
    return last_workday_before(start)
