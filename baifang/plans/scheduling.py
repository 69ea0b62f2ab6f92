"""Optimising the days (PyVRP over allowed days) and routing each one (R-ROUTE-1, R-ROUTE-2)."""

from __future__ import annotations

from dataclasses import replace

from baifang.plans.day_state import State
from baifang.plans.plan_types import VISIT, CannotFit, DayTotals, PlannedItem, Reason
from baifang.routing import DayRouteRequest, MatrixTravel, Stop, assign_days, schedule_route, solve_day_route


def optimise(state: State, cannot: list[CannotFit]) -> None:
    """Re-assign the visits to their allowed days with PyVRP, warm-started from the greedy days.

    The greedy placement decides *which* visits are needed and the days each may use; the search
    then minimises the month's travel under the day caps. Kept items stay on their day; a visit the
    search leaves out keeps its greedy day (the day's route decides).
    """
    req = state.request
    visit_days = [i for i, d in enumerate(state.days) if d.working and d.visit_day]
    items = [(i, it) for i in visit_days for it in state.visits[i] if it.customer_id in state.node]
    budget = req.optimise_s if req.optimise_s is not None else min(2.5, 0.0008 * len(items))
    if budget <= 0 or len(visit_days) < 2 or len(items) < 2:
        return
    index = {i: k for k, i in enumerate(visit_days)}
    allowed, nodes, services = [], [], []
    initial: list[list[int]] = [[] for _ in visit_days]
    for v, (i, it) in enumerate(items):
        days = [index[i]]
        if it.movable:
            days = [
                index[j]
                for j in visit_days
                if it.earliest <= state.days[j].day <= it.latest
                and (j == i or not state.on_day(j, it.customer_id, True))
            ]
            info = state.customers[it.customer_id]
            if info.order_weekday is not None:
                days = [
                    k for k in days if state.days[visit_days[k]].day.weekday() == info.order_weekday
                ] or days
        allowed.append(days)
        nodes.append(state.node[it.customer_id])
        services.append(state.service(it.customer_id))
        initial[index[i]].append(v)
    calls_s = max((len(state.calls[i]) * req.call_s for i in visit_days), default=0)
    routes, left = assign_days(
        state.dur,
        nodes,
        services,
        allowed,
        len(visit_days),
        day_start=req.day_start,
        day_end=req.day_start + req.budget_s,
        cap_length=max(0, req.budget_s - calls_s),
        max_visits_per_day=req.max_visits_per_day,
        initial=initial,
        time_limit=budget,
        seed=req.seed,
    )
    day_of = {v: visit_days[k] for k, route in enumerate(routes) for v in route}
    day_of.update({v: items[v][0] for v in left})
    for i in visit_days:
        state.visits[i] = [it for it in state.visits[i] if it.customer_id not in state.node]
    # Kept items first: they claim their days; a movable visit meeting another visit of the same
    # customer on a day goes back to its greedy day or another allowed one, else out (capacity).
    for v, (i, it) in sorted(enumerate(items), key=lambda vi: vi[1][1].movable):
        target = day_of[v]
        if it.movable and state.on_day(target, it.customer_id, True):
            target = next(
                (
                    j
                    for j in (i, *visit_days)
                    if not state.on_day(j, it.customer_id, True)
                    and it.earliest <= state.days[j].day <= it.latest
                ),
                None,
            )
            if target is None:
                state.by_customer[it.customer_id].remove(it)
                cannot.extend(
                    CannotFit(k, it.customer_id, Reason.CAPACITY, 1, it.label) for k in it.need_keys
                )
                continue
        it.day = state.days[target].day
        state.visits[target].append(it)
    for i in visit_days:
        path = [0, *[state.node[it.customer_id] for it in state.visits[i] if it.customer_id in state.node], 0]
        state.travel_est[i] = (
            int(sum(state.dur[a, b] for a, b in zip(path, path[1:], strict=False))) if len(path) > 2 else 0
        )


