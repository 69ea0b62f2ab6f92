"""Obligation arithmetic — plain Python, no Django (R-FREQ-1, R-OBL-1, R-OBL-2).

Period windows are aligned to the calendar: weeks start on Monday; two-week windows are pairs of
weeks counted from Monday 2001-01-01; two-month windows are Jan–Feb, Mar–Apr, …; quarters and
half years as usual. A window is inclusive of both dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

WEEK = "week"
TWO_WEEKS = "two_weeks"
MONTH = "month"
TWO_MONTHS = "two_months"
QUARTER = "quarter"
HALF_YEAR = "half_year"
YEAR = "year"
PERIODS = (WEEK, TWO_WEEKS, MONTH, TWO_MONTHS, QUARTER, HALF_YEAR, YEAR)

_FORTNIGHT_ANCHOR = dt.date(2001, 1, 1)  # a Monday

MET = "met"
OPEN = "open"
OVERDUE = "overdue"
PENDING = "pending_review"  # not met, but met once the visits waiting for review are accepted (R-VISIT-8)


@dataclass(frozen=True)
class Window:
    """An inclusive date range of one period."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_window(year: int, first_month: int, months: int) -> Window:
    start = dt.date(year, first_month, 1)
    end_month = first_month + months
    end_year = year + (end_month - 1) // 12
    end_month = (end_month - 1) % 12 + 1
    return Window(start, dt.date(end_year, end_month, 1) - dt.timedelta(days=1))


def window(period: str, day: dt.date) -> Window:
    """The window of ``period`` that contains ``day``."""
    if period == WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return Window(start, start + dt.timedelta(days=6))
    if period == TWO_WEEKS:
        index = (day - _FORTNIGHT_ANCHOR).days // 14
        start = _FORTNIGHT_ANCHOR + dt.timedelta(days=14 * index)
        return Window(start, start + dt.timedelta(days=13))
    sizes = {MONTH: 1, TWO_MONTHS: 2, QUARTER: 3, HALF_YEAR: 6, YEAR: 12}
    if period not in sizes:
        raise ValueError(f"unknown period {period!r}")
    size = sizes[period]
    first_month = (day.month - 1) // size * size + 1
    return _month_window(day.year, first_month, size)


@dataclass(frozen=True)
class SeasonRange:
    """A yearly recurring range of month/day, possibly wrapping the year end (Nov 15 – Feb 28)."""

    start_month: int
    start_day: int
    end_month: int
    end_day: int

    def contains(self, day: dt.date) -> bool:
        key = (day.month, day.day)
        start, end = (self.start_month, self.start_day), (self.end_month, self.end_day)
        return start <= key <= end if start <= end else key >= start or key <= end


def in_season(day: dt.date, ranges: Iterable[SeasonRange]) -> bool:
    """True when ``day`` falls in any of the ranges (R-FREQ-5)."""
    return any(r.contains(day) for r in ranges)


def first_touch_due(win: Window, first_due_day: int | None) -> dt.date | None:
    """R-FREQ-3: the first touch of a month window is due by day N (e.g. the 10th)."""
    if not first_due_day:
        return None
    return min(win.start + dt.timedelta(days=first_due_day - 1), win.end)


def due_date(win: Window, done: int, required: int, first_due_day: int | None = None) -> dt.date:
    """When the next touch is due: the first-touch deadline before any touch, else the window end."""
    early = first_touch_due(win, first_due_day)
    if early is not None and done == 0:
        return early
    return win.end


def status(
    done: int,
    required: int,
    win: Window,
    today: dt.date,
    first_due_day: int | None = None,
    *,
    pending: int = 0,
) -> str:
    """met / pending review / open / overdue for one obligation seen on ``today``.

    ``done`` counts only what counts as done; ``pending`` the visits waiting for their supervisor's
    review (R-VISIT-8): never met on their account, but shown apart until decided.
    """
    if done >= required:
        return MET
    if done + pending >= required:
        return PENDING
    return OVERDUE if due_date(win, done, required, first_due_day) < today else OPEN


@dataclass(frozen=True)
class RuleSpec:
    """What the naive reference needs to know of a rule."""

    rule_id: int
    tier_id: int
    channels: frozenset[str]
    period: str
    min_count: int
    by_responsible: bool
    min_duration_seconds: int = 0
    first_due_day: int | None = None


@dataclass(frozen=True)
class TouchFact:
    customer_id: int
    user_id: int
    channel: str
    day: dt.date
    duration_seconds: int | None
    count_state: str = "counted"  # visits.engine.count_state (R-VISIT-8)


@dataclass(frozen=True)
class ObligationRow:
    customer_id: int
    rule_id: int
    responsible_id: int | None
    window: Window
    required: int
    done: int
    due: dt.date
    status: str
    pending: int = 0


