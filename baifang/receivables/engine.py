"""Receivables ageing as a plain function (R-AR-1): no Django, dataclasses in and out.

Payments first settle the invoice they are allocated to (up to what it still owes); what is left of
them, and every payment without an allocation, settles the oldest open invoices first (FIFO by
invoice date, then key). Each open invoice is aged by the days since its **invoice date** and falls
in one bucket: 0–30, 31–60, 61–90 or > 90 days. An invoice dated in the future is in the first bucket.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> a = age([OpenItem("F1", dt.date(2026, 1, 1), D("100")), OpenItem("F2", dt.date(2026, 3, 20), D("50"))],
...         [PaidItem(D("30"))], today=dt.date(2026, 4, 10))
>>> a.buckets, a.outstanding, a.over_target
((Decimal('50'), Decimal('0'), Decimal('0'), Decimal('70')), Decimal('120'), Decimal('70'))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

# Upper bounds (in days since the invoice date) of the first three buckets; the last is open-ended.
BUCKET_LIMITS = (30, 60, 90)
BUCKET_LABELS = ("0–30", "31–60", "61–90", ">90")
TARGET_DAYS = 90  # the company target (seed 002): nothing outstanding older than this, new products excepted
ZERO = Decimal(0)


@dataclass(frozen=True)
class OpenItem:
    """An invoice: what the customer was billed, on which day; ``excepted`` from the ≤ 90-day target."""

    key: Hashable
    invoiced_on: dt.date
    amount: Decimal
    due_on: dt.date | None = None
    excepted: bool = False


@dataclass(frozen=True)
class PaidItem:
    """A payment; ``invoice`` is the key of the invoice it was allocated to (None: not allocated)."""

    amount: Decimal
    invoice: Hashable | None = None


@dataclass
class Ageing:
    """One customer's outstanding amount, by bucket and by invoice."""

    buckets: tuple[Decimal, Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO, ZERO)
    outstanding: Decimal = ZERO
    unapplied: Decimal = ZERO  # paid beyond every invoice: a credit balance
    over_target: Decimal = ZERO  # older than the target, excepted invoices left out
    overdue: Decimal = ZERO  # past its due date
    oldest_days: int | None = None  # age of the oldest open invoice
    max_days_overdue: int = 0
    open_by_invoice: dict = field(default_factory=dict)  # key → amount still owed (> 0 only)

    @property
    def has_debt(self) -> bool:
        return self.outstanding > 0


def bucket_of(days: int) -> int:
    """The bucket index (0..3) of an invoice ``days`` old (negative: dated ahead, bucket 0)."""
    for index, limit in enumerate(BUCKET_LIMITS):
        if days <= limit:
            return index
    return len(BUCKET_LIMITS)


def age(
    invoices: Iterable[OpenItem],
    payments: Iterable[PaidItem],
    today: dt.date,
    *,
    target_days: int = TARGET_DAYS,
    except_new: bool = True,
) -> Ageing:
    """Settle the payments against the invoices and age what stays open (see the module docstring)."""
    items = sorted(invoices, key=lambda i: (i.invoiced_on, str(i.key)))
    for item in items:
        if item.amount < 0:
            raise ValueError(f"invoice {item.key!r} has a negative amount")
    open_amounts = {item.key: item.amount for item in items}
    pool = ZERO
    for payment in payments:
        if payment.amount < 0:
            raise ValueError("a payment cannot be negative")
        if payment.invoice is not None and payment.invoice in open_amounts:
            settled = min(open_amounts[payment.invoice], payment.amount)
            open_amounts[payment.invoice] -= settled
            pool += payment.amount - settled
        else:
            pool += payment.amount
    for item in items:  # FIFO: the oldest invoice first
        if pool <= 0:
            break
        settled = min(open_amounts[item.key], pool)
        open_amounts[item.key] -= settled
        pool -= settled
    buckets = [ZERO, ZERO, ZERO, ZERO]
    result = Ageing(unapplied=pool)
    for item in items:
        amount = open_amounts[item.key]
        if amount <= 0:
            continue
        days = (today - item.invoiced_on).days
        buckets[bucket_of(days)] += amount
        result.open_by_invoice[item.key] = amount
        result.oldest_days = days if result.oldest_days is None else max(result.oldest_days, days)
        if days > target_days and not (except_new and item.excepted):
            result.over_target += amount
        if item.due_on is not None and today > item.due_on:
            result.overdue += amount
            result.max_days_overdue = max(result.max_days_overdue, (today - item.due_on).days)
    result.buckets = tuple(buckets)
    result.outstanding = sum(buckets, ZERO)
    return result
