"""Sequencing (TSP) and the matrix-level VRP layer (R-ROUTE-1, R-ROUTE-2)."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.routing import VrpClient, VrpProblem, VrpVehicleType, path_cost, solve_tsp, solve_vrp


def _brute_path(cost, start, end):
    inner = [i for i in range(len(cost)) if i not in (start, end)]
    best = None
    for perm in itertools.permutations(inner):
        order = [start, *perm, end]
        c = path_cost(order, cost)
        best = c if best is None else min(best, c)
    return best


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 8), st.integers(0, 10_000), st.booleans())
def test_solve_tsp_optimal_on_small_instances(n, seed, asymmetric):  # R-ROUTE-1
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, (n, 2))
    cost = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    if asymmetric:
        cost = cost + rng.integers(0, 50, (n, n))
        np.fill_diagonal(cost, 0)
    closed = solve_tsp(cost, start=0, time_limit=0.05)
    assert sorted(closed) == list(range(n)) and closed[0] == 0
    if not asymmetric:  # fast-tsp is exact for <= 20 nodes on symmetric input
        assert path_cost([*closed, 0], cost) == min(
            path_cost([0, *p, 0], cost) for p in itertools.permutations(range(1, n))
        )
    path = solve_tsp(cost, start=0, end=n - 1, time_limit=0.05)
    assert path[0] == 0 and path[-1] == n - 1 and sorted(path) == list(range(n))
    optimum = _brute_path(cost, 0, n - 1)
    assert path_cost(path, cost) <= optimum * 1.05 + 1  # polished heuristic on asymmetric costs


def test_solve_tsp_scales_large_values():  # R-ROUTE-1: fast-tsp needs 0..65535
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 2_000_000, (30, 2))
    cost = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    tour = solve_tsp(cost, time_limit=0.2)
    assert sorted(tour) == list(range(30))
    assert path_cost([*tour, tour[0]], cost) < path_cost([*range(30), 0], cost) * 0.5


def test_solve_vrp_capacity_and_optional_clients():  # R-ROUTE-2: matrix-level layer
    # depot 0, four clients on a line; capacity 2 -> two routes; client at 5 is unreachable in time
    pos = np.array([0, 10, 11, 20, 21, 1000])
    cost = np.abs(pos[:, None] - pos[None, :]).astype(np.int64)
    clients = [VrpClient(i, demand=1, required=False, prize=10_000) for i in range(1, 5)]
    clients.append(VrpClient(5, demand=1, tw_early=0, tw_late=50, required=False, prize=10_000))
    vt = [VrpVehicleType(num_available=3, capacity=2, tw_early=0, tw_late=500)]
    sol = solve_vrp(VrpProblem(cost, cost, clients, vt), time_limit=0.3, seed=1)
    assert sol.feasible
    assert sol.unvisited == (4,)
    assert sorted(len(r.clients) for r in sol.routes) == [2, 2]
    assert sol.cost == 2 * 11 + 2 * 21


@settings(max_examples=20, deadline=None)
@given(st.integers(17, 20), st.integers(0, 10_000), st.booleans())
def test_tight_time_limit_at_17_to_20_nodes_stays_close_to_the_exact_tour(n, seed, closed):  # R-ROUTE-1
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n, 2))
    cost = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    end = None if closed else n - 1
    quick = solve_tsp(cost, start=0, end=end, time_limit=0.01)
    exact = solve_tsp(cost, start=0, end=end, time_limit=0.2)
    assert quick[0] == 0 and sorted(quick) == list(range(n))
    if not closed:
        assert quick[-1] == n - 1
    tail = [0] if closed else []
    assert path_cost([*quick, *tail], cost) <= path_cost([*exact, *tail], cost) * 1.08
