"""The facts commerce computes from orders for the tier criteria (R-TIER-2), registered by name into
``tiers.facts`` from ``CommerceConfig.ready`` (tiers never imports commerce).

- ``annual_value`` (年交易额): amount ordered over the last 365 days; wins over the hand-typed field
  for every customer with at least one order, the typed value stays for the others.
- ``orders_12m`` (近12月订单数): orders over the last 365 days (0 for a customer who bought before).
- ``months_since_last_order`` (距上次订货月数): whole months since the last order.
- ``overdue_days`` (逾期天数): a named hook, ``overdue_days_source``: None until a receivables source
  registers (``register_overdue_days``); criteria on it then read "no data" and do not match.
- ``purchase_share`` (采购占比): our share of the customer's total purchases, only where a source of the
  totals is registered (``register_total_purchases``); otherwise the hand-typed percentage stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from baifang.commerce.models import Order
from baifang.tiers.engine import FieldSpec
from baifang.tiers.facts import register_fact, register_facts

Source = Callable[[object, dt.date], dict[int, object]]
_overdue_days_source: Source | None = None
_total_purchases_source: Source | None = None


def register_overdue_days(source: Source) -> None:
    """A receivables app registers how many days each customer's oldest open invoice is overdue."""
    global _overdue_days_source
    _overdue_days_source = source


def register_total_purchases(source: Source) -> None:
    """A source of each customer's total purchases (all suppliers) over the last 365 days, in yuan."""
    global _total_purchases_source
    _total_purchases_source = source


def _year(customers, today: dt.date):
    since = today - dt.timedelta(days=365)
    return (
        Order.objects.filter(customer__in=customers, ordered_on__lte=today)
        .values("customer")
        .annotate(
            amount=Sum("amount", filter=Q(ordered_on__gt=since)),
            n=Count("id", filter=Q(ordered_on__gt=since)),
            last=Max("ordered_on"),
        )
    )


def annual_value(customers, today: dt.date) -> dict[int, object]:
    return {row["customer"]: row["amount"] or Decimal(0) for row in _year(customers, today)}


def orders_12m(customers, today: dt.date) -> dict[int, object]:
    return {row["customer"]: row["n"] for row in _year(customers, today)}


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (a month is complete on the same day of the month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def months_since_last_order(customers, today: dt.date) -> dict[int, object]:
    return {row["customer"]: months_between(row["last"], today) for row in _year(customers, today)}


def overdue_days(customers, today: dt.date) -> dict[int, object]:
    """The hook: nothing until receivables registers a source."""
    return _overdue_days_source(customers, today) if _overdue_days_source is not None else {}


def purchase_share(customers, today: dt.date) -> dict[int, object]:
    if _total_purchases_source is None:
        return {}
    ours = annual_value(customers, today)
    shares = {}
    for cid, total in _total_purchases_source(customers, today).items():
        if total and cid in ours:
            shares[cid] = round(Decimal(ours[cid]) * 100 / Decimal(total), 2)
    return shares


def order_facts(customers, today: dt.date) -> dict[int, dict[str, object]]:
    """The three order facts in one aggregation."""
    return {
        row["customer"]: {
            "annual_value": row["amount"] or Decimal(0),
            "orders_12m": row["n"],
            "months_since_last_order": months_between(row["last"], today),
        }
        for row in _year(customers, today)
    }


def register() -> None:
    register_facts(
        (
            FieldSpec("annual_value", "number", "年交易额", "annual value"),
            FieldSpec("orders_12m", "number", "近12月订单数", "orders in 12 months"),
            FieldSpec("months_since_last_order", "number", "距上次订货月数", "months since last order"),
        ),
        order_facts,
    )
    register_fact(FieldSpec("overdue_days", "number", "逾期天数", "overdue days"), overdue_days)
    register_fact(FieldSpec("purchase_share", "number", "采购占比", "purchase share"), purchase_share)
