"""Matrix-level vehicle-routing solver (PyVRP, MIT) used by day routes and territory splits.

This is the documented lower-level entry point: it takes integer matrices and plain dataclasses,
builds a :class:`pyvrp.ProblemData` directly from numpy arrays (fast even for 500+ locations) and
returns routes as lists of client indices. The benchmarks call it for Solomon/X instances so they
measure exactly what the product runs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, Solution, VehicleType, solve
from pyvrp.stop import MultipleCriteria, NoImprovement, StoppingCriterion

from .validation import check_count, check_int, check_time_limit

__all__ = ["UNBOUNDED", "VrpClient", "VrpProblem", "VrpRoute", "VrpSolution", "VrpVehicleType", "solve_vrp"]

#: "No limit" for time windows and shift durations (what PyVRP uses by default).
UNBOUNDED = int(np.iinfo(np.int64).max)


@dataclass(frozen=True)
class VrpClient:
    """A client to visit at matrix index ``location``.

    ``tw_early``/``tw_late`` bound the *start of service*. Optional clients (``required=False``)
    are skipped when that is cheaper than ``prize``. ``group`` puts the client in a mutually
    exclusive group (index into :attr:`VrpProblem.groups`): at most one client of the group is
    visited, which is how a stop with several alternative time windows is modelled.
    """

    location: int
    service_duration: int = 0
    tw_early: int = 0
    tw_late: int = UNBOUNDED
    demand: int = 0
    required: bool = True
    prize: int = 0
    group: int | None = None

    def __post_init__(self) -> None:
        for name in ("location", "service_duration", "tw_early", "tw_late", "demand", "prize"):
            object.__setattr__(self, name, check_count(f"VrpClient.{name}", getattr(self, name)))
        if self.tw_late < self.tw_early:
            raise ValueError(f"VrpClient.tw_late must be >= tw_early, got {self.tw_late} < {self.tw_early}")
        if self.group is not None:
            object.__setattr__(self, "group", check_count("VrpClient.group", self.group))


@dataclass(frozen=True)
class VrpVehicleType:
    """``num_available`` identical vehicles (or days) starting/ending at matrix indices.

    ``shift_duration`` is the nominal route-duration cap; up to ``max_overtime`` more is allowed at
    ``unit_overtime_cost`` per unit (used to balance day lengths).
    """

    num_available: int = 1
    capacity: int | None = None
    start_location: int = 0
    end_location: int = 0
    tw_early: int = 0
    tw_late: int = UNBOUNDED
    shift_duration: int = UNBOUNDED
    max_overtime: int = 0
    unit_overtime_cost: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        names = ("num_available", "start_location", "end_location", "tw_early", "tw_late")
        for name in (*names, "shift_duration", "max_overtime", "unit_overtime_cost"):
            object.__setattr__(self, name, check_count(f"VrpVehicleType.{name}", getattr(self, name)))
        if self.capacity is not None:
            object.__setattr__(self, "capacity", check_count("VrpVehicleType.capacity", self.capacity))
        if self.tw_late < self.tw_early:
            raise ValueError(
                f"VrpVehicleType.tw_late must be >= tw_early, got {self.tw_late} < {self.tw_early}"
            )


@dataclass
class VrpProblem:
    """A routing problem on integer matrices.

    ``distances`` is the cost minimised (pass durations to minimise travel time); ``durations``
    drives the time windows and shift limits. ``groups[g]`` says whether group ``g`` is required.
    """

    distances: np.ndarray
    durations: np.ndarray
    clients: Sequence[VrpClient]
    vehicle_types: Sequence[VrpVehicleType]
    groups: Sequence[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        dist = _matrix("VrpProblem.distances", self.distances)
        dur = _matrix("VrpProblem.durations", self.durations)
        n = dist.shape[0]
        if dur.shape != dist.shape:
            raise ValueError(f"VrpProblem.durations must have the shape of distances, got {dur.shape}")
        self.distances, self.durations = dist, dur
        if not all(isinstance(c, VrpClient) for c in self.clients):
            raise ValueError("VrpProblem.clients must be VrpClient objects")
        if not all(isinstance(v, VrpVehicleType) for v in self.vehicle_types):
            raise ValueError("VrpProblem.vehicle_types must be VrpVehicleType objects")
        for c in self.clients:
            if c.location >= n:
                raise ValueError(f"VrpClient.location {c.location} is outside the {n}×{n} matrices")
            if c.group is not None and c.group >= len(self.groups):
                raise ValueError(f"VrpClient.group {c.group} is not one of the {len(self.groups)} groups")
        for v in self.vehicle_types:
            if max(v.start_location, v.end_location) >= n:
                raise ValueError(f"VrpVehicleType locations must be below {n}")


def _matrix(name: str, raw: object) -> np.ndarray:
    arr = np.asarray(raw)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must hold numbers")
    if not np.issubdtype(arr.dtype, np.integer) and not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    out = np.ascontiguousarray(arr, dtype=np.int64)
    if (out < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return out


@dataclass(frozen=True)
class VrpRoute:
    """One route: its vehicle type, the visited client indices in order, and its totals."""

    vehicle_type: int
    clients: tuple[int, ...]
    distance: int
    duration: int
    start_time: int
    end_time: int


@dataclass(frozen=True)
class VrpSolution:
    """Solver result. ``cost`` is total ``distances`` travelled; ``unvisited`` lists skipped clients."""

    routes: tuple[VrpRoute, ...]
    unvisited: tuple[int, ...]
    cost: int
    feasible: bool
    runtime: float
    pyvrp_solution: Solution | None = field(default=None, repr=False, compare=False)


class _Until:
    """PyVRP stopping criterion: stop at an absolute ``time.perf_counter()`` deadline.

    Unlike ``MaxRuntime`` (which starts counting at the first iteration), this counts building
    the model and PyVRP's set-up (neighbourhoods, local-search structures) against the budget.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        return time.perf_counter() >= self.deadline