def route(state: State, cannot: list[CannotFit]) -> list[DayTotals]:
    """Order each day's visits with the route engine; visits it cannot fit move to another day or out."""
    req = state.request
    totals: list[DayTotals] = []
    model = MatrixTravel(state.points, state.dur, state.dist) if state.points else None
    for i, d in enumerate(state.days):
        visits = state.visits[i]
        routed = [v for v in visits if v.customer_id in state.node]
        travel = distance = 0
        if routed and model is not None:
            route = _solve_day(state, model, routed, i)
            by_id = {str(v.customer_id): v for v in routed}
            for visit in route.visits:
                item = by_id[visit.stop_id]
                item.sequence, item.start_s = visit.sequence, visit.start
                item.end_s, item.travel_s, item.distance_m = visit.departure, visit.travel_s, visit.distance_m
            travel, distance = route.travel_s, route.distance_m
            for miss in route.unassigned:
                item = by_id[miss.stop_id]
                if item.fixed or _move_forward(state, i, item):
                    continue  # a kept item stays on its day, untimed
                state.drop(i, item)
                for key in item.need_keys:
                    cannot.append(CannotFit(key, item.customer_id, Reason.ROUTE, 1, item.label))
        tail = max((v.sequence for v in visits), default=0)
        for v in visits:  # unlocated customers: on the day, after the route, without times
            if v.start_s is None:
                tail += 1
                v.sequence = tail
        service = sum(state.service(v.customer_id) for v in visits)
        below = d.working and d.visit_day and len(visits) < req.min_visits_per_day
        totals.append(DayTotals(d.day, len(visits), len(state.calls[i]), travel, distance, service, below))
    return totals


def _solve_day(state: State, model: MatrixTravel, routed: list[PlannedItem], i: int):
    req = state.request
    stops = []
    for v in routed:
        info = state.customers[v.customer_id]
        # A window covering the whole day constrains nothing: leave it out (faster sequencing).
        windows = tuple(
            w for w in info.windows if not (w.earliest <= req.day_start and w.latest >= req.day_end)
        )
        stops.append(Stop(str(v.customer_id), info.point, info.service_s, windows))
    calls_s = len(state.calls[i]) * req.call_s
    request = DayRouteRequest(
        start=state.points[0],
        stops=stops,
        day_start=req.day_start,
        day_end=max(req.day_start, req.day_start + req.budget_s - calls_s),
        max_visits=req.max_visits_per_day,
        travel=model,
        time_limit=req.route_time_limit,
        seed=req.seed + i,
    )
    if any(s.windows for s in stops):
        # Business hours rarely bind: try the travel-optimal order first and keep it when every
        # visit still starts within its hours; only otherwise solve with time windows (PyVRP).
        plain = solve_day_route(replace(request, stops=[replace(s, windows=()) for s in stops]))
        if not plain.unassigned:
            timed = schedule_route(request, plain.stop_ids)
            if _within_hours(timed, stops, request.day_end):
                return timed
    return solve_day_route(request)


def _within_hours(route, stops: list[Stop], day_end: int) -> bool:
    windows = {s.id: s.windows for s in stops}
    return route.return_time <= day_end and all(
        not windows[v.stop_id] or any(w.earliest <= v.start <= w.latest for w in windows[v.stop_id])
        for v in route.visits
    )


def _move_forward(state: State, i: int, item: PlannedItem) -> bool:
    """A visit day i's route could not take: move it to a later allowed day (not yet routed) with room."""
    if not item.movable:
        return False
    for j in range(i + 1, len(state.days)):
        d = state.days[j]
        if not (d.working and d.visit_day) or not (item.earliest <= d.day <= item.latest):
            continue
        if state.on_day(j, item.customer_id, True) or not state.fits(j, item.customer_id, VISIT):
            continue
        state.unplace(i, item)
        state.place(j, item)
        return True
    return False
