"""routing.assign_days (R-ROUTE-2): visits land only on allowed days, caps hold, travel beats the warm start."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.routing import HaversineTravel, assign_days
from baifang.routing.balance import DayState, day_length
from baifang.routing.synthetic import CITY_CENTRES, generate_city_customers


def _matrix(n: int, seed: int):
    customers = generate_city_customers(n, seed=seed)
    return HaversineTravel().matrices([CITY_CENTRES["hangzhou"], *[c.point for c in customers]]).durations


@settings(max_examples=25)
@given(st.integers(2, 40), st.integers(1, 8), st.integers(0, 10_000), st.integers(2, 12))
def test_every_visit_on_an_allowed_day_within_the_caps(n, days, seed, cap):
    rng = np.random.default_rng(seed)
    dur = _matrix(n, seed)
    allowed = [sorted(set(rng.choice(days, size=rng.integers(1, days + 1)).tolist())) for _ in range(n)]
    routes, left = assign_days(
        dur,
        list(range(1, n + 1)),
        [600] * n,
        allowed,
        days,
        day_start=8 * 3600,
        day_end=18 * 3600,
        cap_length=6 * 3600,
        max_visits_per_day=cap,
        time_limit=0.05,
        seed=seed,
    )
    placed = [v for r in routes for v in r]
    assert sorted(placed + left) == list(range(n))
    state = DayState(
        routes, dur, np.arange(1, n + 1), np.full(n, 600), [frozenset(a) for a in allowed], cap, 6 * 3600
    )
    for d, route in enumerate(routes):
        assert len(route) <= cap
        assert all(d in allowed[v] for v in route)
        assert day_length(state, d) <= 6 * 3600


def test_search_improves_on_a_scattered_warm_start():
    n, days = 120, 6
    dur = _matrix(n, 3)
    allowed = [list(range(days))] * n
    scattered = [[v for v in range(n) if v % days == d] for d in range(days)]
    state = DayState(
        scattered, dur, np.arange(1, n + 1), np.full(n, 300), [frozenset(a) for a in allowed], None, 10**9
    )
    before = sum(day_length(state, d) for d in range(days))
    routes, left = assign_days(
        dur,
        list(range(1, n + 1)),
        [300] * n,
        allowed,
        days,
        day_start=8 * 3600,
        day_end=20 * 3600,
        cap_length=12 * 3600,
        initial=scattered,
        time_limit=1.0,
    )
    state.routes = routes
    after = sum(day_length(state, d) for d in range(days))
    assert not left
    assert after < 0.8 * before
