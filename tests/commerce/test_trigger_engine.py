"""R-OBL-3 and R-FU-3: the trigger and reminder conditions as plain Python, property-tested
(a trigger fires iff its condition holds)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from baifang.commerce import engine

amounts = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=200, places=1, allow_nan=False, allow_infinity=False)


@given(current=amounts, trailing=st.lists(amounts, min_size=0, max_size=12), percent=percents)
def test_r_obl_3_band_fires_iff_sales_leave_the_band(current, trailing, percent):
    """R-OBL-3 (a): outside iff history exists with a positive mean and |current − mean| > mean × X %."""
    hit = engine.outside_band(current, trailing, percent)
    mean = sum(trailing, Decimal(0)) / len(trailing) if trailing else Decimal(0)
    holds = bool(trailing) and mean > 0 and abs(current - mean) > mean * percent / 100
    assert (hit is not None) == holds
    if hit is not None:
        assert hit.low <= hit.mean <= hit.high


def test_r_obl_3_band_by_hand():
    """Mean 200, ±20 %: 160–240. 150 and 250 are out, 160 and 240 are in (the edges belong to the band)."""
    assert engine.outside_band(150, [180, 200, 220], 20).low == Decimal(160)
    assert engine.outside_band(250, [180, 200, 220], 20).high == Decimal(240)
    assert engine.outside_band(160, [180, 200, 220], 20) is None
    assert engine.outside_band(240, [180, 200, 220], 20) is None
    assert engine.outside_band(500, [], 20) is None  # no history, nothing to compare with


@given(cycles=st.lists(st.booleans(), max_size=20), n=st.integers(min_value=1, max_value=5))
def test_r_obl_3_not_ordered_fires_iff_the_last_n_cycles_lack_the_product(cycles, n):
    """R-OBL-3 (b): fires iff there are at least n cycles and none of the last n held the product."""
    assert engine.not_ordered_for(cycles, n) == (len(cycles) >= n and not any(cycles[-n:]))
    missed = engine.missed_cycles(cycles)
    assert not any(cycles[len(cycles) - missed :])
    assert missed == len(cycles) or cycles[len(cycles) - missed - 1]


keys = st.sampled_from(["a", "b", "c", "d"])


@given(ordered=st.dictionaries(keys, amounts), delivered=st.dictionaries(keys, amounts))
def test_r_obl_3_delivery_differs_iff_some_product_quantity_differs(ordered, delivered):
    """R-OBL-3 (c): a difference is reported for exactly the products whose quantities differ (missing = 0)."""
    diff = engine.delivery_differences(ordered, delivered)
    for key in set(ordered) | set(delivered):
        o, d = ordered.get(key, Decimal(0)), delivered.get(key, Decimal(0))
        assert (key in diff) == (o != d)
        if key in diff:
            assert diff[key] == (o, d)
    assert bool(diff) == any(
        ordered.get(k, Decimal(0)) != delivered.get(k, Decimal(0)) for k in set(ordered) | set(delivered)
    )


@given(days=st.one_of(st.none(), st.integers(0, 1000)), n=st.integers(0, 400))
def test_r_fu_3_not_purchased_fires_iff_more_than_n_days(days, n):
    assert engine.overdue_purchase(days, n) == (days is not None and days > n)


@given(stock=amounts, sold=amounts, horizon=st.integers(0, 60))
def test_r_fu_3_runs_out_iff_stock_lasts_no_longer_than_the_horizon(stock, sold, horizon):
    """Stock lasts stock / (sold / 90) days; nothing sold, it never runs out."""
    fires = engine.runs_out_within(stock, sold, 90, horizon)
    assert fires == (sold > 0 and stock * 90 <= horizon * sold)


@given(last=amounts, ordered=amounts, sold=amounts, elapsed=st.integers(0, 365))
def test_r_fu_3_expected_stock_never_negative_and_falls_with_time(last, ordered, sold, elapsed):
    now = engine.expected_stock(last, ordered, sold, 90, elapsed)
    later = engine.expected_stock(last, ordered, sold, 90, elapsed + 1)
    assert now >= 0 and later <= now
    assert engine.expected_stock(last, ordered, sold, 90, 0) == last + ordered
