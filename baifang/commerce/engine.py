"""Stock on the shelf (R-INV-1, seed 003 库存指导): plain Python, exact decimals, no Django.

    actual sales      = (last stock + last order) − current stock
    reasonable stock  = actual sales × k                 (k = 1.5 unless the customer / product says)
    suggested order   = reasonable stock − current stock, never below 0

"Last stock" is what was counted at the previous visit, "last order" what the customer ordered
since then, "current stock" what is counted now. Actual sales below zero cannot be right (the stock
grew without an order: a miscount, goods from elsewhere): the result says so (``impossible``) and
suggests nothing, rather than hiding it.

>>> g = stock_guidance(Decimal(20), Decimal(50), Decimal(15))
>>> g.actual_sales, g.reasonable_stock, g.suggested_order, g.impossible
(Decimal('55'), Decimal('82.5'), Decimal('67.5'), False)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEFAULT_K = Decimal("1.5")


@dataclass(frozen=True)
class StockGuidance:
    actual_sales: Decimal
    reasonable_stock: Decimal
    suggested_order: Decimal
    impossible: bool  # actual sales < 0: the data cannot be right
    k: Decimal


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def stock_guidance(last_stock, last_order, current_stock, k=DEFAULT_K) -> StockGuidance:
    """The guidance for one product at one customer (see the module docstring)."""
    last_stock, last_order, current_stock, k = map(_decimal, (last_stock, last_order, current_stock, k))
    if k <= 0:
        raise ValueError("k must be positive")
    actual_sales = last_stock + last_order - current_stock
    impossible = actual_sales < 0
    reasonable = actual_sales * k if not impossible else Decimal(0)
    suggested = max(Decimal(0), reasonable - current_stock)
    return StockGuidance(
        actual_sales=actual_sales,
        reasonable_stock=reasonable.normalize() if reasonable else Decimal(0),
        suggested_order=suggested.normalize() if suggested else Decimal(0),
        impossible=impossible,
        k=k,
    )


def resolve_k(*, pair=None, customer=None, product=None, group=None, default=DEFAULT_K) -> Decimal:
    """The k that applies: this customer and product, else this customer, else the product, else its
    group, else the default (the most specific knowledge of the customer wins)."""
    for value in (pair, customer, product, group):
        if value is not None:
            return _decimal(value)
    return _decimal(default)


def naive_stock_guidance(last_stock, last_order, current_stock, k=DEFAULT_K) -> tuple:
    """The formula as seed 003 writes it, line by line: the reference the property tests compare with."""
    sold = Decimal(str(last_stock)) + Decimal(str(last_order)) - Decimal(str(current_stock))
    if sold < 0:
        return sold, Decimal(0), Decimal(0), True
    keep = sold * Decimal(str(k))
    order = keep - Decimal(str(current_stock))
    if order < 0:
        order = Decimal(0)
    return sold, keep, order, False


# --- Automatic special visits (R-OBL-3) and purchase reminders (R-FU-3): the conditions, plain Python.


@dataclass(frozen=True)
class Band:
    """The warning band around the trailing mean: ``mean × (1 ± percent / 100)``."""

    mean: Decimal
    low: Decimal
    high: Decimal
    percent: Decimal


def warning_band(trailing, percent) -> Band | None:
    """The band of the trailing periods' sales; None without history (nothing to compare with)."""
    values = [_decimal(v) for v in trailing]
    percent = _decimal(percent)
    if not values or percent < 0:
        return None
    mean = sum(values, Decimal(0)) / len(values)
    if mean <= 0:
        return None
    return Band(mean=mean, low=mean * (1 - percent / 100), high=mean * (1 + percent / 100), percent=percent)


def outside_band(current, trailing, percent) -> Band | None:
    """R-OBL-3 (a): the band when ``current`` lies strictly outside it, else None."""
    band = warning_band(trailing, percent)
    if band is None:
        return None
    current = _decimal(current)
    return band if current < band.low or current > band.high else None


def missed_cycles(cycles) -> int:
    """How many of the latest order cycles in a row went without the product (``cycles``: one bool per
    order of the customer, oldest first, True when the order held the product)."""
    count = 0
    for held in reversed(list(cycles)):
        if held:
            break
        count += 1
    return count


def not_ordered_for(cycles, n: int = 2) -> bool:
    """R-OBL-3 (b): the last ``n`` order cycles (at least) all went without the product."""
    return missed_cycles(cycles) >= n


def delivery_differences(ordered: dict, delivered: dict) -> dict:
    """R-OBL-3 (c): product → (ordered, delivered) wherever the two differ (a missing side counts 0)."""
    out = {}
    for key in sorted(set(ordered) | set(delivered), key=str):
        o, d = _decimal(ordered.get(key, 0)), _decimal(delivered.get(key, 0))
        if o != d:
            out[key] = (o, d)
    return out


def overdue_purchase(days_since_last_order: int | None, threshold_days: int) -> bool:
    """R-FU-3: bought before, but not for more than ``threshold_days`` days."""
    return days_since_last_order is not None and days_since_last_order > threshold_days


def days_of_stock_left(stock, sold, days) -> Decimal | None:
    """How many days the shelf lasts at the trailing sell-through (``sold`` over ``days`` days);
    None when nothing sells (it never runs out)."""
    stock, sold = _decimal(stock), _decimal(sold)
    if days <= 0 or sold <= 0:
        return None
    return stock / (sold / days)


def runs_out_within(stock, sold, days, horizon) -> bool:
    """R-FU-3: the stock will be gone within ``horizon`` days at the trailing rate."""
    left = days_of_stock_left(stock, sold, days)
    return left is not None and left <= horizon


def expected_stock(last_count, ordered_since, sold, days, days_elapsed) -> Decimal:
    """The shelf today, estimated: the last count plus what was ordered since, minus what sold since at
    the trailing rate (``sold`` over ``days`` days); never below 0."""
    last_count, ordered_since, sold = map(_decimal, (last_count, ordered_since, sold))
    rate = sold / days if days > 0 else Decimal(0)
    return max(Decimal(0), last_count + ordered_since - rate * days_elapsed)
