"""Visits to days (R-ROUTE-2): put given visits on their allowed working days, minimising travel.

Model (PyVRP, one vehicle type per working day): day ``d`` is mapped onto its own slice of a
global timeline, ``[d·86400 + day_start, d·86400 + day_end]``. A visit allowed on days ``lo..hi``
gets the time window ``[lo·86400 + day_start, hi·86400 + day_end]``, so only the vehicles (days)
of that run can serve it; a visit with non-contiguous allowed days becomes a mutually exclusive
group of one client per day.

Solving runs in two stages: minimise travel time under the hard day caps; then, warm-started,
penalise each day's length above the mean through PyVRP overtime costs. A deterministic move-based
pass (:func:`balance_days`) then evens out what is left, and each day is re-sequenced (2-opt/Or-opt).
The plan generator (``baifang.plans``) is the product's month planner and calls :func:`assign_days`;
the frequency-driven month split the benchmarks compare against lives in ``benchmarks/month_split.py``
and builds on :func:`day_clients` and :func:`polish_day`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .balance import DayState, balance_days, day_length, insert_unplaced
from .sequencing import polish_path
from .validation import check_count, check_int, check_optional_count, check_real, check_time_limit
from .vrp import VrpClient, VrpProblem, VrpVehicleType, solve_vrp

__all__ = [
    "DAY_SECONDS",
    "OVERTIME_COST",
    "assign_days",
    "day_clients",
    "day_vehicles",
    "polish_day",
    "visit_prize",
]

#: Each working day is one slice of this length on the global timeline.
DAY_SECONDS = 86400
#: Cost per second of a day's length above the balancing target (PyVRP overtime).
OVERTIME_COST = 4


def visit_prize(state: DayState) -> int:
    """A prize larger than any visit's cost even with overtime: the search leaves out none it can place."""
    return int((2 * int(state.dur.max()) + int(state.service.max())) * (1 + OVERTIME_COST) * 4 + 1)


def day_vehicles(
    n_days: int, day_start: int, day_end: int, cap_length: int, capacity: int | None, shift: int | None
) -> list[VrpVehicleType]:
    """One PyVRP vehicle per working day on its slice of the timeline, ``cap_length`` seconds at most.

    With a ``shift`` target, every second of a day's length above it costs :data:`OVERTIME_COST`.
    """
    nominal = cap_length if shift is None else min(shift, cap_length)
    return [
        VrpVehicleType(
            num_available=1,
            capacity=capacity,
            tw_early=d * DAY_SECONDS + day_start,
            tw_late=d * DAY_SECONDS + day_end,
            shift_duration=nominal,
            max_overtime=cap_length - nominal,
            unit_overtime_cost=0 if shift is None else OVERTIME_COST,
            name=str(d),
        )
        for d in range(n_days)
    ]


def day_clients(
    days_of: Sequence[tuple[int, ...]], state: DayState, prize: int, day_start: int, day_end: int
) -> tuple[list[VrpClient], list[int], list[bool]]:
    """PyVRP clients for visit ``i`` of ``state`` allowed on the sorted day indices ``days_of[i]``.

    Returns the clients, the visit each client serves, and the client groups (a visit with
    non-contiguous days is a mutually exclusive group of one client per day).
    """
    clients: list[VrpClient] = []
    owner: list[int] = []
    groups: list[bool] = []
    for i, days in enumerate(days_of):
        contiguous = days[-1] - days[0] + 1 == len(days)
        spans = [(days[0], days[-1])] if contiguous else [(d, d) for d in days]
        group = None
        if len(spans) > 1:
            groups.append(False)
            group = len(groups) - 1
        for lo, hi in spans:
            clients.append(
                VrpClient(
                    location=int(state.node[i]),
                    service_duration=int(state.service[i]),
                    tw_early=lo * DAY_SECONDS + day_start,
                    tw_late=hi * DAY_SECONDS + day_end,
                    demand=1,
                    required=False,
                    prize=prize,
                    group=group,
                )
            )
            owner.append(i)
    return clients, owner, groups


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
    n_days = check_count("n_days", n_days)
    day_start = check_int("day_start", day_start, 0)
    day_end = check_int("day_end", day_end, day_start)
    cap_length = check_count("cap_length", cap_length)
    max_visits_per_day = check_optional_count("max_visits_per_day", max_visits_per_day)
    time_limit = check_time_limit("time_limit", time_limit)
    seed = check_int("seed", seed, 0)
    if balance_tolerance is not None:
        balance_tolerance = check_real("balance_tolerance", balance_tolerance, 0.0)
    if not (len(nodes) == len(services) == len(allowed)):
        raise ValueError("nodes, services and allowed must have one entry per visit")
    state = DayState(
        routes=[[] for _ in range(n_days)],
        dur=np.asarray(durations),
        node=np.asarray(nodes, dtype=np.int64),
        service=np.asarray(services, dtype=np.int64),
        allowed=[frozenset(a) for a in allowed],
        cap_visits=max_visits_per_day,
        cap_length=cap_length,
    )
    days_of = [tuple(sorted(a)) for a in allowed]
    todo = [v for v, a in enumerate(allowed) if a]
    if not todo or n_days == 0:
        return state.routes, list(range(len(allowed)))
    clients, owner, groups = day_clients(
        [days_of[v] for v in todo], _sub(state, todo), visit_prize(state), day_start, day_end
    )
    owner = [todo[i] for i in owner]
    first_client: dict[tuple[int, int], int] = {}
    for c, (v, client) in enumerate(zip(owner, clients, strict=True)):
        for d in range(
            (client.tw_early - day_start) // DAY_SECONDS, (client.tw_late - day_end) // DAY_SECONDS + 1
        ):
            first_client.setdefault((v, d), c)
    warm = None
    if initial:
        warm = [
            (d, [first_client[(v, d)] for v in day if (v, d) in first_client])
            for d, day in enumerate(initial)
        ]

    def vehicles(shift: int | None) -> list[VrpVehicleType]:
        return day_vehicles(n_days, day_start, day_end, cap_length, max_visits_per_day, shift)

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
    left = insert_unplaced(state, [v for v in range(len(allowed)) if v not in placed])
    if balance_tolerance is not None:
        balance_days(state, tolerance=balance_tolerance)
    for d, route in enumerate(state.routes):
        if len(route) > 2:
            state.routes[d] = polish_day(state, route)
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


def polish_day(state: DayState, route: list[int]) -> list[int]:
    """The day's visits re-sequenced by 2-opt/Or-opt on the travel matrix, from and back to the base."""
    path = polish_path([0, *[r + 1 for r in range(len(route))], 0], _route_matrix(state, route))
    return [route[i - 1] for i in path[1:-1]]


def _route_matrix(state: DayState, route: list[int]) -> np.ndarray:
    nodes = np.concatenate(([0], state.node[route]))
    return state.dur[np.ix_(nodes, nodes)]
