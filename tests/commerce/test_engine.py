"""R-INV-1: the stock formula of seed 003, as plain Python, against a line-by-line reference."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baifang.commerce.engine import DEFAULT_K, naive_stock_guidance, resolve_k, stock_guidance

quantities = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
factors = st.decimals(min_value=Decimal("0.1"), max_value=10, places=2, allow_nan=False, allow_infinity=False)


def test_hand_worked_tobacco_example_of_the_docs():
    """docs/commerce.md: 20 条 left last time, 50 ordered, 15 on the shelf now, k = 1.5."""
    g = stock_guidance(Decimal(20), Decimal(50), Decimal(15))
    assert g.actual_sales == Decimal(55)
    assert g.reasonable_stock == Decimal("82.5")
    assert g.suggested_order == Decimal("67.5")
    assert not g.impossible
    assert g.k == DEFAULT_K


def test_group_purchase_brand_with_larger_k():
    """Same shelf, k = 2 (a brand bought in group purchases): reasonable 110, order 95."""
    g = stock_guidance(20, 50, 15, k=2)
    assert (g.reasonable_stock, g.suggested_order) == (Decimal(110), Decimal(95))


def test_stock_grew_without_an_order_is_flagged_not_hidden():
    g = stock_guidance(10, 0, 25)
    assert g.impossible
    assert g.actual_sales == Decimal(-15)
    assert g.suggested_order == 0


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        stock_guidance(1, 1, 1, k=0)


@given(quantities, quantities, quantities, factors)
def test_agrees_with_the_reference(last, ordered, now, k):
    g = stock_guidance(last, ordered, now, k)
    assert (g.actual_sales, g.reasonable_stock, g.suggested_order, g.impossible) == naive_stock_guidance(
        last, ordered, now, k
    )


@given(quantities, quantities, quantities, factors)
def test_suggested_order_is_never_negative(last, ordered, now, k):
    assert stock_guidance(last, ordered, now, k).suggested_order >= 0


@given(quantities, quantities, quantities, factors, st.integers(min_value=2, max_value=5))
def test_reasonable_stock_scales_linearly_with_k(last, ordered, now, k, times):
    one, many = stock_guidance(last, ordered, now, k), stock_guidance(last, ordered, now, k * times)
    assert many.reasonable_stock == one.reasonable_stock * times


@given(quantities, quantities, quantities)
def test_flag_fires_iff_sales_below_zero(last, ordered, now):
    assert stock_guidance(last, ordered, now).impossible == (last + ordered - now < 0)


def test_most_specific_k_wins():
    assert resolve_k() == DEFAULT_K
    assert resolve_k(group=2) == 2
    assert resolve_k(product=3, group=2) == 3
    assert resolve_k(customer=Decimal("1.2"), product=3, group=2) == Decimal("1.2")
    assert resolve_k(pair=4, customer=Decimal("1.2"), product=3) == 4
