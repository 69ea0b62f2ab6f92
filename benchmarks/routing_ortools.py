"""OR-Tools comparators for the routing benchmark (benchmark-only; never used by the product).

Guided local search everywhere; for VRPTW the SAVINGS first-solution strategy (best in the
research anchors). OR-Tools has no seed interface, so each configuration runs once.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from routing_instances import VrpInstance


def _params(seconds: float, first: int | None = None) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    if first is not None:
        params.first_solution_strategy = first
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    return params


def _routes(manager, routing, solution, vehicles: int) -> list[list[int]]:
    out = []
    for v in range(vehicles):
        idx = routing.Start(v)
        route = []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            if node != 0:
                route.append(node)
            idx = solution.Value(routing.NextVar(idx))
        if route:
            out.append(route)
    return out


def ortools_tsp(matrix: np.ndarray, seconds: float) -> tuple[int | None, float]:
    """Closed tour cost and wall time (model build included)."""
    started = time.perf_counter()
    n = matrix.shape[0]
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    m = matrix.tolist()
    cb = routing.RegisterTransitCallback(lambda i, j: m[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    solution = routing.SolveWithParameters(_params(seconds - (time.perf_counter() - started)))
    wall = time.perf_counter() - started
    return (int(solution.ObjectiveValue()) if solution else None), wall


def ortools_vrp(
    inst: VrpInstance, seconds: float, vehicles: int, first_solution: str | None = None
) -> tuple[int | None, float, list[list[int]]]:
    """CVRP(TW) distance, wall time and routes. Uses SAVINGS when the instance has time windows.

    ``first_solution`` names another first-solution strategy: one-vehicle days with appointments
    need ``PARALLEL_CHEAPEST_INSERTION`` (SAVINGS and PATH_CHEAPEST_ARC found no feasible day
    within 1 s on 35–220 stops).
    """
    started = time.perf_counter()
    n = inst.matrix.shape[0]
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    m = inst.matrix.tolist()
    dist_cb = routing.RegisterTransitCallback(lambda i, j: m[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    demand = inst.demand.tolist()
    dem_cb = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(dem_cb, 0, [inst.capacity] * vehicles, True, "Load")
    first = None
    if inst.tw is not None:
        service = inst.service.tolist()

        def travel(i: int, j: int) -> int:
            a, b = manager.IndexToNode(i), manager.IndexToNode(j)
            return m[a][b] + service[a]

        time_cb = routing.RegisterTransitCallback(travel)
        horizon = int(inst.tw[0, 1])
        routing.AddDimension(time_cb, horizon, horizon, False, "Time")
        dim = routing.GetDimensionOrDie("Time")
        for node in range(1, n):
            dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(inst.tw[node, 0]), int(inst.tw[node, 1]))
        for v in range(vehicles):
            dim.CumulVar(routing.Start(v)).SetRange(int(inst.tw[0, 0]), int(inst.tw[0, 1]))
            dim.CumulVar(routing.End(v)).SetRange(int(inst.tw[0, 0]), int(inst.tw[0, 1]))
        first = routing_enums_pb2.FirstSolutionStrategy.SAVINGS
    if first_solution is not None:
        first = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    solution = routing.SolveWithParameters(_params(seconds - (time.perf_counter() - started), first))
    wall = time.perf_counter() - started
    if not solution:
        return None, wall, []
    return int(solution.ObjectiveValue()), wall, _routes(manager, routing, solution, vehicles)
