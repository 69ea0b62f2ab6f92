"""Dataclasses for day routes (R-ROUTE-1): requests in, schedules out.

All times are integer **seconds since midnight** of the route's day (08:30 = 30600).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .geo import Point
from .reasons import Unassigned
from .travel import HaversineTravel, TravelModel
from .validation import check_count, check_int, check_optional_count, check_time_limit

__all__ = ["DayRoute", "DayRouteRequest", "Objective", "Stop", "TimeWindow", "Visit", "hhmm"]


def hhmm(text: str) -> int:
    """Parse ``"HH:MM"`` (or ``"HH:MM:SS"``) into seconds since midnight."""
    parts = [int(x) for x in text.split(":")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


class Objective(StrEnum):
    """What a route minimises."""

    DURATION = "duration"  # travel time (seconds)
    DISTANCE = "distance"  # travel distance (metres)


@dataclass(frozen=True)
class TimeWindow:
    """Service at a stop must *start* within ``[earliest, latest]`` (seconds since midnight)."""

    earliest: int
    latest: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "earliest", check_int("TimeWindow.earliest", self.earliest, 0))
        object.__setattr__(self, "latest", check_int("TimeWindow.latest", self.latest, 0))
        if self.latest < self.earliest:
            raise ValueError(f"time window ends before it starts: {self.earliest} > {self.latest}")


@dataclass(frozen=True)
class Stop:
    """A customer to visit: ``service_s`` seconds on site, optionally within one of ``windows``.

    ``point`` may be ``None`` or invalid; such a stop is returned as unassigned, never an error.
    Several windows mean alternatives (e.g. 09:00–11:30 or 14:00–17:00): one is used.
    """

    id: str
    point: Point | None
    service_s: int = 0
    windows: tuple[TimeWindow, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"Stop.id must be a non-empty string, got {self.id!r}")
        object.__setattr__(self, "service_s", check_count("Stop.service_s", self.service_s))
        windows = tuple(self.windows)
        if not all(isinstance(w, TimeWindow) for w in windows):
            raise ValueError(f"Stop.windows must hold TimeWindow objects, got {windows!r}")
        object.__setattr__(self, "windows", windows)


@dataclass(frozen=True)
class DayRouteRequest:
    """One rep-day to plan.

    The route starts at ``start`` (office, home or an ad-hoc point) no earlier than ``day_start``
    and must be back at ``end`` (default: ``start``) by ``day_end``. ``max_visits`` caps the number
    of stops. ``time_limit`` (s) bounds the solver; ``seed`` makes runs reproducible.
    """

    start: Point
    stops: Sequence[Stop]
    end: Point | None = None
    day_start: int = 8 * 3600 + 30 * 60
    day_end: int = 18 * 3600
    max_visits: int | None = None
    objective: Objective = Objective.DURATION
    travel: TravelModel = field(default_factory=HaversineTravel)
    time_limit: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        day_start = check_int("day_start", self.day_start, 0)
        day_end = check_int("day_end", self.day_end, 0)
        if day_end < day_start:
            raise ValueError(f"day_end must not be before day_start, got {day_end} < {day_start}")
        object.__setattr__(self, "day_start", day_start)
        object.__setattr__(self, "day_end", day_end)
        object.__setattr__(self, "max_visits", check_optional_count("max_visits", self.max_visits))
        object.__setattr__(self, "time_limit", check_time_limit("time_limit", self.time_limit))
        object.__setattr__(self, "seed", check_int("seed", self.seed, 0))
        try:
            object.__setattr__(self, "objective", Objective(self.objective))
        except ValueError:
            choices = ", ".join(o.value for o in Objective)
            raise ValueError(f"objective must be one of {choices}, got {self.objective!r}") from None
        if not isinstance(self.travel, TravelModel):
            raise ValueError(f"travel must be a TravelModel, got {type(self.travel).__name__}")
        if not isinstance(self.start, Point) or not (self.end is None or isinstance(self.end, Point)):
            raise ValueError("start and end must be Point objects (end may be None)")
        object.__setattr__(self, "stops", tuple(self.stops))
        if not all(isinstance(s, Stop) for s in self.stops):
            raise ValueError("stops must be Stop objects")
        ids = [s.id for s in self.stops]
        if len(set(ids)) != len(ids):
            raise ValueError("stop ids must be unique")


@dataclass(frozen=True)
class Visit:
    """A scheduled stop. ``start - arrival`` is waiting for the time window to open."""

    stop_id: str
    sequence: int
    arrival: int
    start: int
    departure: int
    travel_s: int  # from the previous stop (or the base)
    distance_m: int  # from the previous stop (or the base)

    @property
    def wait_s(self) -> int:
        """Seconds waited before service starts."""
        return self.start - self.arrival


@dataclass(frozen=True)
class DayRoute:
    """A planned day: ordered ``visits`` plus every stop that could not be planned, with reasons.

    ``depart`` is when the rep leaves the start base, ``return_time`` when they reach the end base.
    The final leg back to the base is included in ``travel_s`` and ``distance_m``.
    """

    visits: tuple[Visit, ...]
    unassigned: tuple[Unassigned, ...]
    depart: int
    return_time: int
    travel_s: int
    distance_m: int
    service_s: int
    wait_s: int
    solver: str = ""
    travel_note: str = ""  # why travel times are estimates (e.g. the road-network server was down)

    @property
    def day_length_s(self) -> int:
        """Seconds from leaving the base to returning to it."""
        return self.return_time - self.depart

    @property
    def stop_ids(self) -> list[str]:
        """Visited stop ids in order."""
        return [v.stop_id for v in self.visits]