def naive_obligations(
    customers: Sequence[tuple[int, int, int | None]],
    rules: Sequence[RuleSpec],
    touches: Sequence[TouchFact],
    day: dt.date,
    today: dt.date,
) -> list[ObligationRow]:
    """A slow, obviously-correct reference: customers as (id, tier_id, responsible_id) per rule.

    Used by the tests to check the set-based SQL of ``baifang.rules.compliance``.
    """
    rows = []
    for rule in rules:
        win = window(rule.period, day)
        for customer_id, tier_id, responsible_id in customers:
            if tier_id != rule.tier_id:
                continue
            states = [
                t.count_state
                for t in touches
                if t.customer_id == customer_id
                and t.channel in rule.channels
                and win.start <= t.day <= win.end
                and (not rule.by_responsible or t.user_id == responsible_id)
                and (not rule.min_duration_seconds or (t.duration_seconds or 0) >= rule.min_duration_seconds)
            ]
            done, pending = states.count("counted"), states.count("pending_review")
            rows.append(
                ObligationRow(
                    customer_id,
                    rule.rule_id,
                    responsible_id,
                    win,
                    rule.min_count,
                    done,
                    due_date(win, done, rule.min_count, rule.first_due_day),
                    status(done, rule.min_count, win, today, rule.first_due_day, pending=pending),
                    pending,
                )
            )
    return rows


# --- Event-driven return visits (R-FREQ-9) -----------------------------------------------------------

WORKDAYS = "workdays"
DAYS = "days"
MONTHS = "months"
OFFSET_UNITS = (WORKDAYS, DAYS, MONTHS)
MAX_OCCURRENCES = 60  # e.g. monthly for five years; a longer schedule is refused


@dataclass(frozen=True)
class Occurrence:
    """One return visit owed after an event: a touch on ``opens_on`` … before ``closes_on`` fulfils it.

    ``closes_on`` is exclusive and is the next occurrence's ``opens_on`` (None for the last one): a
    touch fulfils exactly one occurrence of a schedule, the one whose window it falls in. A touch after
    ``due_on`` but before ``closes_on`` still fulfils it (late: the occurrence was overdue meanwhile).
    """

    index: int
    opens_on: dt.date
    due_on: dt.date
    closes_on: dt.date | None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def schedule_problem(
    offset: int, unit: str, every_months: int | None, until_months: int | None
) -> str | None:
    """Why a return-visit schedule is impossible, or None (the "impossible window" of issue 13).

    The words are codes; the model turns them into messages.
    """
    if unit not in OFFSET_UNITS:
        return "unit"
    if offset < 0:
        return "offset"
    if (every_months is None) != (until_months is None):
        return "repeat_pair"
    if every_months is not None:
        if every_months < 1 or until_months < 1:
            return "repeat_positive"
        # Whole months the first return visit surely lies after the event (a month has at most 31 days
        # and 23 working days): a repeat ending before then could never happen.
        first_due_months = {MONTHS: offset, DAYS: offset // 31, WORKDAYS: offset // 23}[unit]
        if until_months < first_due_months + every_months:
            return "repeat_never"
        if (until_months - first_due_months) // every_months + 1 > MAX_OCCURRENCES:
            return "repeat_too_many"
    return None


def return_visit_schedule(
    event_on: dt.date,
    *,
    offset: int,
    unit: str,
    every_months: int | None = None,
    until_months: int | None = None,
    add_workdays: Callable[[dt.date, int], dt.date],
) -> list[Occurrence]:
    """The return visits owed after an event on ``event_on`` (R-FREQ-9).

    The first one opens on the event's day and is due ``offset`` working days, calendar days or months
    later (``add_workdays`` is the working-day calendar, R-CAL-1). With a repeat, the next ones are due
    every ``every_months`` after the first as long as they fall within ``until_months`` of the event
    (项目: a month after acceptance, then every half year within a 24-month warranty); each opens the
    day after the previous one was due. The first one is always owed; the repeat bounds the later ones.
    """
    problem = schedule_problem(offset, unit, every_months, until_months)
    if problem is not None:
        raise ValueError(problem)
    if unit == WORKDAYS:
        first_due = add_workdays(event_on, offset)
    elif unit == DAYS:
        first_due = event_on + dt.timedelta(days=offset)
    else:
        first_due = add_months(event_on, offset)
    dues = [first_due]
    if every_months:
        end = add_months(event_on, until_months)
        k = 1
        while True:
            due = add_months(first_due, k * every_months)
            if due > end or len(dues) >= MAX_OCCURRENCES:
                break
            dues.append(due)
            k += 1
    opens = [event_on, *(due + dt.timedelta(days=1) for due in dues[:-1])]
    closes = [*opens[1:], None]
    return [Occurrence(i, o, d, c) for i, (o, d, c) in enumerate(zip(opens, dues, closes, strict=True))]
