"""Punctuality of a visit against its appointment, as plain Python (no Django) — R-VISIT-9.

The rep is expected at ``starts_at`` minus ``arrive_early`` (seed 000: on time, so 0; seed 003, the
bank: 10 minutes early); a check-in up to ``grace`` after that still counts as on time. Late minutes
are whole minutes past the expected arrival, rounded up (a check-in 30 seconds late is 1 minute late,
but on time when the grace is 1 minute or more); early minutes are whole minutes before it, rounded
down. Worked examples (docs/followups.md):

>>> import datetime as dt
>>> at = dt.datetime(2026, 12, 2, 10, 0)
>>> judge(at, at + dt.timedelta(minutes=7)).minutes_late
7
>>> judge(at, at - dt.timedelta(minutes=5), arrive_early=dt.timedelta(minutes=10)).on_time
False
>>> judge(at, at - dt.timedelta(minutes=12), arrive_early=dt.timedelta(minutes=10)).minutes_early
2
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Punctuality:
    on_time: bool
    minutes_late: int  # past the expected arrival, rounded up; 0 when not late
    minutes_early: int  # before the expected arrival, rounded down; 0 when not early

    @property
    def late(self) -> bool:
        return not self.on_time


def expected_arrival(starts_at: dt.datetime, arrive_early: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
    return starts_at - arrive_early


def judge(
    starts_at: dt.datetime,
    checked_in_at: dt.datetime,
    *,
    arrive_early: dt.timedelta = dt.timedelta(0),
    grace: dt.timedelta = dt.timedelta(0),
) -> Punctuality:
    """Whether a check-in at ``checked_in_at`` kept an appointment starting at ``starts_at``."""
    if arrive_early < dt.timedelta(0) or grace < dt.timedelta(0):
        raise ValueError("arrive_early and grace cannot be negative")
    late_by = checked_in_at - expected_arrival(starts_at, arrive_early)
    return Punctuality(
        on_time=late_by <= grace,
        minutes_late=math.ceil(late_by / MINUTE) if late_by > dt.timedelta(0) else 0,
        minutes_early=math.floor(-late_by / MINUTE) if late_by < dt.timedelta(0) else 0,
    )


@dataclass(frozen=True)
class Tally:
    """Kept appointments of one person: how many were on time and how late the late ones were."""

    kept: int
    on_time: int
    late: int
    minutes_late_total: int
    worst_minutes_late: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.kept if self.kept else None

    @property
    def average_minutes_late(self) -> float | None:
        """Over the late ones only (an on-time visit does not dilute lateness)."""
        return self.minutes_late_total / self.late if self.late else None


def tally(judgements: Iterable[Punctuality]) -> Tally:
    kept = on_time = total = worst = 0
    for p in judgements:
        kept += 1
        on_time += p.on_time
        if not p.on_time:
            total += p.minutes_late
            worst = max(worst, p.minutes_late)
    return Tally(kept, on_time, kept - on_time, total, worst)
