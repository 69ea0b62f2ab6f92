"""The ageing engine as plain Python (R-AR-1): buckets partition what is owed; paying never adds debt."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from baifang.receivables import engine
from baifang.receivables.engine import OpenItem, PaidItem, age, bucket_of

TODAY = dt.date(2026, 12, 1)
D = Decimal

amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
invoices = st.lists(
    st.builds(
        OpenItem,
        key=st.integers(0, 30),
        invoiced_on=st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
        amount=amounts,
        excepted=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda i: i.key,
)
payments = st.lists(st.builds(PaidItem, amount=amounts, invoice=st.none() | st.integers(0, 30)), max_size=8)


def test_the_docstring_example_R_AR_1():
    assert doctest.testmod(engine).failed == 0


def test_bucket_edges_R_AR_1():
    assert [bucket_of(d) for d in (-3, 0, 30, 31, 60, 61, 90, 91, 400)] == [0, 0, 0, 1, 1, 2, 2, 3, 3]


@given(invoices, payments)
def test_buckets_partition_the_outstanding_amount_R_AR_1(items, paid):
    result = age(items, paid, TODAY)
    assert sum(result.buckets, D(0)) == result.outstanding == sum(result.open_by_invoice.values(), D(0))
    invoiced, settled = sum((i.amount for i in items), D(0)), sum((p.amount for p in paid), D(0))
    assert result.outstanding - result.unapplied == invoiced - settled
    assert result.outstanding >= 0 and result.unapplied >= 0
    assert not (result.outstanding and result.unapplied)  # a credit balance only once all is paid
    assert 0 <= result.over_target <= result.buckets[3]


@given(invoices, payments, amounts, st.none() | st.integers(0, 30))
def test_a_payment_never_increases_what_is_owed_R_AR_1(items, paid, extra, allocated_to):
    before = age(items, paid, TODAY)
    after = age(items, [*paid, PaidItem(extra, allocated_to)], TODAY)
    assert after.outstanding <= before.outstanding
    assert all(a <= b for a, b in zip(after.buckets, before.buckets, strict=True))
    assert all(after.open_by_invoice.get(k, 0) <= v for k, v in before.open_by_invoice.items())


def test_unallocated_payments_settle_the_oldest_first_R_AR_1():
    items = [OpenItem("old", dt.date(2026, 6, 1), D("100")), OpenItem("new", dt.date(2026, 11, 20), D("100"))]
    result = age(items, [PaidItem(D("120"))], TODAY)
    assert result.open_by_invoice == {"new": D("80")}
    assert result.buckets == (D("80"), 0, 0, 0)


def test_an_allocated_payment_settles_its_invoice_and_the_rest_goes_oldest_first_R_AR_1():
    items = [OpenItem("old", dt.date(2026, 6, 1), D("100")), OpenItem("new", dt.date(2026, 11, 20), D("100"))]
    result = age(items, [PaidItem(D("150"), "new")], TODAY)
    assert result.open_by_invoice == {"old": D("50")}
    assert result.over_target == D("50")


def test_new_products_are_excepted_from_the_90_day_target_only_when_the_policy_says_so_R_AR_1():
    items = [
        OpenItem("n", dt.date(2026, 1, 1), D("70"), excepted=True),
        OpenItem("o", dt.date(2026, 1, 2), D("30")),
    ]
    assert age(items, [], TODAY).over_target == D("30")
    assert age(items, [], TODAY, except_new=False).over_target == D("100")
    assert age(items, [], TODAY, target_days=400).over_target == 0


def test_overdue_counts_from_the_due_date():
    items = [OpenItem("a", dt.date(2026, 10, 1), D("10"), due_on=dt.date(2026, 11, 25))]
    result = age(items, [], TODAY)
    assert result.overdue == D("10") and result.max_days_overdue == 6
