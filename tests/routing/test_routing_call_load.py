"""Call load (R-ROUTE-3) and channel width (R-ROUTE-4)."""

import math

import pytest

from baifang.routing import (
    ContactFrequency,
    Period,
    Point,
    TierFrequency,
    call_load,
    channel_width_cap,
)


def _seed001_customers():
    # A: 10 customers called twice a week, B: 20 weekly, C: 30 every two weeks -> 20 + 20 + 15 = 55.
    base = Point(30.2741, 120.1551)
    out = []
    for i in range(60):
        ang = 2 * math.pi * i / 60
        pt = Point(base.lat + 0.05 * math.sin(ang), base.lng + 0.05 * math.cos(ang))
        if i % 6 == 0:
            out.append(ContactFrequency(f"A{i}", calls=2, visits=1, period=Period.WEEK, point=pt, tier="A"))
        elif i % 6 in (2, 4):
            out.append(ContactFrequency(f"B{i}", calls=1, visits=0, period=Period.WEEK, point=pt, tier="B"))
        else:
            out.append(
                ContactFrequency(f"C{i}", calls=1, visits=1, period=Period.TWO_WEEKS, point=pt, tier="C")
            )
    return base, out


def test_seed001_55_calls_a_week_is_11_a_day():  # R-ROUTE-3
    base, customers = _seed001_customers()
    assert sum(c.tier == "A" for c in customers) == 10
    load = call_load(customers, working_days_per_week=5, base=base)
    assert load.calls_per_week == pytest.approx(55.0)
    assert load.calls_per_day == pytest.approx(11.0)
    assert load.visits_per_week == pytest.approx(10 + 15)


def test_each_day_calls_one_area_and_everyone_once():  # R-ROUTE-3
    base, customers = _seed001_customers()
    load = call_load(customers, working_days_per_week=5, base=base)
    assigned = [cid for d in load.days for cid in d.customer_ids]
    assert sorted(assigned) == sorted(c.customer_id for c in customers)
    # customers were placed on a circle in id order: an area is a contiguous arc of indices
    for d in load.days:
        idx = sorted(int(cid[1:]) for cid in d.customer_ids)
        gaps = [b - a for a, b in zip(idx, idx[1:], strict=False)]
        assert sum(g > 1 for g in gaps) <= 1  # one arc (possibly wrapping around)
    # twice-a-week A customers get a second call on another day
    repeats = [cid for d in load.days for cid in d.repeat_ids]
    assert sorted(repeats) == sorted(c.customer_id for c in customers if c.tier == "A")
    for d in load.days:
        assert not set(d.customer_ids) & set(d.repeat_ids)
    assert sum(d.expected_calls for d in load.days) == pytest.approx(55.0)
    assert max(d.expected_calls for d in load.days) - min(d.expected_calls for d in load.days) <= 3.0


def test_period_conversion():  # R-ROUTE-3
    yearly = ContactFrequency("x", calls=52, visits=4, period=Period.YEAR)
    assert yearly.calls_per_week == pytest.approx(1.0)
    assert ContactFrequency("y", visits=1, period=Period.QUARTER).visits_per_week == pytest.approx(1 / 13)
    assert ContactFrequency("z", visits=12, period=Period.YEAR).visits_per_week == pytest.approx(
        ContactFrequency("z", visits=1, period=Period.MONTH).visits_per_week
    )


def test_unlocated_callers_are_reported():  # R-ROUTE-3
    load = call_load(
        [ContactFrequency("a", calls=1, point=None), ContactFrequency("b", calls=1, point=Point(30, 120))]
    )
    assert load.unlocated == ("a",)
    assert load.calls_per_week == pytest.approx(2.0)


def test_channel_width_cap_flags_excess():  # R-ROUTE-4
    tiers = [
        TierFrequency("A", customers=20, visits=4, period=Period.MONTH),
        TierFrequency("B", customers=60, visits=2, period=Period.MONTH),
        TierFrequency("C", customers=120, visits=1, period=Period.MONTH),
    ]
    # load = (80 + 120 + 120) / (52/12) = 73.85 visits/week for 200 customers
    res = channel_width_cap(tiers, visits_per_week_capacity=60)
    assert res.actual == 200
    assert res.cap == math.floor(60 / (320 / (52 / 12) / 200))
    assert res.exceeded and res.binding == "visits"
    assert "超出" in res.explanation
    ok = channel_width_cap(tiers, visits_per_week_capacity=100)
    assert not ok.exceeded and ok.cap >= 200


def test_channel_width_calls_can_bind():  # R-ROUTE-4
    tiers = [TierFrequency("A", customers=50, visits=1, calls=4, period=Period.MONTH)]
    res = channel_width_cap(tiers, visits_per_week_capacity=100, calls_per_week_capacity=20)
    assert res.binding == "calls"
    assert res.cap == math.floor(20 / (4 / (52 / 12)))
    assert res.exceeded


def test_visit_only_customers_belong_to_the_area_of_their_angle():  # R-ROUTE-3
    base, customers = _seed001_customers()
    visitor = ContactFrequency("V", visits=1, period=Period.MONTH, point=customers[0].point)
    load = call_load([*customers, visitor], working_days_per_week=5, base=base)
    (area,) = [d for d in load.days if "V" in d.customer_ids]
    assert customers[0].customer_id in area.customer_ids  # same place, same area
    assert load.calls_per_week == pytest.approx(55.0)  # a visit adds no call
    assert sum(d.expected_calls for d in load.days) == pytest.approx(55.0)


def test_without_calls_the_areas_split_the_visits():  # R-ROUTE-3
    base, customers = _seed001_customers()
    visitors = [ContactFrequency(c.customer_id, visits=1, point=c.point) for c in customers]
    load = call_load(visitors, working_days_per_week=5, base=base)
    sizes = [len(d.customer_ids) for d in load.days]
    assert sum(sizes) == 60 and max(sizes) - min(sizes) <= 1
    assert all(d.expected_calls == 0 for d in load.days)
