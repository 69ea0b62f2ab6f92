"""Move-based workload balancing between days, and cheapest insertion (used by the territory split).

Routes are lists of *visit* indices; ``node[v]`` maps a visit to its matrix index (0 is the base).
Day length = travel + service seconds. All functions are deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DayState", "balance_days", "cheapest_insertion", "day_length"]


@dataclass
class DayState:
    """Mutable split state: per-day routes, the matrix, and per-visit data."""

    routes: list[list[int]]
    dur: np.ndarray
    node: np.ndarray  # visit -> matrix index
    service: np.ndarray  # visit -> seconds
    allowed: list[frozenset[int]]  # visit -> allowed day indices
    cap_visits: int | None
    cap_length: int


def day_length(state: DayState, d: int) -> int:
    """Travel + service seconds of day ``d`` (base → visits → base)."""
    route = state.routes[d]
    if not route:
        return 0
    nodes = np.concatenate(([0], state.node[route], [0]))
    return int(state.dur[nodes[:-1], nodes[1:]].sum() + state.service[route].sum())


def cheapest_insertion(state: DayState, d: int, v: int) -> tuple[int, int]:
    """(extra travel seconds, position) of inserting visit ``v`` into day ``d`` at its best place."""
    nodes = np.concatenate(([0], state.node[state.routes[d]], [0]))
    x = state.node[v]
    delta = state.dur[nodes[:-1], x] + state.dur[x, nodes[1:]] - state.dur[nodes[:-1], nodes[1:]]
    pos = int(np.argmin(delta))
    return int(delta[pos]), pos


def _removal_savings(state: DayState, d: int) -> np.ndarray:
    nodes = np.concatenate(([0], state.node[state.routes[d]], [0]))
    prev, cur, nxt = nodes[:-2], nodes[1:-1], nodes[2:]
    return state.dur[prev, cur] + state.dur[cur, nxt] - state.dur[prev, nxt]


def balance_days(
    state: DayState,
    *,
    tolerance: float = 0.10,
    travel_weight: float = 0.5,
    max_moves: int = 2000,
    candidates: int = 6,
) -> int:
    """Move visits from long days to short days until every day is within ``tolerance`` of the mean.

    Each step evaluates moving a visit of one of the ``candidates`` longest days to any shorter-
    than-mean day (cheapest insertion, respecting allowed days and caps) and applies
    the move that best reduces Σ(length − mean)² + ``travel_weight`` × mean × Δtravel. Stops when
    balanced, when no move improves, or after ``max_moves``. Returns the number of moves made.
    """
    days = len(state.routes)
    if days < 2:
        return 0
    lengths = np.array([day_length(state, d) for d in range(days)], dtype=float)
    moves = 0
    target = tolerance * 0.9
    while moves < max_moves:
        mean = float(lengths.mean())
        if mean <= 0 or float(np.abs(lengths - mean).max()) <= target * mean:
            break
        order = np.argsort(lengths, kind="stable")
        longs = [int(d) for d in order[::-1][:candidates] if lengths[d] > mean]
        shorts = [int(d) for d in order if lengths[d] < mean]
        best: tuple[float, int, int, int, int, float, float] | None = None
        for a in longs:
            route = state.routes[a]
            if not route:
                continue
            savings = _removal_savings(state, a)
            for i, v in enumerate(route):
                new_a = lengths[a] - savings[i] - state.service[v]
                for b in shorts:
                    if b not in state.allowed[v]:
                        continue
                    if state.cap_visits is not None and len(state.routes[b]) >= state.cap_visits:
                        continue
                    extra, pos = cheapest_insertion(state, b, v)
                    new_b = lengths[b] + extra + state.service[v]
                    if new_b > state.cap_length:
                        continue
                    d_f = (new_a - mean) ** 2 + (new_b - mean) ** 2
                    d_f -= (lengths[a] - mean) ** 2 + (lengths[b] - mean) ** 2
                    score = d_f + travel_weight * mean * (extra - savings[i])
                    if score < 0 and (best is None or score < best[0]):
                        best = (score, a, i, b, pos, new_a, new_b)
        if best is None:
            break
        _, a, i, b, pos, new_a, new_b = best
        v = state.routes[a].pop(i)
        state.routes[b].insert(pos, v)
        lengths[a], lengths[b] = new_a, new_b
        moves += 1
    return moves


def insert_unplaced(state: DayState, visits: Sequence[int]) -> list[int]:
    """Insert ``visits`` greedily (cheapest feasible day and place); return those that do not fit."""
    left: list[int] = []
    for v in visits:
        best: tuple[int, int, int] | None = None
        for d in sorted(state.allowed[v]):
            if state.cap_visits is not None and len(state.routes[d]) >= state.cap_visits:
                continue
            extra, pos = cheapest_insertion(state, d, v)
            if day_length(state, d) + extra + state.service[v] > state.cap_length:
                continue
            if best is None or extra < best[0]:
                best = (extra, d, pos)
        if best is None:
            left.append(v)
        else:
            state.routes[best[1]].insert(best[2], v)
    return left
