"""The generator's data: needs in, planned items and what could not fit out (plain Python, no Django)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from baifang.routing import HaversineTravel, Point, TimeWindow, TravelModel

VISIT = "visit"
VISIT_CHANNELS = frozenset({"visit", "invited"})


class NeedKind(StrEnum):
    """Where a need comes from (shown to the rep as the item's reason)."""

    RULE = "rule"  # a visit rule's obligation (R-OBL-1)
    SPECIAL = "special"  # a special visit (R-OBL-3)
    COVERAGE = "coverage"  # not visited last month: two months cover everyone (R-PLAN-4)
    FIRST = "first"  # first visit of the month by day N (R-FREQ-3)
    FILL = "fill"  # topping a day up to the minimum number of visits


class Reason(StrEnum):
    """Why a need could not be planned in full."""

    NO_VISIT_DAY = "no_visit_day"  # no visit day (or no working day, for calls) in the window
    LEAD_TIME = "lead_time"  # the appointment lead time leaves no day in the window
    CAPACITY = "capacity"  # every allowed day is full (visits, calls or time)
    ROUTE = "route"  # placed, but no day's route could fit it (business hours, day length)


@dataclass(frozen=True)
class DayInfo:
    """A date of the horizon: a working day? a visit day for this rep (R-CAL-3)?"""

    day: dt.date
    working: bool
    visit_day: bool


@dataclass(frozen=True)
class CustomerInfo:
    """What placement and routing need to know of a customer."""

    id: int
    point: Point | None = None
    service_s: int = 900
    windows: tuple[TimeWindow, ...] = ()
    order_weekday: int | None = None  # 0 = Monday
    lead_days: int = 0  # appointment lead time in whole days


@dataclass(frozen=True)
class Need:
    """At least ``count`` touches of ``channels`` for a customer between ``earliest`` and ``latest``."""

    key: str
    customer_id: int
    kind: NeedKind
    channels: frozenset[str]
    plan_channel: str  # the channel of an item added for this need
    count: int
    earliest: dt.date
    latest: dt.date
    label: str = ""
    first_by: dt.date | None = None  # the first touch of the window is due by this day

    def covers(self, item) -> bool:
        """An item (planned or fixed) of this need's customer and channels inside its window."""
        return (
            item.customer_id == self.customer_id
            and item.channel in self.channels
            and self.earliest <= item.day <= self.latest
        )


@dataclass(frozen=True)
class FixedItem:
    """An item that already exists (kept by the rep, or in another plan): counted, never moved."""

    customer_id: int
    day: dt.date
    channel: str


@dataclass
class PlannedItem:
    """One planned touch. Times are seconds since midnight; visits that could not be routed have none."""

    customer_id: int
    day: dt.date
    channel: str
    kind: NeedKind
    need_keys: list[str] = field(default_factory=list)
    label: str = ""
    sequence: int = 0
    start_s: int | None = None
    end_s: int | None = None
    travel_s: int = 0
    distance_m: int = 0
    earliest: dt.date | None = None  # the range this item may move in without breaking a need
    latest: dt.date | None = None
    fixed: bool = False  # kept from before: counted and routed, never moved

    @property
    def movable(self) -> bool:
        return not self.fixed and self.kind != NeedKind.FILL

    @property
    def is_visit(self) -> bool:
        return self.channel in VISIT_CHANNELS


@dataclass(frozen=True)
class CannotFit:
    """A need (or part of it) left out, and why."""

    need_key: str
    customer_id: int
    reason: Reason
    missing: int
    label: str = ""


@dataclass(frozen=True)
class LateFirst:
    """A first touch due by ``first_by`` (R-FREQ-3) that is planned, but only on ``planned_on``.

    Placed, so never in ``cannot_fit`` (issue 17): the plan shows it as late for its deadline.
    """

    need_key: str
    customer_id: int
    first_by: dt.date
    planned_on: dt.date
    label: str = ""
    channels: frozenset[str] = frozenset()  # the touches that would have met it (the late item is one)


@dataclass(frozen=True)
class DayTotals:
    day: dt.date
    visits: int
    calls: int
    travel_s: int
    distance_m: int
    service_s: int
    below_minimum: bool


@dataclass(frozen=True)
class GenerateRequest:
    """Everything the generator needs for one rep and one horizon (usually a month)."""

    days: Sequence[DayInfo]
    customers: Sequence[CustomerInfo]
    needs: Sequence[Need]
    base: Point | None
    fixed: Sequence[FixedItem] = ()
    today: dt.date | None = None  # nothing before today (+ the customer's lead days)
    day_start: int = 8 * 3600 + 30 * 60
    day_end: int = 18 * 3600
    reserve_share: float = 0.2  # of each day kept free for ad-hoc work
    max_visits_per_day: int = 20
    min_visits_per_day: int = 0
    max_calls_per_day: int = 30
    call_s: int = 300
    fill_candidates: Sequence[int] = ()  # customers to top days up with, least recently seen first
    order_day_penalty_s: int = 4 * 3600  # visit on the order day unless those days are full
    zone_penalty_s: int = 7200  # a visit off its zone's weekday (R-ROUTE-2: one area a day)
    week_penalty_s: int = 3600  # a monthly visit off its zone's week
    travel: TravelModel = field(default_factory=HaversineTravel)
    route_time_limit: float = 0.01  # fast-tsp converges on a day of 20–40 stops well within this
    optimise_s: float | None = None  # PyVRP over the days' visits; None: scaled to the visits, 0: off
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.reserve_share < 1:
            raise ValueError("reserve_share must be in [0, 1)")
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        if self.max_visits_per_day < 0 or self.min_visits_per_day < 0 or self.max_calls_per_day < 0:
            raise ValueError("daily caps must be >= 0")

    @property
    def budget_s(self) -> int:
        """Seconds of each day the plan may fill (the rest is reserved for ad-hoc work)."""
        return int((self.day_end - self.day_start) * (1 - self.reserve_share))


@dataclass(frozen=True)
class GeneratedPlan:
    items: tuple[PlannedItem, ...]  # new items and the fixed ones of the horizon (with their new order)
    cannot_fit: tuple[CannotFit, ...]
    days: tuple[DayTotals, ...]
    runtime_s: float
    late: tuple[LateFirst, ...] = ()  # first touches placed after their first_by deadline
