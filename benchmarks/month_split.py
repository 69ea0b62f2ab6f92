"""The frequency-driven month split (R-ROUTE-2), kept as a comparator for the benchmarks.

The product's month planner is the plan generator (``baifang/plans/generate.py``): it knows each
visit's window from the obligations and calls ``baifang.routing.assign_days``. This module splits a
rep's customers over working days from their visit *counts* alone, as the route engine's first month
split did; ``bench_routing.py`` measures it and ``bench_plans.py`` compares the generator with it
(it ignores the week windows, so it is a lower bound rather than a peer). Tests:
``tests/routing/test_month_split_comparator.py``.

Visit *k* of a customer with *f* visits is restricted to block *k* of *f* (ISO weeks grouped evenly,
or equal runs of working days when *f* exceeds the number of weeks), which keeps e.g. weekly visits in
different weeks. Customers with an ordering weekday (when grouped) become a mutually exclusive group
of one client per allowed day. Solving runs in three PyVRP stages sharing ``time_limit`` 30/30/30 %:
minimise travel; then, warm-started, charge each day's length above 1.03 × and 1.00 × the mean. The
balancing pass and re-sequencing of ``baifang.routing`` follow.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from baifang.routing import (
    DayRoute,
    DayRouteRequest,
    HaversineTravel,
    MatrixTravel,
    Point,
    Reason,
    Stop,
    TravelModel,
    Unassigned,
    VrpProblem,
    VrpVehicleType,
    point_problem,
    schedule_route,
    solve_vrp,
)
from baifang.routing.balance import DayState, balance_days, day_length, insert_unplaced
from baifang.routing.territory import day_clients, day_vehicles, polish_day, visit_prize

__all__ = [
    "BalanceStats",
    "PlannedDay",
    "TerritoryCustomer",
    "TerritoryPlan",
    "TerritoryRequest",
    "split_territory",
    "visit_blocks",
]

#: (share of the time limit, shift target as a factor of the current mean day length or None)
_STAGES: tuple[tuple[float, float | None], ...] = ((0.3, None), (0.3, 1.03), (0.3, 1.0))


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


@dataclass(frozen=True)
class _Visit:
    customer: int  # index into the located customers
    index: int  # k-th visit of the customer (0-based)
    days: tuple[int, ...]  # allowed working-day indices, sorted


def visit_blocks(days: list, visits: int) -> list[list[int]]:
    """Split working-day indices into ``visits`` consecutive blocks, one per visit.

    Whole ISO weeks are grouped as evenly as possible when ``visits`` ≤ number of weeks (a weekly
    customer gets one block per week); otherwise the working days are cut into equal runs.
    """
    if visits <= 0 or not days:
        return []
    weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, d in enumerate(days):
        iso = d.isocalendar()
        weeks[(iso[0], iso[1])].append(i)
    week_lists = [weeks[k] for k in sorted(weeks)]
    if visits <= len(week_lists):
        groups = np.array_split(np.arange(len(week_lists)), visits)
        return [[i for w in g for i in week_lists[int(w)]] for g in groups]
    if visits > len(days):
        return [[i] for i in range(len(days))]
    return [[int(i) for i in g] for g in np.array_split(np.arange(len(days)), visits)]


def split_territory(request: TerritoryRequest) -> TerritoryPlan:
    """Split the customers' required visits over the working days (R-ROUTE-2).

    Returns one ordered route per working day, every visit that could not be placed (with a
    reason), and balance statistics. Deterministic for a given ``seed`` up to the wall-clock limit.
    """
    started = time.perf_counter()
    days = sorted(set(request.working_days))
    unassigned: list[Unassigned] = []
    base_bad = point_problem(request.base)
    located = []
    for c in request.customers:
        problem = Reason.INVALID_BASE if base_bad else point_problem(c.point)
        if problem:
            unassigned += [Unassigned.of(c.id, problem, k) for k in range(c.visits)]
        else:
            located.append(c)
    visits: list[_Visit] = []
    for ci, c in enumerate(located):
        blocks = visit_blocks(days, c.visits)
        for k in range(c.visits):
            if k >= len(blocks):
                unassigned.append(Unassigned.of(c.id, Reason.NO_WORKING_DAY, k))
                continue
            allowed = blocks[k]
            if request.group_by_order_weekday and c.order_weekday is not None:
                same = [i for i in allowed if days[i].weekday() == c.order_weekday]
                allowed = same or allowed
            visits.append(_Visit(ci, k, tuple(allowed)))
    cap_len = request.day_end - request.day_start
    if request.max_minutes_per_day is not None:
        cap_len = min(cap_len, request.max_minutes_per_day * 60)
    points = [request.base, *[c.point for c in located]]
    travel = request.travel.matrices(points)  # type: ignore[arg-type]
    dur = travel.durations
    state = DayState(
        routes=[[] for _ in days],
        dur=dur,
        node=np.array([v.customer + 1 for v in visits], dtype=np.int64),
        service=np.array([located[v.customer].service_s for v in visits], dtype=np.int64),
        allowed=[frozenset(v.days) for v in visits],
        cap_visits=request.max_visits_per_day,
        cap_length=cap_len,
    )
    if visits and days:
        _solve(request, state, visits, len(days), cap_len, started)
    placed = {v for r in state.routes for v in r}
    left = insert_unplaced(state, [i for i in range(len(visits)) if i not in placed])
    if request.balance:
        balance_days(state, tolerance=request.balance_tolerance)
    for d, route in enumerate(state.routes):
        if len(route) > 2:
            state.routes[d] = polish_day(state, route)
    for i in left:
        c = located[visits[i].customer]
        unassigned.append(Unassigned.of(c.id, Reason.CAPACITY, visits[i].index))
    plan_days = _assemble(request, located, visits, state, days, points, travel)
    return TerritoryPlan(
        tuple(plan_days), tuple(unassigned), _stats(plan_days), time.perf_counter() - started
    )


def _solve(
    request: TerritoryRequest,
    state: DayState,
    visits: list[_Visit],
    n_days: int,
    cap_len: int,
    started: float,
) -> None:
    dur = state.dur
    clients, owner, groups = day_clients(
        [v.days for v in visits], state, visit_prize(state), request.day_start, request.day_end
    )

    def vehicles(shift: int | None) -> list[VrpVehicleType]:
        return day_vehicles(
            n_days, request.day_start, request.day_end, cap_len, request.max_visits_per_day, shift
        )

    stages = _STAGES if request.balance else ((0.9, None),)
    sol = None
    for share, factor in stages:
        budget = max(0.1, request.time_limit * share)
        if sol is None or factor is None:
            sol = solve_vrp(
                VrpProblem(dur, dur, clients, vehicles(None), groups),
                time_limit=budget,
                seed=request.seed,
                no_improvement=request.no_improvement,
            )
            continue
        if not sol.routes:
            break
        mean = sum(r.duration for r in sol.routes) / n_days
        warm = [(r.vehicle_type, list(r.clients)) for r in sol.routes]
        nxt = solve_vrp(
            VrpProblem(dur, dur, clients, vehicles(int(mean * factor)), groups),
            time_limit=budget,
            seed=request.seed,
            initial_routes=warm,
            no_improvement=request.no_improvement,
        )
        if nxt.feasible or not sol.feasible:
            sol = nxt
    assert sol is not None
    for r in sol.routes:
        day = r.vehicle_type
        route = [owner[c] for c in r.clients if day in state.allowed[owner[c]]]
        state.routes[day] = route
    for d in range(n_days):  # PyVRP may return a penalised (infeasible) best: enforce the caps
        cap = state.cap_visits
        while state.routes[d] and (
            (cap is not None and len(state.routes[d]) > cap) or day_length(state, d) > state.cap_length
        ):
            state.routes[d].pop()


def _assemble(request, located, visits, state, days, points, travel) -> list[PlannedDay]:
    model = MatrixTravel(points, travel.durations, travel.distances)
    out: list[PlannedDay] = []
    for d, route in enumerate(state.routes):
        stops = [
            Stop(located[visits[v].customer].id, points[state.node[v]], int(state.service[v])) for v in route
        ]
        day_req = DayRouteRequest(
            start=request.base,
            stops=stops,
            day_start=request.day_start,
            day_end=request.day_end,
            travel=model,
        )
        out.append(PlannedDay(days[d], schedule_route(day_req, [s.id for s in stops])))
    return out


def _stats(plan_days: list[PlannedDay]) -> BalanceStats:
    if not plan_days:
        return BalanceStats(0.0, 0, 0, 0.0, 0.0, 0, 0, 0, 0)
    lengths = np.array([p.route.travel_s + p.route.service_s for p in plan_days], dtype=float)
    mean = float(lengths.mean())
    counts = [len(p.route.visits) for p in plan_days]
    pct = 100.0 / mean if mean > 0 else 0.0
    return BalanceStats(
        mean_s=mean,
        min_s=int(lengths.min()),
        max_s=int(lengths.max()),
        spread_pct=float((lengths.max() - lengths.min()) * pct),
        max_deviation_pct=float(np.abs(lengths - mean).max() * pct),
        total_travel_s=sum(p.route.travel_s for p in plan_days),
        total_distance_m=sum(p.route.distance_m for p in plan_days),
        min_visits=min(counts),
        max_visits=max(counts),
    )
