"""Call-load planning (R-ROUTE-3) and channel width (R-ROUTE-4).

Frequencies are "n calls and m visits per period"; periods are converted to weeks with
:data:`WEEKS_PER_PERIOD` (a month is 52/12 weeks). Seed 001's example: 55 calls a week over
5 working days = 11 calls a day, each day's calls taken from one area of the marketing map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .geo import Point, point_problem
from .validation import check_count, check_int, check_real

__all__ = [
    "WEEKS_PER_PERIOD",
    "CallLoad",
    "ChannelWidth",
    "ContactFrequency",
    "DayCalls",
    "Period",
    "TierFrequency",
    "call_load",
    "channel_width_cap",
]


class Period(StrEnum):
    """A frequency period."""

    WEEK = "week"
    TWO_WEEKS = "two_weeks"
    MONTH = "month"
    TWO_MONTHS = "two_months"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


#: Length of each period in weeks.
WEEKS_PER_PERIOD: dict[Period, float] = {
    Period.WEEK: 1.0,
    Period.TWO_WEEKS: 2.0,
    Period.MONTH: 52.0 / 12.0,
    Period.TWO_MONTHS: 52.0 / 6.0,
    Period.QUARTER: 13.0,
    Period.HALF_YEAR: 26.0,
    Period.YEAR: 52.0,
}


def _period(name: str, value: object) -> Period:
    try:
        return Period(value)
    except ValueError:
        raise ValueError(
            f"{name} must be one of {', '.join(p.value for p in Period)}, got {value!r}"
        ) from None


@dataclass(frozen=True)
class ContactFrequency:
    """How often one customer is called and visited: ``calls``/``visits`` per ``period``."""

    customer_id: str
    calls: float = 0.0
    visits: float = 0.0
    period: Period = Period.WEEK
    point: Point | None = None
    tier: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "calls", check_real("ContactFrequency.calls", self.calls, 0.0))
        object.__setattr__(self, "visits", check_real("ContactFrequency.visits", self.visits, 0.0))
        object.__setattr__(self, "period", _period("ContactFrequency.period", self.period))

    @property
    def calls_per_week(self) -> float:
        """Calls per week."""
        return self.calls / WEEKS_PER_PERIOD[Period(self.period)]

    @property
    def visits_per_week(self) -> float:
        """Visits per week."""
        return self.visits / WEEKS_PER_PERIOD[Period(self.period)]


@dataclass(frozen=True)
class DayCalls:
    """The calls of one working day of a typical week: customers of one area (plus repeat calls).

    ``repeat_ids`` are customers of other areas called more than once a week (e.g. A-tier twice a
    week, 周二和周五). ``expected_calls`` counts fractional customers (called every 2 weeks = 0.5).
    """

    day_index: int
    area: int
    customer_ids: tuple[str, ...]
    repeat_ids: tuple[str, ...]
    expected_calls: float


@dataclass(frozen=True)
class CallLoad:
    """Weekly and daily call/visit load of a rep, and the day-by-day area plan."""

    calls_per_week: float
    visits_per_week: float
    calls_per_day: float
    visits_per_day: float
    working_days_per_week: int
    days: tuple[DayCalls, ...]
    unlocated: tuple[str, ...] = ()


def _angle_order(items: Sequence[ContactFrequency], base: Point | None) -> list[ContactFrequency]:
    located = [c for c in items if point_problem(c.point) is None]
    if not located:
        return []
    pts = [c.point.to_wgs84() for c in located]  # type: ignore[union-attr]
    if base is None or point_problem(base):
        clat = sum(p.lat for p in pts) / len(pts)
        clng = sum(p.lng for p in pts) / len(pts)
    else:
        b = base.to_wgs84()
        clat, clng = b.lat, b.lng
    scale = math.cos(math.radians(clat))
    angles = [math.atan2(p.lat - clat, (p.lng - clng) * scale) for p in pts]
    order = sorted(range(len(located)), key=lambda i: (angles[i], located[i].customer_id))
    if len(order) > 1:  # start the sweep at the widest angular gap so no area straddles it
        gaps = [
            (angles[order[(i + 1) % len(order)]] - angles[order[i]]) % (2 * math.pi)
            for i in range(len(order))
        ]
        cut = max(range(len(order)), key=lambda i: gaps[i]) + 1
        order = order[cut:] + order[:cut]
    return [located[i] for i in order]


def call_load(
    customers: Sequence[ContactFrequency],
    *,
    working_days_per_week: int = 5,
    base: Point | None = None,
) -> CallLoad:
    """Compute weekly/daily calls and visits and split a typical week's calls into areas (R-ROUTE-3).

    Customers are swept by angle around ``base`` (or their centroid) and cut into
    ``working_days_per_week`` consecutive sectors of (nearly) equal weekly call load, so each day's
    calls come from one area. A customer only visited belongs to the area its angle falls in (with
    no calls at all, the sectors split the weekly visits). Customers with a call or visit but without
    a valid location are listed in ``unlocated``.
    """
    working_days_per_week = check_int("working_days_per_week", working_days_per_week, 1)
    if base is not None and not isinstance(base, Point):
        raise ValueError(f"base must be a Point or None, got {base!r}")
    days = working_days_per_week
    calls = sum(c.calls_per_week for c in customers)
    visits = sum(c.visits_per_week for c in customers)
    contacts = [c for c in customers if c.calls_per_week > 0 or c.visits_per_week > 0]
    ordered = _angle_order(contacts, base)
    unlocated = tuple(c.customer_id for c in contacts if point_problem(c.point) is not None)
    areas: list[list[ContactFrequency]] = [[] for _ in range(days)]
    if calls > 0:  # a visit-only customer weighs nothing but still belongs to the area of its angle
        shares = [c.calls_per_week / max(1, math.ceil(c.calls_per_week)) for c in ordered]
    else:  # nobody is called: the areas split the visits instead
        shares = [c.visits_per_week for c in ordered]
    total = sum(shares)
    acc = 0.0
    for c, share in zip(ordered, shares, strict=True):
        area = min(days - 1, int((acc + share / 2) / total * days)) if total > 0 else 0
        areas[area].append(c)
        acc += share
    repeats: list[list[str]] = [[] for _ in range(days)]
    load = [0.0] * days
    for a, members in enumerate(areas):
        for c in members:
            reps = max(1, math.ceil(c.calls_per_week))
            share = c.calls_per_week / reps
            load[a] += share
            for k in range(1, min(reps, days)):
                other = (a + round(k * days / reps)) % days
                repeats[other].append(c.customer_id)
                load[other] += share
    plan = tuple(
        DayCalls(i, i, tuple(c.customer_id for c in areas[i]), tuple(repeats[i]), round(load[i], 3))
        for i in range(days)
    )
    return CallLoad(
        calls_per_week=calls,
        visits_per_week=visits,
        calls_per_day=calls / days,
        visits_per_day=visits / days,
        working_days_per_week=days,
        days=plan,
        unlocated=unlocated,
    )


@dataclass(frozen=True)
class TierFrequency:
    """A customer tier: ``customers`` of them, each ``visits``/``calls`` per ``period``."""

    tier: str
    customers: int
    visits: float = 0.0
    calls: float = 0.0
    period: Period = Period.MONTH

    def __post_init__(self) -> None:
        object.__setattr__(self, "customers", check_count("TierFrequency.customers", self.customers))
        object.__setattr__(self, "visits", check_real("TierFrequency.visits", self.visits, 0.0))
        object.__setattr__(self, "calls", check_real("TierFrequency.calls", self.calls, 0.0))
        object.__setattr__(self, "period", _period("TierFrequency.period", self.period))


@dataclass(frozen=True)
class ChannelWidth:
    """Result of :func:`channel_width_cap`: the maximum customer count at the current tier mix."""

    cap: int
    actual: int
    exceeded: bool
    visits_per_week: float
    calls_per_week: float
    binding: str  # "visits" or "calls": which capacity sets the cap
    explanation: str


def channel_width_cap(
    tiers: Sequence[TierFrequency],
    *,
    visits_per_week_capacity: float,
    calls_per_week_capacity: float | None = None,
) -> ChannelWidth:
    """Maximum number of customers a rep can serve with the given tier mix (R-ROUTE-4, 渠道宽度).

    The weekly load per customer is the tier-weighted average of visits (and calls) per week; the
    cap is ``floor(capacity / load per customer)`` for the tighter of the two capacities.
    ``exceeded`` flags a rep whose actual customer count is above the cap.
    """
    visits_per_week_capacity = check_real("visits_per_week_capacity", visits_per_week_capacity, 0.0)
    if calls_per_week_capacity is not None:
        calls_per_week_capacity = check_real("calls_per_week_capacity", calls_per_week_capacity, 0.0)
    if not all(isinstance(t, TierFrequency) for t in tiers):
        raise ValueError("tiers must be TierFrequency objects")
    actual = sum(t.customers for t in tiers)
    visits = sum(t.customers * t.visits / WEEKS_PER_PERIOD[Period(t.period)] for t in tiers)
    calls = sum(t.customers * t.calls / WEEKS_PER_PERIOD[Period(t.period)] for t in tiers)
    caps: dict[str, float] = {}
    if actual > 0 and visits > 0:
        caps["visits"] = visits_per_week_capacity / (visits / actual)
    if actual > 0 and calls > 0 and calls_per_week_capacity is not None:
        caps["calls"] = calls_per_week_capacity / (calls / actual)
    if not caps:
        return ChannelWidth(0, actual, False, visits, calls, "", "没有客户或频率为零,无法计算渠道宽度上限")
    binding = min(caps, key=lambda k: caps[k])
    cap = math.floor(caps[binding] + 1e-9)
    exceeded = actual > cap
    what = "拜访" if binding == "visits" else "电话"
    need = visits if binding == "visits" else calls
    have = visits_per_week_capacity if binding == "visits" else calls_per_week_capacity
    text = (
        f"按当前客户分级与频率,每周需{what} {need:.1f} 次,可用能力 {have:.1f} 次,"
        f"客户数上限为 {cap} 家,实际 {actual} 家" + (",已超出渠道宽度上限" if exceeded else ",未超出上限")
    )
    return ChannelWidth(cap, actual, exceeded, visits, calls, binding, text)
