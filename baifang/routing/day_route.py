"""Day route (R-ROUTE-1): order one rep-day's stops, honouring time windows and the day length.

Strategy:

1. Stops without a usable location, and stops that cannot fit even alone (base → stop → base
   within the stop's window and the day), are reported with a precise reason.
2. Days without any time window take the fast pure-sequencing path (:func:`solve_tsp`); stops
   that no longer fit in the day are dropped from the end of the route with a reason.
3. Days with time windows are solved with PyVRP as a prize-collecting problem (one vehicle, all
   stops optional with a prize larger than any detour), so infeasible combinations become
   unassigned stops instead of failures.

Every returned schedule is re-checked here; a violation removes the offending stop (with a reason),
so the output is always feasible and every input stop is either visited or unassigned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geo import point_problem
from .models import DayRoute, DayRouteRequest, Objective, Stop, Visit
from .reasons import Reason, Unassigned
from .sequencing import path_cost, solve_tsp
from .vrp import VrpClient, VrpProblem, VrpVehicleType, solve_vrp

__all__ = ["schedule_route", "solve_day_route"]

_NO_IMPROVEMENT = 3000


@dataclass
class _Day:
    """Matrices for [start base, end base, stop_0, stop_1, ...] and the stops they describe."""

    stops: list[Stop]
    dur: np.ndarray
    dist: np.ndarray
    day_start: int
    day_end: int


@dataclass
class _Schedule:
    visits: list[Visit]
    depart: int
    return_time: int
    bad: int | None  # position of the first violated stop, len(order) if only the return is late


def _choose_start(stop: Stop, arrival: int) -> int | None:
    if not stop.windows:
        return arrival
    for w in sorted(stop.windows, key=lambda w: w.earliest):
        if w.latest >= arrival:
            return max(arrival, w.earliest)
    return None


def _schedule(day: _Day, order: Sequence[int]) -> _Schedule:
    """Earliest-start schedule for stop positions ``order``; departs as late as useful."""
    t = day.day_start
    prev = 0
    visits: list[Visit] = []
    bad: int | None = None
    for pos, k in enumerate(order):
        node = k + 2
        travel = int(day.dur[prev, node])
        arrival = t + travel
        start = _choose_start(day.stops[k], arrival)
        if start is None:
            bad = pos if bad is None else bad
            start = arrival
        departure = start + day.stops[k].service_s
        visits.append(
            Visit(day.stops[k].id, pos + 1, arrival, start, departure, travel, int(day.dist[prev, node]))
        )
        t, prev = departure, node
    return_time = t + int(day.dur[prev, 1])
    if bad is None and (return_time > day.day_end or any(v.departure > day.day_end for v in visits)):
        bad = len(order)
    depart = day.day_start
    if visits and visits[0].wait_s > 0:
        first = visits[0]
        depart = first.start - first.travel_s
        visits[0] = Visit(
            first.stop_id, 1, first.start, first.start, first.departure, first.travel_s, first.distance_m
        )
    return _Schedule(visits, depart, return_time, bad)


def _alone_reason(day: _Day, k: int) -> Reason | None:
    """Why stop ``k`` cannot be visited even as the only stop of the day (None if it can)."""
    stop = day.stops[k]
    node = k + 2
    arrival = day.day_start + int(day.dur[0, node])
    back = int(day.dur[node, 1])
    if stop.windows:
        inside = [w for w in stop.windows if w.latest >= day.day_start and w.earliest <= day.day_end]
        if not inside:
            return Reason.WINDOW_OUTSIDE_DAY
        reachable = [w for w in inside if w.latest >= arrival]
        if not reachable:
            return Reason.WINDOW_UNREACHABLE
        starts = [max(arrival, w.earliest) for w in reachable]
    else:
        starts = [arrival]
    if min(starts) + stop.service_s + back > day.day_end:
        return Reason.DAY_TOO_SHORT
    return None


def schedule_route(request: DayRouteRequest, stop_ids: Sequence[str]) -> DayRoute:
    """Schedule the given visiting order as-is (no optimisation, no feasibility repair).

    Useful to show the times of a route the rep arranged by hand; ``unassigned`` lists the stops
    of ``request`` that are not in ``stop_ids``. Raises ``ValueError`` for an unknown stop id or a
    stop without a valid location.
    """
    by_id = {s.id: s for s in request.stops}
    stops = [by_id[i] for i in stop_ids]
    if any(point_problem(s.point) for s in stops):
        raise ValueError("every scheduled stop needs a valid location")
    day = _make_day(request, stops)
    sched = _schedule(day, list(range(len(stops))))
    missing = [Unassigned.of(s.id, Reason.DAY_FULL) for s in request.stops if s.id not in set(stop_ids)]
    return _result(day, sched, missing, "manual")


def _make_day(request: DayRouteRequest, stops: list[Stop]) -> _Day:
    end = request.end if request.end is not None else request.start
    mats = request.travel.matrices([request.start, end, *[s.point for s in stops]])  # type: ignore[misc]
    return _Day(stops, mats.durations, mats.distances, request.day_start, request.day_end)


def _result(day: _Day, sched: _Schedule, unassigned: list[Unassigned], solver: str) -> DayRoute:
    visits = sched.visits
    position = {s.id: k for k, s in enumerate(day.stops)}
    last = position[visits[-1].stop_id] + 2 if visits else 0
    travel = sum(v.travel_s for v in visits) + int(day.dur[last, 1])
    distance = sum(v.distance_m for v in visits) + int(day.dist[last, 1])
    return DayRoute(
        visits=tuple(visits),
        unassigned=tuple(unassigned),
        depart=sched.depart,
        return_time=sched.return_time,
        travel_s=travel,
        distance_m=distance,
        service_s=sum(v.departure - v.start for v in visits),
        wait_s=sum(v.wait_s for v in visits),
        solver=solver,
    )


def solve_day_route(request: DayRouteRequest) -> DayRoute:
    """Plan one day (R-ROUTE-1): minimise travel, honour windows, the day length and ``max_visits``.

    Every stop of the request ends up either in ``visits`` or in ``unassigned`` with a reason code
    and a Chinese explanation; invalid coordinates never raise.
    """
    unassigned: list[Unassigned] = []
    if point_problem(request.start) or (request.end is not None and point_problem(request.end)):
        unassigned = [Unassigned.of(s.id, Reason.INVALID_BASE) for s in request.stops]
        return DayRoute((), tuple(unassigned), request.day_start, request.day_start, 0, 0, 0, 0, "none")
    located: list[Stop] = []
    for s in request.stops:
        problem = point_problem(s.point)
        if problem:
            unassigned.append(Unassigned.of(s.id, problem))
        else:
            located.append(s)
    day = _make_day(request, located)
    candidates: list[int] = []
    for k in range(len(located)):
        reason = _alone_reason(day, k)
        if reason is None:
            candidates.append(k)
        else:
            unassigned.append(Unassigned.of(located[k].id, reason))
    cost = day.dur if request.objective == Objective.DURATION else day.dist
    if not candidates:
        return _result(day, _schedule(day, []), unassigned, "none")
    if any(located[k].windows for k in candidates):
        order, dropped, solver = _solve_windows(request, day, cost, candidates)
    else:
        order, dropped, solver = _solve_sequence(request, day, cost, candidates)
    unassigned.extend(dropped)
    return _result(day, _schedule(day, order), unassigned, solver)


def _tsp_order(day: _Day, cost: np.ndarray, ks: list[int], time_limit: float) -> list[int]:
    nodes = [0, 1, *[k + 2 for k in ks]]
    sub = cost[np.ix_(nodes, nodes)]
    closed = int(day.dur[0, 1]) == 0 and int(day.dist[0, 1]) == 0
    if closed:
        keep = [0, *range(2, len(nodes))]
        tour = solve_tsp(sub[np.ix_(keep, keep)], start=0, time_limit=time_limit)
        return [ks[keep[i] - 2] for i in tour[1:]]
    path = solve_tsp(sub, start=0, end=1, time_limit=time_limit)
    return [ks[i - 2] for i in path[1:-1]]


def _route_cost(cost: np.ndarray, order: list[int]) -> int:
    return path_cost([0, *[k + 2 for k in order], 1], cost)


def _solve_sequence(
    request: DayRouteRequest, day: _Day, cost: np.ndarray, ks: list[int]
) -> tuple[list[int], list[Unassigned], str]:
    order = _tsp_order(day, cost, ks, request.time_limit)
    dropped: list[Unassigned] = []
    cap = request.max_visits
    if cap is not None and len(order) > cap:
        dropped += [Unassigned.of(day.stops[k].id, Reason.MAX_VISITS) for k in order[cap:]]
        order = order[:cap]
    while order and _schedule(day, order).bad is not None:
        dropped.append(Unassigned.of(day.stops[order[-1]].id, Reason.DAY_FULL))
        order = order[:-1]
    if dropped and len(order) > 2:
        again = _tsp_order(day, cost, order, request.time_limit)
        if _schedule(day, again).bad is None and _route_cost(cost, again) < _route_cost(cost, order):
            order = again
    return order, dropped, "tsp"


def _solve_windows(
    request: DayRouteRequest, day: _Day, cost: np.ndarray, ks: list[int]
) -> tuple[list[int], list[Unassigned], str]:
    n = len(ks)
    prize = int((n + 2) * max(1, int(cost.max())) + 1)
    clients: list[VrpClient] = []
    owner: list[int] = []
    groups: list[bool] = []
    for k in ks:
        stop = day.stops[k]
        windows = stop.windows or ()
        if len(windows) <= 1:
            w = windows[0] if windows else None
            early = w.earliest if w else day.day_start
            late = w.latest if w else day.day_end
            clients.append(VrpClient(k + 2, stop.service_s, early, late, 1, False, prize))
            owner.append(k)
            continue
        groups.append(False)
        for w in windows:
            clients.append(
                VrpClient(k + 2, stop.service_s, w.earliest, w.latest, 1, False, prize, len(groups) - 1)
            )
            owner.append(k)
    vehicle = VrpVehicleType(
        num_available=1,
        capacity=request.max_visits,
        start_location=0,
        end_location=1,
        tw_early=day.day_start,
        tw_late=day.day_end,
    )
    problem = VrpProblem(cost, day.dur, clients, [vehicle], groups)
    sol = solve_vrp(problem, time_limit=request.time_limit, seed=request.seed, no_improvement=_NO_IMPROVEMENT)
    order: list[int] = []
    for route in sol.routes:
        order = [owner[c] for c in route.clients]
    dropped: list[Unassigned] = []
    sched = _schedule(day, order)
    while order and sched.bad is not None:
        pos = min(sched.bad, len(order) - 1)
        k = order.pop(pos)
        dropped.append(Unassigned.of(day.stops[k].id, _drop_reason(day.stops[k])))
        sched = _schedule(day, order)
    full = request.max_visits is not None and len(order) >= request.max_visits
    visited = set(order)
    for k in ks:
        if k not in visited and all(d.stop_id != day.stops[k].id for d in dropped):
            reason = Reason.MAX_VISITS if full else _drop_reason(day.stops[k])
            dropped.append(Unassigned.of(day.stops[k].id, reason))
    return order, dropped, "pyvrp"


def _drop_reason(stop: Stop) -> Reason:
    return Reason.WINDOW_CONFLICT if stop.windows else Reason.DAY_FULL