def _exhaustive_start_s(clients: int) -> float:
    """PyVRP's exhaustive first local search from a random solution (measured: 1.2 s at 1,000 clients)."""
    return 1.3e-6 * clients * clients


def build_problem_data(problem: VrpProblem) -> ProblemData:
    """Translate a :class:`VrpProblem` into PyVRP's ``ProblemData`` (no solving)."""
    dist = np.ascontiguousarray(problem.distances, dtype=np.int64)
    dur = np.ascontiguousarray(problem.durations, dtype=np.int64)
    n = dist.shape[0]
    if dist.shape != (n, n) or dur.shape != (n, n):
        raise ValueError("distances and durations must be square matrices of the same shape")
    locations = [Location(x=0.0, y=0.0) for _ in range(n)]
    depot_locs: list[int] = []
    for vt in problem.vehicle_types:
        for loc in (vt.start_location, vt.end_location):
            if loc not in depot_locs:
                depot_locs.append(loc)
    depot_index = {loc: i for i, loc in enumerate(depot_locs)}
    depots = [Depot(loc) for loc in depot_locs]
    uses_load = any(c.demand for c in problem.clients) or any(
        vt.capacity is not None for vt in problem.vehicle_types
    )
    clients = [
        Client(
            c.location,
            delivery=[c.demand] if uses_load else [],
            service_duration=c.service_duration,
            tw_early=c.tw_early,
            tw_late=c.tw_late,
            prize=c.prize,
            required=c.required,
            group=c.group,
        )
        for c in problem.clients
    ]
    groups = [ClientGroup(required=req) for req in problem.groups]
    for idx, c in enumerate(problem.clients):
        if c.group is not None:
            groups[c.group].add_client(idx)
    vehicle_types = [
        VehicleType(
            num_available=vt.num_available,
            capacity=([vt.capacity if vt.capacity is not None else UNBOUNDED // 4] if uses_load else []),
            start_depot=depot_index[vt.start_location],
            end_depot=depot_index[vt.end_location],
            tw_early=vt.tw_early,
            tw_late=vt.tw_late,
            shift_duration=vt.shift_duration,
            max_overtime=vt.max_overtime,
            unit_overtime_cost=vt.unit_overtime_cost,
            name=vt.name,
        )
        for vt in problem.vehicle_types
    ]
    return ProblemData(locations, clients, depots, vehicle_types, [dist], [dur], groups)


def solve_vrp(
    problem: VrpProblem,
    *,
    time_limit: float = 1.0,
    seed: int = 0,
    initial_routes: Sequence[tuple[int, Sequence[int]]] | None = None,
    no_improvement: int | None = None,
) -> VrpSolution:
    """Solve ``problem`` with PyVRP's iterated local search for ``time_limit`` seconds.

    Single-threaded and deterministic for a given ``seed`` (up to the wall-clock limit).
    ``initial_routes`` optionally warm-starts the search with ``(vehicle_type, clients)`` pairs.
    ``no_improvement`` additionally stops after that many iterations without improvement, which
    makes small runs finish early and reproducibly. ``runtime`` in the result includes building
    the model.
    """
    started = time.perf_counter()
    time_limit = check_time_limit("time_limit", time_limit)
    seed = check_int("seed", seed, 0)
    if no_improvement is not None:
        no_improvement = check_int("no_improvement", no_improvement, 1)
    data = build_problem_data(problem)
    init = None
    if initial_routes:
        from pyvrp import Route

        init = Solution(data, [Route(data, list(cl), vt) for vt, cl in initial_routes if cl])
    elif _exhaustive_start_s(len(problem.clients)) > time_limit - (time.perf_counter() - started):
        # PyVRP's own start (a random solution, then an exhaustive local search: 1.2 s at 1,000
        # clients) cannot be interrupted. When it would not fit, the search starts from the random
        # solution itself, so the call keeps its limit (with a poorer result at that size).
        from pyvrp import RandomNumberGenerator

        init = Solution.make_random(data, RandomNumberGenerator(seed=seed))
    stop: StoppingCriterion = _Until(started + time_limit)
    if no_improvement is not None:
        stop = MultipleCriteria([stop, NoImprovement(no_improvement)])
    result = solve(data, stop, seed=seed, collect_stats=False, display=False, initial_solution=init)
    best = result.best
    routes: list[VrpRoute] = []
    visited: set[int] = set()
    for route in best.routes():
        idx = tuple(int(a.idx) for a in route.schedule() if a.is_client())
        visited.update(idx)
        routes.append(
            VrpRoute(
                vehicle_type=int(route.vehicle_type()),
                clients=idx,
                distance=int(route.distance()),
                duration=int(route.duration()),
                start_time=int(route.start_time()),
                end_time=int(route.end_time()),
            )
        )
    unvisited = tuple(i for i in range(len(problem.clients)) if i not in visited)
    return VrpSolution(
        routes=tuple(routes),
        unvisited=unvisited,
        cost=int(best.distance()),
        feasible=bool(best.is_feasible()),
        runtime=time.perf_counter() - started,
        pyvrp_solution=best,
    )
