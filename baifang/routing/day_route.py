"""Day route (R-ROUTE-1): order one rep-day's stops, honouring time windows and the day length.

Strategy (every step runs against one deadline, ``time_limit`` seconds after the call began):

1. Stops without a usable location, and stops that cannot fit even alone (base → stop → base
   within the stop's window and the day), are reported with a precise reason.
2. **Windows that cannot bind are dropped.** Shortest paths (with service times) from the start
   base and to the end base bound when a stop can be reached at the earliest and left at the
   latest; a window covering that whole interval constrains no feasible route (a business-hours
   window on a normal day, an "any time" 0–10⁹ appointment), and windows outside it can never be
   used. Only what is left decides the solver.
3. Days without a binding window take the pure-sequencing path (:func:`solve_tsp`). When the day
   is over-full, the longest prefix of the tour that fits (in either direction) is kept in one
   pass, the rest reported, and the kept stops re-sequenced with the time that is left.
4. Days with binding windows: the windowless optimum (fast-tsp) is *repaired* — windowed stops
   taken out and reinserted, tightest first, at their cheapest feasible place (O(1) checks from
   forward departure and backward latest-arrival times). That route warm-starts PyVRP's search
   (prize-collecting: every stop optional with a prize larger than any detour, alternative windows
   as client groups), and the better of the two routes is kept.

Every returned schedule is re-checked here; stops that violate their window, then the tail that
overruns the day, are removed in one pass (with reasons), so the output is always feasible and
every input stop is either visited or unassigned.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geo import point_problem
from .models import DayRoute, DayRouteRequest, Objective, Stop, TimeWindow, Visit
from .reasons import Reason, Unassigned
from .sequencing import path_cost, solve_tsp
from .tw_search import improve_windowed_order
from .vrp import VrpClient, VrpProblem, VrpVehicleType, solve_vrp

__all__ = ["schedule_route", "solve_day_route"]

_NO_IMPROVEMENT = 3000
# Budget shares (of what is left when the step starts) and the reserve kept for checking and
# building the result; PyVRP is skipped when less than _MIN_SEARCH_S would be left for it.
_TSP_SHARE_WINDOWS, _TSP_SHARE_OVERFULL, _TSP_SHARE = 0.05, 0.5, 0.9
_REPAIR_SHARE, _RESERVE_S, _MIN_SEARCH_S = 0.3, 0.02, 0.005
_WARM_WITHIN = 0.02
# Windowed days: the TW-aware 2-opt/Or-opt search gets this share of what is left for the repaired
# route, and PyVRP leaves this share of its budget for the same search on PyVRP's route.
_LS_SHARE, _LS_AFTER_SHARE = 0.3, 0.15


@dataclass
class _Day:
    """Matrices for [start base, end base, stop_0, stop_1, ...] and the stops they describe.

    ``windows[k]`` are the windows of stop ``k`` that can matter (sorted by opening time); empty
    when the stop has none or none of them can bind.
    """

    stops: list[Stop]
    dur: np.ndarray
    dist: np.ndarray
    day_start: int
    day_end: int
    windows: list[tuple[TimeWindow, ...]]
    service: np.ndarray
    note: str = ""


@dataclass
class _Schedule:
    visits: list[Visit]
    depart: int
    return_time: int
    bad: int | None  # position of the first violated stop, len(order) if only the return is late


def _first_start(windows: tuple[TimeWindow, ...], arrival: int) -> int | None:
    """Earliest service start at or after ``arrival`` within one of ``windows`` (sorted)."""
    if not windows:
        return arrival
    for w in windows:
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
        start = _first_start(day.windows[k], arrival)
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


def _departures(day: _Day, order: Sequence[int]) -> list[int] | None:
    """Departure times from the start base and each stop of ``order`` (None at a missed window)."""
    t = day.day_start
    prev = 0
    out = [t]
    for k in order:
        start = _first_start(day.windows[k], t + int(day.dur[prev, k + 2]))
        if start is None:
            return None
        t = start + int(day.service[k])
        prev = k + 2
        out.append(t)
    return out


def _latest_arrivals(day: _Day, order: Sequence[int]) -> list[int]:
    """Latest arrival at each stop of ``order`` (and the end base, last) keeping the rest feasible.

    The earliest-start schedule is monotone (arriving later never starts anything earlier), so
    the feasible arrival times at a stop form a down-set: ``arrival <= latest`` is exact, also
    with alternative windows. ``-1`` marks a stop after which the route cannot be finished.
    """
    out = [0] * (len(order) + 1)
    out[-1] = day.day_end
    nxt = 1
    for pos in range(len(order) - 1, -1, -1):
        k = order[pos]
        latest_start = out[pos + 1] - int(day.dur[k + 2, nxt]) - int(day.service[k])
        windows = day.windows[k]
        if windows:
            fits = [min(w.latest, latest_start) for w in windows if w.earliest <= latest_start]
            latest_start = max(fits) if fits else -1
        out[pos] = latest_start if out[pos + 1] >= 0 else -1
        nxt = k + 2
    return out


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
    unknown = [i for i in stop_ids if i not in by_id]
    if unknown or len(set(stop_ids)) != len(stop_ids):
        raise ValueError(f"stop_ids must be distinct ids of the request's stops, got {list(stop_ids)!r}")
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
    windows = [tuple(sorted(s.windows, key=lambda w: (w.earliest, w.latest))) for s in stops]
    service = np.array([s.service_s for s in stops], dtype=np.int64)
    return _Day(
        stops, mats.durations, mats.distances, request.day_start, request.day_end, windows, service, mats.note
    )


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
        travel_note=day.note,
    )


def solve_day_route(request: DayRouteRequest) -> DayRoute:
    """Plan one day (R-ROUTE-1): minimise travel, honour windows, the day length and ``max_visits``.

    Every stop of the request ends up either in ``visits`` or in ``unassigned`` with a reason code
    and a Chinese explanation; invalid coordinates never raise. The call returns within
    ``time_limit`` plus a small overhead (measured in ``docs/routing.md``).
    """
    deadline = time.perf_counter() + request.time_limit
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
    if any(day.windows[k] for k in candidates):
        _drop_idle_windows(day, candidates)
    if any(day.windows[k] for k in candidates):
        order, dropped, solver = _solve_windows(request, day, cost, candidates, deadline)
    else:
        order, dropped, solver = _solve_sequence(request, day, cost, candidates, deadline)
    unassigned.extend(dropped)
    return _result(day, _schedule(day, order), unassigned, solver)


def _shortest_from(weights: np.ndarray, source: int) -> np.ndarray:
    """Dense Dijkstra: shortest path lengths from ``source`` (O(n²), vectorised per settled node)."""
    n = weights.shape[0]
    best = weights[source].astype(np.float64)
    best[source] = 0.0
    done = np.zeros(n, dtype=bool)
    done[source] = True
    for _ in range(n - 1):
        open_ = np.where(done, np.inf, best)
        u = int(np.argmin(open_))
        if not np.isfinite(open_[u]):
            break
        done[u] = True
        np.minimum(best, best[u] + weights[u], out=best)
    return best


def _drop_idle_windows(day: _Day, ks: list[int]) -> None:
    """Forget windows that cannot bind on this day, and alternatives that can never be used.

    A stop cannot be reached before ``day_start`` + the shortest path to it from the start base
    (service times of the stops on the way included), nor left later than ``day_end`` − the
    shortest path from it to the end base, whatever the matrix (no triangle inequality assumed).
    A window spanning that interval binds no feasible route, so the stop is treated as windowless.
    """
    nodes = np.array([0, 1, *[k + 2 for k in ks]], dtype=np.int64)
    service = np.concatenate(([0.0, 0.0], day.service[ks].astype(np.float64)))
    forward = day.dur[np.ix_(nodes, nodes)].astype(np.float64) + service[:, None]  # leave u (served) for v
    forward[1, :] = np.inf  # the end base is never left
    forward[:, 0] = np.inf  # the start base is never entered again
    earliest = day.day_start + _shortest_from(forward, 0)  # arrival, before service
    latest = day.day_end - _shortest_from(forward.T, 1)  # start of service, its own service included
    for pos, k in enumerate(ks):
        windows = day.windows[k]
        if not windows:
            continue
        lo, hi = earliest[pos + 2], latest[pos + 2]
        if any(w.earliest <= lo and w.latest >= hi for w in windows):
            day.windows[k] = ()
            continue
        usable = tuple(w for w in windows if w.latest >= lo and w.earliest <= hi)
        if usable:
            day.windows[k] = usable


def _tsp_order(day: _Day, cost: np.ndarray, ks: list[int], time_limit: float) -> list[int]:
    nodes = [0, 1, *[k + 2 for k in ks]]
    sub = cost[np.ix_(nodes, nodes)]
    if _closed(day):
        keep = [0, *range(2, len(nodes))]
        tour = solve_tsp(sub[np.ix_(keep, keep)], start=0, time_limit=time_limit)
        return [ks[keep[i] - 2] for i in tour[1:]]
    path = solve_tsp(sub, start=0, end=1, time_limit=time_limit)
    return [ks[i - 2] for i in path[1:-1]]


def _closed(day: _Day) -> bool:
    """Start and end base coincide (travel between them is free both ways)."""
    return not (day.dur[0, 1] or day.dist[0, 1] or day.dur[1, 0] or day.dist[1, 0])


def _left(deadline: float) -> float:
    return deadline - time.perf_counter()


def _route_cost(cost: np.ndarray, order: list[int]) -> int:
    return path_cost([0, *[k + 2 for k in order], 1], cost)


def _fitting_segment(day: _Day, cost: np.ndarray, order: list[int]) -> list[int]:
    """The most stops of ``order`` (windowless) that fit in the day as one contiguous stretch of it.

    On an over-full day the kept stops should be one compact area, not whatever the tour visits
    first: every stretch (cyclically when the base is both start and end) of each length is
    costed at once from prefix sums, base → stretch → base, and the longest one that fits wins
    (the cheapest among equals). One vectorised pass per length, no stop-by-stop rescheduling.
    """
    m = len(order)
    if m == 0:
        return []
    cyclic = _closed(day)
    seq = np.array(order + order if cyclic else order, dtype=np.int64)
    nodes = seq + 2
    step = np.concatenate(([0], day.dur[nodes[:-1], nodes[1:]]))  # step[i]: from seq[i-1] to seq[i]
    walk = np.cumsum(step)
    served = np.concatenate(([0], np.cumsum(day.service[seq])))
    hop = np.concatenate(([0], np.cumsum(cost[nodes[:-1], nodes[1:]])))
    starts = np.arange(m if cyclic else m)
    span = day.day_end - day.day_start
    best: tuple[int, int, int] | None = None  # (length, -cost, first)
    for length in range(1, m + 1):
        first = starts if cyclic else starts[: m - length + 1]
        last = first + length - 1
        need = (
            day.dur[0, nodes[first]]
            + (walk[last] - walk[first])
            + (served[last + 1] - served[first])
            + day.dur[nodes[last], 1]
        )
        fits = np.flatnonzero(need <= span)
        if not len(fits):
            if best is not None and length > best[0] + 2:
                break
            continue
        travel = (
            cost[0, nodes[first[fits]]] + (hop[last[fits]] - hop[first[fits]]) + cost[nodes[last[fits]], 1]
        )
        i = int(np.argmin(travel))
        best = (length, -int(travel[i]), int(first[fits[i]]))
    if best is None:
        return []
    length, _, first_pos = best
    return [int(k) for k in seq[first_pos : first_pos + length]]


def _surely_overfull(day: _Day, ks: list[int], cap: int | None) -> bool:
    """More stops than ``cap``, or service plus the cheapest way into each stop exceeds the day."""
    if cap is not None and len(ks) > cap:
        return True
    nodes = [k + 2 for k in ks]
    into = day.dur[np.ix_([0, *nodes], nodes)].astype(np.float64)
    into[1:][np.diag_indices(len(nodes))] = np.inf
    need = float(into.min(axis=0).sum()) + int(day.service[ks].sum())
    return need > day.day_end - day.day_start


def _solve_sequence(
    request: DayRouteRequest, day: _Day, cost: np.ndarray, ks: list[int], deadline: float
) -> tuple[list[int], list[Unassigned], str]:
    cap = request.max_visits
    share = _TSP_SHARE_OVERFULL if _surely_overfull(day, ks, cap) else _TSP_SHARE
    order = _tsp_order(day, cost, ks, max(1e-3, (_left(deadline) - _RESERVE_S) * share))
    dropped: list[Unassigned] = []
    if cap is not None and len(order) > cap:
        ways = [order] if not _closed(day) else [order, order[::-1]]
        order = min((w[:cap] for w in ways), key=lambda w: _route_cost(cost, w))
    kept = order
    if _schedule_fails(day, order):
        kept = _fitting_segment(day, cost, order)
    visited = set(kept)
    capped = cap is not None and len(kept) >= cap
    for k in ks:
        if k not in visited:
            reason = Reason.MAX_VISITS if capped else Reason.DAY_FULL
            dropped.append(Unassigned.of(day.stops[k].id, reason))
    if dropped and len(kept) > 2 and _left(deadline) > _RESERVE_S + _MIN_SEARCH_S:
        again = _tsp_order(day, cost, kept, _left(deadline) - _RESERVE_S)
        if not _schedule_fails(day, again) and _route_cost(cost, again) < _route_cost(cost, kept):
            kept = again
    return kept, dropped, "tsp"


def _schedule_fails(day: _Day, order: list[int]) -> bool:
    deps = _departures(day, order)
    if deps is None:
        return True
    last = order[-1] + 2 if order else 0
    return deps[-1] + int(day.dur[last, 1]) > day.day_end


def _insert_cheapest(day: _Day, cost: np.ndarray, order: list[int], k: int) -> bool:
    """Insert stop ``k`` at its cheapest feasible place in the feasible ``order``; False if none."""
    deps = _departures(day, order)
    if deps is None:
        return False
    latest = np.array(_latest_arrivals(day, order), dtype=np.int64)
    nodes = np.array([k2 + 2 for k2 in order], dtype=np.int64)
    prev = np.concatenate(([0], nodes))
    nxt = np.concatenate((nodes, [1]))
    x = k + 2
    arrival = np.array(deps, dtype=np.int64) + day.dur[prev, x]
    windows = day.windows[k]
    if windows:
        start = np.full(len(arrival), -1, dtype=np.int64)
        for w in reversed(windows):  # the first window (in time) still open wins
            start = np.where(arrival <= w.latest, np.maximum(arrival, w.earliest), start)
        ok = start >= 0
    else:
        start, ok = arrival, np.ones(len(arrival), dtype=bool)
    ok &= start + int(day.service[k]) + day.dur[x, nxt] <= latest
    if not ok.any():
        return False
    delta = np.where(ok, cost[prev, x] + cost[x, nxt] - cost[prev, nxt], np.iinfo(np.int64).max)
    order.insert(int(np.argmin(delta)), k)
    return True


def _repaired(day: _Day, cost: np.ndarray, tour: list[int], deadline: float) -> list[int]:
    """The windowless tour made feasible: windowed stops reinserted, tightest first, at their cheapest place."""
    order = [k for k in tour if not day.windows[k]]
    if _schedule_fails(day, order):
        order = _fitting_segment(day, cost, order)
    timed = [k for k in tour if day.windows[k]]
    timed.sort(key=lambda k: (sum(w.latest - w.earliest for w in day.windows[k]), day.windows[k][0].earliest))
    for k in timed:
        if time.perf_counter() >= deadline:
            break
        _insert_cheapest(day, cost, order, k)
    return order


def _better(cost: np.ndarray, a: list[int], b: list[int]) -> list[int]:
    """The route visiting more stops, then the cheaper one (``a`` on a tie)."""
    return b if (len(b), -_route_cost(cost, b)) > (len(a), -_route_cost(cost, a)) else a


def _solve_windows(
    request: DayRouteRequest, day: _Day, cost: np.ndarray, ks: list[int], deadline: float
) -> tuple[list[int], list[Unassigned], str]:
    tour = _tsp_order(day, cost, ks, max(1e-3, (_left(deadline) - _RESERVE_S) * _TSP_SHARE_WINDOWS))
    cap = request.max_visits
    start_order = _repaired(day, cost, tour, time.perf_counter() + _left(deadline) * _REPAIR_SHARE)
    if cap is not None and len(start_order) > cap:
        start_order = _feasible_part(day, start_order[:cap])
    # The windowless optimum is a lower bound on the day with windows. A complete repaired route
    # within _WARM_WITHIN of it is near-optimal: it is polished by the windowed 2-opt/Or-opt search
    # and warm-starts PyVRP. Otherwise the windows bind hard: the repaired route is only a
    # fallback (the search from it ends 7–15 % above PyVRP's on 130–220 stops), and a warm start
    # is a trap for PyVRP (measured 3–7 % worse), which then starts from scratch.
    lower = _route_cost(cost, tour)
    want = min(len(ks), cap if cap is not None else len(ks))
    complete = len(start_order) == want
    near_optimal = complete and _route_cost(cost, start_order) <= lower * (1 + _WARM_WITHIN)
    if near_optimal:
        start_order = _improved(day, cost, start_order, time.perf_counter() + _left(deadline) * _LS_SHARE)
    best, solver = start_order, "tsp+repair"
    # Every stop required (one client per stop, alternatives as a required group) when the day can
    # hold them all; measured at 1 s on 130–220 stops it ends 1–5 % cheaper than the
    # prize-collecting model (every stop optional with a prize above any detour), which is kept for
    # over-full days and as the second try when the required model finds no feasible day.
    can_require = (cap is None or len(ks) <= cap) and not _surely_overfull(day, ks, cap)
    required, warm_from = can_require, (start_order if near_optimal else None)
    halve = False  # measured: halving (to keep time for the prize model) cost more than it saved
    continued = False
    while True:
        budget = (_left(deadline) - _RESERVE_S) * (1 - _LS_AFTER_SHARE) * (0.5 if halve else 1.0)
        problem, owner, first_client = _vrp_day(day, cost, ks, cap, required)
        if budget <= _MIN_SEARCH_S + _pyvrp_setup_s(len(problem.clients)):
            break
        warm = None
        if warm_from:
            sched = _schedule(day, warm_from)
            warm = [
                first_client[k] + _window_index(day.windows[k], v.start)
                for k, v in zip(warm_from, sched.visits, strict=True)
            ]
        sol = solve_vrp(
            problem,
            time_limit=budget,
            seed=request.seed + continued,
            initial_routes=[(0, warm)] if warm else None,
            no_improvement=_NO_IMPROVEMENT,
        )
        found: list[int] = []
        for route in sol.routes:
            found = [owner[c] for c in route.clients]
        found = _feasible_part(day, found)
        if len(found) >= len(best):
            found = _improved(day, cost, found, deadline - _RESERVE_S)
        if _better(cost, best, found) is found:
            best, solver = found, "pyvrp"
        if halve and len(best) == want and not continued:
            # the half budget found a full day: the rest continues PyVRP's search from it
            warm_from, halve, continued = best, False, True
            continue
        if required and len(best) < want:
            required, warm_from, halve = False, None, False  # no full day: prize-collecting model
            continue
        break
    visited = set(best)
    full = cap is not None and len(best) >= cap
    dropped = [
        Unassigned.of(day.stops[k].id, Reason.MAX_VISITS if full else _drop_reason(day.stops[k]))
        for k in ks
        if k not in visited
    ]
    return best, dropped, solver


def _vrp_day(
    day: _Day, cost: np.ndarray, ks: list[int], cap: int | None, required: bool
) -> tuple[VrpProblem, list[int], dict[int, int]]:
    """PyVRP model of the day: one vehicle, a client per stop (a group of clients per stop with
    alternative windows), every stop required or optional with a prize larger than any detour."""
    n = len(ks)
    prize = 0 if required else int((n + 2) * max(1, int(cost.max())) + 1)
    clients: list[VrpClient] = []
    owner: list[int] = []
    groups: list[bool] = []
    first_client: dict[int, int] = {}
    for k in ks:
        windows = day.windows[k]
        first_client[k] = len(clients)
        if len(windows) <= 1:
            w = windows[0] if windows else None
            early = w.earliest if w else day.day_start
            late = w.latest if w else day.day_end
            clients.append(VrpClient(k + 2, int(day.service[k]), early, late, 1, required, prize))
            owner.append(k)
            continue
        groups.append(required)
        for w in windows:
            clients.append(
                VrpClient(k + 2, int(day.service[k]), w.earliest, w.latest, 1, False, prize, len(groups) - 1)
            )
            owner.append(k)
    vehicle = VrpVehicleType(
        num_available=1,
        capacity=cap,
        start_location=0,
        end_location=1,
        tw_early=day.day_start,
        tw_late=day.day_end,
    )
    return VrpProblem(cost, day.dur, clients, [vehicle], groups), owner, first_client


def _windows_used(day: _Day, order: list[int]) -> list[tuple[int, int] | None]:
    """Per stop of the feasible ``order``: the window its earliest-start schedule uses (None: none)."""
    sched = _schedule(day, order)
    out: list[tuple[int, int] | None] = []
    for k, v in zip(order, sched.visits, strict=True):
        windows = day.windows[k]
        if not windows:
            out.append(None)
            continue
        w = windows[_window_index(windows, v.start)]
        out.append((w.earliest, w.latest))
    return out


def _improved(day: _Day, cost: np.ndarray, order: list[int], deadline: float) -> list[int]:
    """``order`` after the windowed 2-opt/Or-opt search (unchanged when it is not feasible)."""
    if len(order) < 3 or _schedule_fails(day, order):
        return order
    return improve_windowed_order(
        order,
        dur=day.dur,
        cost=cost,
        service=day.service,
        windows_used=lambda o: _windows_used(day, o),
        day_start=day.day_start,
        day_end=day.day_end,
        deadline=deadline,
    )


def _pyvrp_setup_s(clients: int) -> float:
    """PyVRP's warm-started set-up before its first iteration (measured: 0.07 s at 220, 0.7 s at 1,000)."""
    return 7e-7 * clients * clients


def _window_index(windows: tuple[TimeWindow, ...], start: int) -> int:
    for i, w in enumerate(windows):
        if w.earliest <= start <= w.latest:
            return i
    return 0


def _feasible_part(day: _Day, order: list[int]) -> list[int]:
    """``order`` without the stops whose window it misses, then cut where the day overruns (one pass)."""
    kept: list[int] = []
    t, prev = day.day_start, 0
    for k in order:
        start = _first_start(day.windows[k], t + int(day.dur[prev, k + 2]))
        if start is None:
            continue
        kept.append(k)
        t, prev = start + int(day.service[k]), k + 2
    if not _schedule_fails(day, kept):
        return kept
    deps = _departures(day, kept) or []
    backs = [d + int(day.dur[(kept[i - 1] + 2) if i else 0, 1]) for i, d in enumerate(deps)]
    fits = [i for i, b in enumerate(backs) if b <= day.day_end]
    return kept[: fits[-1]] if fits else []


def _drop_reason(stop: Stop) -> Reason:
    return Reason.WINDOW_CONFLICT if stop.windows else Reason.DAY_FULL
