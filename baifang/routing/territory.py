"""Territory / month split (R-ROUTE-2): spread a rep's customer visits over working days.

Model (PyVRP, one vehicle type per working day): day ``d`` is mapped onto its own slice of a
global timeline, ``[d·86400 + day_start, d·86400 + day_end]``. A visit that must fall in days
``lo..hi`` gets the time window ``[lo·86400 + day_start, hi·86400 + day_end]``, so only the
vehicles (days) of that block can serve it. Visit *k* of a customer with *f* visits is restricted to
block *k* of *f* (ISO weeks grouped evenly, or equal runs of working days when *f* exceeds the
number of weeks), which keeps e.g. weekly visits in different weeks. Customers with an ordering
weekday (when grouped) become a mutually exclusive group of one client per allowed day.

Solving runs in two stages: minimise travel time under the hard day caps; then, warm-started,
penalise each day's length above the mean through PyVRP overtime costs. A deterministic move-based
pass (:func:`balance_days`) then evens out what is left, and each day is re-sequenced (2-opt/Or-opt).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .balance import DayState, balance_days, day_length, insert_unplaced
from .day_route import schedule_route
from .geo import point_problem
from .models import DayRouteRequest, Stop
from .reasons import Reason, Unassigned
from .sequencing import polish_path
from .territory_models import BalanceStats, PlannedDay, TerritoryPlan, TerritoryRequest
from .travel import MatrixTravel
from .vrp import VrpClient, VrpProblem, VrpVehicleType, solve_vrp

__all__ = ["assign_days", "split_territory", "visit_blocks"]

_DAY = 86400
_OVERTIME_COST = 4
#: (share of the time limit, shift target as a factor of the current mean day length or None)
_STAGES: tuple[tuple[float, float | None], ...] = ((0.3, None), (0.3, 1.03), (0.3, 1.0))


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
            state.routes[d] = _polish(state, route)
    for i in left:
        c = located[visits[i].customer]
        unassigned.append(Unassigned.of(c.id, Reason.CAPACITY, visits[i].index))
    plan_days = _assemble(request, located, visits, state, days, points, travel)
    return TerritoryPlan(
        tuple(plan_days), tuple(unassigned), _stats(plan_days), time.perf_counter() - started
    )


def _clients(visits: list[_Visit], state: DayState, prize: int, request: TerritoryRequest):
    clients: list[VrpClient] = []
    owner: list[int] = []
    groups: list[bool] = []
    for i, v in enumerate(visits):
        contiguous = v.days[-1] - v.days[0] + 1 == len(v.days)
        spans = [(v.days[0], v.days[-1])] if contiguous else [(d, d) for d in v.days]
        group = None
        if len(spans) > 1:
            groups.append(False)
            group = len(groups) - 1
        for lo, hi in spans:
            clients.append(
                VrpClient(
                    location=int(state.node[i]),
                    service_duration=int(state.service[i]),
                    tw_early=lo * _DAY + request.day_start,
                    tw_late=hi * _DAY + request.day_end,
                    demand=1,
                    required=False,
                    prize=prize,
                    group=group,
                )
            )
            owner.append(i)
    return clients, owner, groups


def _solve(
    request: TerritoryRequest,
    state: DayState,
    visits: list[_Visit],
    n_days: int,
    cap_len: int,
    started: float,
) -> None:
    dur = state.dur
    prize = int((2 * int(dur.max()) + int(state.service.max())) * (1 + _OVERTIME_COST) * 4 + 1)
    clients, owner, groups = _clients(visits, state, prize, request)

    def vehicles(shift: int | None) -> list[VrpVehicleType]:
        out = []
        for d in range(n_days):
            nominal = cap_len if shift is None else min(shift, cap_len)
            out.append(
                VrpVehicleType(
                    num_available=1,
                    capacity=request.max_visits_per_day,
                    tw_early=d * _DAY + request.day_start,
                    tw_late=d * _DAY + request.day_end,
                    shift_duration=nominal,
                    max_overtime=cap_len - nominal,
                    unit_overtime_cost=0 if shift is None else _OVERTIME_COST,
                    name=str(d),
                )
            )
        return out

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


@dataclass(frozen=True)
class _Window:
    day_start: int
    day_end: int


def assign_days(
    durations: np.ndarray,
    nodes: Sequence[int],
    services: Sequence[int],
    allowed: Sequence[Sequence[int]],
    n_days: int,
    *,
    day_start: int,
    day_end: int,
    cap_length: int,
    max_visits_per_day: int | None = None,
    initial: Sequence[Sequence[int]] | None = None,
    time_limit: float = 1.0,
    seed: int = 0,
    balance_tolerance: float | None = 0.15,
) -> tuple[list[list[int]], list[int]]:
    """Put visits on days, each only on one of its ``allowed`` day indices, minimising travel (R-ROUTE-2).

    Visit ``v`` is at matrix index ``nodes[v]`` of ``durations`` (index 0 is the base) and takes
    ``services[v]`` seconds. Days hold at most ``max_visits_per_day`` visits and ``cap_length``
    seconds of travel and service. ``initial`` (visit indices per day) warm-starts the PyVRP
    search; with ``balance_tolerance`` the day lengths are then evened out by moves between days.
    Returns the ordered visits of each day and the visits that fit nowhere.
    """
    state = DayState(
        routes=[[] for _ in range(n_days)],
        dur=np.asarray(durations),
        node=np.asarray(nodes, dtype=np.int64),
        service=np.asarray(services, dtype=np.int64),
        allowed=[frozenset(a) for a in allowed],
        cap_visits=max_visits_per_day,
        cap_length=cap_length,
    )
    visits = [_Visit(-1, 0, tuple(sorted(a))) for a in allowed]
    todo = [v for v, a in enumerate(allowed) if a]
    if not todo or n_days == 0:
        return state.routes, list(range(len(visits)))
    window = _Window(day_start, day_end)
    prize = int((2 * int(state.dur.max()) + int(state.service.max())) * (1 + _OVERTIME_COST) * 4 + 1)
    clients, owner, groups = _clients([visits[v] for v in todo], _sub(state, todo), prize, window)
    owner = [todo[i] for i in owner]
    first_client: dict[tuple[int, int], int] = {}
    for c, (v, client) in enumerate(zip(owner, clients, strict=True)):
        for d in range((client.tw_early - day_start) // _DAY, (client.tw_late - day_end) // _DAY + 1):
            first_client.setdefault((v, d), c)
    warm = None
    if initial:
        warm = [
            (d, [first_client[(v, d)] for v in day if (v, d) in first_client])
            for d, day in enumerate(initial)
        ]

    def vehicles(shift: int | None) -> list[VrpVehicleType]:
        nominal = cap_length if shift is None else min(shift, cap_length)
        return [
            VrpVehicleType(
                num_available=1,
                capacity=max_visits_per_day,
                tw_early=d * _DAY + day_start,
                tw_late=d * _DAY + day_end,
                shift_duration=nominal,
                max_overtime=cap_length - nominal,
                unit_overtime_cost=0 if shift is None else _OVERTIME_COST,
                name=str(d),
            )
            for d in range(n_days)
        ]

    # Stage 1 minimises travel; stage 2, warm-started, charges each day's length above the mean
    # (as the month split does), so the search consolidates areas without piling up days.
    share = 0.5 if balance_tolerance is not None else 1.0
    sol = solve_vrp(
        VrpProblem(state.dur, state.dur, clients, vehicles(None), groups),
        time_limit=time_limit * share,
        seed=seed,
        initial_routes=warm,
    )
    if balance_tolerance is not None and sol.routes:
        mean = sum(r.duration for r in sol.routes) / n_days
        nxt = solve_vrp(
            VrpProblem(
                state.dur, state.dur, clients, vehicles(int(mean * (1 + balance_tolerance / 2))), groups
            ),
            time_limit=time_limit * share,
            seed=seed,
            initial_routes=[(r.vehicle_type, list(r.clients)) for r in sol.routes],
        )
        if nxt.feasible or not sol.feasible:
            sol = nxt
    for r in sol.routes:
        state.routes[r.vehicle_type] = [
            owner[c] for c in r.clients if r.vehicle_type in state.allowed[owner[c]]
        ]
    for d in range(n_days):  # a penalised (infeasible) best: enforce the caps
        while state.routes[d] and (
            (max_visits_per_day is not None and len(state.routes[d]) > max_visits_per_day)
            or day_length(state, d) > cap_length
        ):
            state.routes[d].pop()
    placed = {v for r in state.routes for v in r}
    left = insert_unplaced(state, [v for v in range(len(visits)) if v not in placed])
    if balance_tolerance is not None:
        balance_days(state, tolerance=balance_tolerance)
    for d, route in enumerate(state.routes):
        if len(route) > 2:
            state.routes[d] = _polish(state, route)
    return state.routes, left


def _sub(state: DayState, todo: list[int]) -> DayState:
    """The state restricted to the visits ``todo`` (in that order), for building clients."""
    return DayState(
        routes=[],
        dur=state.dur,
        node=state.node[todo],
        service=state.service[todo],
        allowed=[state.allowed[v] for v in todo],
        cap_visits=state.cap_visits,
        cap_length=state.cap_length,
    )


def _polish(state: DayState, route: list[int]) -> list[int]:
    path = polish_path([0, *[r + 1 for r in range(len(route))], 0], _route_matrix(state, route))
    return [route[i - 1] for i in path[1:-1]]


def _route_matrix(state: DayState, route: list[int]) -> np.ndarray:
    nodes = np.concatenate(([0], state.node[route]))
    return state.dur[np.ix_(nodes, nodes)]


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
