"""The frequency-driven month split the benchmarks compare the plan generator with (R-ROUTE-2).

It lives in ``benchmarks/month_split.py``; the product's month planner is the plan generator
(tests/plans/test_generate.py), built on ``baifang.routing.assign_days`` (test_routing_assign.py).
"""

from collections import Counter
from datetime import date

import pytest

from baifang.routing import HaversineTravel, Point, Reason
from baifang.routing.synthetic import CITY_CENTRES, generate_city_customers, weekdays_from
from benchmarks.month_split import TerritoryCustomer, TerritoryRequest, split_territory, visit_blocks

BASE = CITY_CENTRES["hangzhou"]
DAYS_20 = weekdays_from(date(2027, 3, 1), 20)  # four ISO weeks


def _customers(n, seed=0, **kw):
    return [
        TerritoryCustomer(c.id, c.point, c.visits, c.service_s)
        for c in generate_city_customers(n, seed=seed, **kw)
    ]


def assert_plan_valid(request, plan):
    """Conservation, frequency counts, distinct days, caps, routes start/end at base."""
    required = Counter({c.id: c.visits for c in request.customers})
    placed = Counter(cid for d in plan.days for cid in d.route.stop_ids)
    missing = Counter(u.stop_id for u in plan.unassigned)
    assert placed + missing == required  # every visit placed or unassigned with a reason
    assert all(u.message for u in plan.unassigned)
    for d in plan.days:
        ids = d.route.stop_ids
        assert len(ids) == len(set(ids))  # a customer at most once a day
        if request.max_visits_per_day is not None:
            assert len(ids) <= request.max_visits_per_day
        r = d.route
        assert r.depart >= request.day_start and r.return_time <= request.day_end
        if request.max_minutes_per_day is not None:
            assert r.travel_s + r.service_s <= request.max_minutes_per_day * 60
    assert [d.day for d in plan.days] == sorted(set(request.working_days))


def test_visit_blocks_weekly_customer_one_block_per_week():  # R-ROUTE-2
    blocks = visit_blocks(DAYS_20, 4)
    assert [len(b) for b in blocks] == [5, 5, 5, 5]
    assert [{DAYS_20[i].isocalendar()[1] for i in b} for b in blocks] == [{9}, {10}, {11}, {12}]
    two = visit_blocks(DAYS_20, 2)
    assert two == [list(range(10)), list(range(10, 20))]
    assert visit_blocks(DAYS_20, 8) == [
        list(range(i, i + 3 if i < 12 else i + 2)) for i in range(0, 12, 3)
    ] + [
        [12, 13],
        [14, 15],
        [16, 17],
        [18, 19],
    ]


def test_split_honours_frequencies_weeks_and_caps():  # R-ROUTE-2
    customers = _customers(80, seed=3)
    assert any(c.visits == 4 for c in customers) and any(c.visits == 2 for c in customers)
    req = TerritoryRequest(BASE, customers, DAYS_20, max_visits_per_day=8, time_limit=2.0, seed=1)
    plan = split_territory(req)
    assert not plan.unassigned
    assert_plan_valid(req, plan)
    for c in customers:
        dates = plan.visits_of(c.id)
        assert len(dates) == c.visits
        if c.visits == 4:  # weekly customers: one visit in each ISO week
            assert sorted(d.isocalendar()[1] for d in dates) == [9, 10, 11, 12]
        if c.visits == 2:  # twice a month: one visit in each half
            assert min(dates) < date(2027, 3, 15) <= max(dates)


def test_split_balances_day_lengths_within_ten_percent():  # R-ROUTE-2: balanced workload
    customers = _customers(200, seed=5)
    days = weekdays_from(date(2027, 3, 1), 10)
    req = TerritoryRequest(BASE, customers, days, day_start=8 * 3600, day_end=19 * 3600, time_limit=4.0)
    plan = split_territory(req)
    assert_plan_valid(req, plan)
    assert not plan.unassigned
    assert plan.stats.max_deviation_pct <= 10.0
    lengths = [d.route.travel_s + d.route.service_s for d in plan.days]
    assert plan.stats.max_s == max(lengths) and plan.stats.min_s == min(lengths)
    assert plan.stats.total_travel_s == sum(d.route.travel_s for d in plan.days)


def test_order_weekday_grouping():  # R-ROUTE-2: customers ordering on the same day visited together
    base = _customers(40, seed=7, frequency_mix=((1, 1.0),))
    customers = [
        TerritoryCustomer(c.id, c.point, c.visits, c.service_s, order_weekday=(1 if i % 2 else 3))
        for i, c in enumerate(base)
    ]
    req = TerritoryRequest(BASE, customers, DAYS_20, group_by_order_weekday=True, time_limit=1.5)
    plan = split_territory(req)
    assert_plan_valid(req, plan)
    assert not plan.unassigned
    for c in customers:
        assert {d.weekday() for d in plan.visits_of(c.id)} == {c.order_weekday}


def test_capacity_shortage_and_bad_data_reported():  # R-ROUTE-2
    customers = _customers(30, seed=2, frequency_mix=((1, 1.0),))
    customers += [
        TerritoryCustomer("nowhere", None, 2),
        TerritoryCustomer("zero", Point(0, 0), 1),
        TerritoryCustomer("daily", customers[0].point, 30),  # more visits than working days
    ]
    days = weekdays_from(date(2027, 3, 1), 5)
    req = TerritoryRequest(
        BASE, customers, days, max_visits_per_day=5, time_limit=1.0, travel=HaversineTravel()
    )
    plan = split_territory(req)
    assert_plan_valid(req, plan)
    reasons = Counter((u.stop_id, u.reason) for u in plan.unassigned)
    assert reasons[("nowhere", Reason.NO_LOCATION)] == 2
    assert reasons[("zero", Reason.INVALID_LOCATION)] == 1
    assert reasons[("daily", Reason.NO_WORKING_DAY)] == 25
    assert sum(len(d.route.visits) for d in plan.days) == 25  # 5 days x 5 visits, all used
    assert sum(n for (_, r), n in reasons.items() if r == Reason.CAPACITY) == 30 + 5 - 25


def test_split_deterministic_for_seed():  # R-ROUTE-2
    # Deterministic only when an iteration-count stop ends the search before the wall clock does.
    req = TerritoryRequest(
        BASE,
        _customers(25, seed=9),
        weekdays_from(date(2027, 3, 1), 5),
        time_limit=20,
        seed=3,
        no_improvement=200,
    )
    a, b = split_territory(req), split_territory(req)
    assert [d.route.stop_ids for d in a.days] == [d.route.stop_ids for d in b.days]


def test_no_working_days():  # R-ROUTE-2
    req = TerritoryRequest(BASE, _customers(3), [], time_limit=0.2)
    plan = split_territory(req)
    assert plan.days == ()
    assert {u.reason for u in plan.unassigned} == {Reason.NO_WORKING_DAY}
    assert len(plan.unassigned) == sum(c.visits for c in req.customers)


def test_duplicate_customer_ids_rejected():  # R-ROUTE-2
    with pytest.raises(ValueError):
        TerritoryRequest(BASE, [TerritoryCustomer("a", BASE), TerritoryCustomer("a", BASE)], DAYS_20)
