"""Dataclasses for territory / month splits (R-ROUTE-2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .geo import Point
from .models import DayRoute
from .reasons import Unassigned
from .travel import HaversineTravel, TravelModel

__all__ = ["BalanceStats", "PlannedDay", "TerritoryCustomer", "TerritoryPlan", "TerritoryRequest"]


@dataclass(frozen=True)
class TerritoryCustomer:
    """A customer of the rep: ``visits`` required over the horizon, ``service_s`` seconds each.

    ``order_weekday`` (0 = Monday … 6 = Sunday) is the customer's ordering day; with
    :attr:`TerritoryRequest.group_by_order_weekday` its visits are placed on that weekday, so
    customers ordering on the same day are visited on the same days.
    """

    id: str
    point: Point | None
    visits: int = 1
    service_s: int = 900
    order_weekday: int | None = None

    def __post_init__(self) -> None:
        if self.visits < 0 or self.service_s < 0:
            raise ValueError("visits and service_s must be >= 0")
        if self.order_weekday is not None and not 0 <= self.order_weekday <= 6:
            raise ValueError("order_weekday must be 0..6")


@dataclass(frozen=True)
class TerritoryRequest:
    """Split a rep's customers over ``working_days`` (the caller supplies Chinese working days).

    Each day starts and ends at ``base`` within ``day_start``–``day_end`` (seconds since midnight);
    ``max_visits_per_day`` and ``max_minutes_per_day`` further cap a day. With ``balance`` the day
    lengths are evened out to within ``balance_tolerance`` of the mean where possible.
    ``time_limit`` (s) bounds the solver; results are reproducible for a ``seed`` when the search
    stops on ``no_improvement`` (iterations without improvement per stage) before the time limit.
    """

    base: Point
    customers: Sequence[TerritoryCustomer]
    working_days: Sequence[date]
    day_start: int = 8 * 3600 + 30 * 60
    day_end: int = 18 * 3600
    max_visits_per_day: int | None = None
    max_minutes_per_day: int | None = None
    group_by_order_weekday: bool = False
    balance: bool = True
    balance_tolerance: float = 0.10
    travel: TravelModel = field(default_factory=HaversineTravel)
    time_limit: float = 10.0
    seed: int = 0
    no_improvement: int | None = None

    def __post_init__(self) -> None:
        ids = [c.id for c in self.customers]
        if len(set(ids)) != len(ids):
            raise ValueError("customer ids must be unique")
        if self.day_end < self.day_start:
            raise ValueError("day_end must not be before day_start")


@dataclass(frozen=True)
class PlannedDay:
    """One working day of the plan and its ordered route."""

    day: date
    route: DayRoute


@dataclass(frozen=True)
class BalanceStats:
    """Workload balance over all working days (day length = travel + service, in seconds).

    ``spread_pct`` is (max − min) / mean; ``max_deviation_pct`` the largest |day − mean| / mean.
    """

    mean_s: float
    min_s: int
    max_s: int
    spread_pct: float
    max_deviation_pct: float
    total_travel_s: int
    total_distance_m: int
    min_visits: int
    max_visits: int


@dataclass(frozen=True)
class TerritoryPlan:
    """The split: one :class:`PlannedDay` per working day, unplaced visits, and balance statistics."""

    days: tuple[PlannedDay, ...]
    unassigned: tuple[Unassigned, ...]
    stats: BalanceStats
    runtime_s: float = 0.0

    def visits_of(self, customer_id: str) -> list[date]:
        """Dates on which ``customer_id`` is visited."""
        return [d.day for d in self.days if customer_id in d.route.stop_ids]
