"""The windowed 2-opt/Or-opt search (R-ROUTE-1, issue 16) against a naive scheduler.

Its O(1) window checks (segment concatenation) must agree with scheduling each candidate order
from scratch: the result is feasible, visits the same stops, costs no more than the start, and
no single 2-opt or Or-opt move improves it further (checked by enumerating every move).
"""

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.routing.tw_search import _apply, improve_windowed_order

DAY_START = 8 * 3600


def _feasible(order, dur, service, windows, day_end):
    """Earliest-start schedule from node 0 through stops (node k + 2) to node 1, by the day end."""
    t, prev = DAY_START, 0
    for k in order:
        t += int(dur[prev, k + 2])
        w = windows[k]
        if w is not None:
            if t > w[1]:
                return False
            t = max(t, w[0])
        t += int(service[k])
        prev = k + 2
    return t + int(dur[prev, 1]) <= day_end


def _cost(order, cost):
    nodes = [0, *[k + 2 for k in order], 1]
    return int(sum(cost[a, b] for a, b in zip(nodes, nodes[1:], strict=False)))


def _moves(m):
    seq_len = m + 2
    for i in range(1, seq_len - 1):
        for j in range(i + 1, seq_len - 1):
            yield "2opt", (i, j)
    for length in (1, 2, 3):
        for i in range(1, seq_len - length):
            for q in range(seq_len - 1):
                if q > i + length - 1 or q < i - 1:
                    for rev in (False, True):
                        yield "oropt", (i, length, q, rev)


@st.composite
def instances(draw):
    m = draw(st.integers(3, 8))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    n = m + 2
    dur = rng.integers(0, 1800, size=(n, n))
    if draw(st.booleans()):
        dur = (dur + dur.T) // 2  # symmetric as well as one-way travel
    np.fill_diagonal(dur, 0)
    cost = dur if draw(st.booleans()) else rng.integers(0, 5000, size=(n, n))
    service = rng.integers(0, 900, size=m)
    start = [int(k) for k in rng.permutation(m)]
    # windows cut around the start order's own times, so it is feasible and the windows bind
    windows, t, prev = [], DAY_START, 0
    times = {}
    for k in start:
        t += int(dur[prev, k + 2])
        times[k] = t
        t += int(service[k])
        prev = k + 2
    for k in range(m):
        if rng.random() < 0.5:
            width = int(rng.integers(0, 3600))
            lo = times[k] - int(rng.integers(0, width + 1))
            windows.append((lo, lo + width))
        else:
            windows.append(None)
    day_end = t + int(dur[prev, 1]) + int(rng.integers(0, 1800))
    return m, dur, cost, service, start, windows, day_end


@settings(max_examples=150, deadline=None)
@given(instances())
def test_search_result_is_feasible_and_a_local_optimum(case):  # R-ROUTE-1
    m, dur, cost, service, start, windows, day_end = case
    assert _feasible(start, dur, service, windows, day_end)
    out = improve_windowed_order(
        start,
        dur=dur,
        cost=cost,
        service=service,
        windows_used=lambda order: [windows[k] for k in order],
        day_start=DAY_START,
        day_end=day_end,
        deadline=time.perf_counter() + 5,
    )
    assert sorted(out) == sorted(start)
    assert _feasible(out, dur, service, windows, day_end)
    assert _cost(out, cost) <= _cost(start, cost)
    seq = [0, *[k + 2 for k in out], 1]
    for kind, args in _moves(m):
        moved = [x - 2 for x in _apply(seq, kind, args)[1:-1]]
        if _feasible(moved, dur, service, windows, day_end):
            assert _cost(moved, cost) >= _cost(out, cost), (kind, args)


def test_search_keeps_the_deadline():  # R-ROUTE-1
    rng = np.random.default_rng(3)
    m = 220
    xy = rng.uniform(0, 10_000, size=(m + 2, 2))
    dur = np.rint(np.linalg.norm(xy[:, None] - xy[None, :], axis=2)).astype(np.int64)
    order = list(range(m))  # a poor but feasible order (no windows)
    started, cpu = time.perf_counter(), time.process_time()
    out = improve_windowed_order(
        order,
        dur=dur,
        cost=dur,
        service=np.zeros(m, dtype=np.int64),
        windows_used=lambda o: [None] * len(o),
        day_start=0,
        day_end=10**9,
        deadline=started + 0.2,
    )
    assert time.process_time() - cpu <= 1.1 * 0.2 + 0.05  # CPU time: the box is shared (see limits)
    assert _cost(out, dur) < _cost(order, dur)
