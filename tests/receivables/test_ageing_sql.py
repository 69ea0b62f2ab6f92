"""ageing_sql: the company report's one statement gives the engine's answer (R-AR-1, R-SCALE-1).

The engine (``receivables.engine.age``) is the written rule; the SQL is its set-based twin. They are
held equal on generated invoices and payments, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.receivables import ageing_sql, engine, services
from baifang.receivables.models import AgeingPolicy, Invoice, Payment
from tests.receivables.conftest import invoice, payment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)

amounts = st.integers(1, 50_000).map(lambda cents: Decimal(cents) / 100)
invoices = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(-200, 10), amounts, st.integers(0, 60), st.booleans()),
    max_size=8,
)
# A payment: customer, days before today (some after it), amount, which invoice (index) or none.
payments = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(-150, 5), amounts, st.one_of(st.none(), st.integers(0, 7))),
    max_size=8,
)


def _engine_view(shops, today, policy):
    out = {}
    for shop in shops.values():
        items = [
            engine.OpenItem(i.pk, i.invoiced_on, i.amount, due_on=i.due_on, excepted=i.new_products)
            for i in Invoice.objects.filter(customer=shop, invoiced_on__lte=today)
        ]
        paid = [
            engine.PaidItem(p.amount, p.invoice_id)
            for p in Payment.objects.filter(customer=shop, paid_on__lte=today)
        ]
        a = engine.age(
            items, paid, today, target_days=policy.target_days, except_new=policy.except_new_products
        )
        if a.has_debt:
            out[shop.pk] = a
    return out


def _same(sql: engine.Ageing, ref: engine.Ageing):
    assert sql.buckets == ref.buckets
    assert sql.outstanding == ref.outstanding
    assert sql.over_target == ref.over_target
    assert sql.overdue == ref.overdue
    assert sql.oldest_days == ref.oldest_days
    assert sql.max_days_overdue == ref.max_days_overdue


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invoices=invoices, payments=payments, except_new=st.booleans(), target=st.sampled_from([30, 90]))
def test_r_ar_1_sql_ageing_equals_the_engine(shops, invoices, payments, except_new, target):
    with transaction.atomic():
        policy = AgeingPolicy.current()
        policy.except_new_products, policy.target_days = except_new, target
        made = []
        for n, (who, back, amount, term, new) in enumerate(invoices):
            day = TODAY - dt.timedelta(days=back)
            made.append(invoice(shops[who], f"F{n}", day, amount, due=day + dt.timedelta(days=term), new=new))
        for n, (who, back, amount, index) in enumerate(payments):
            target_invoice = made[index] if index is not None and index < len(made) else None
            payment(shops[who], f"S{n}", TODAY - dt.timedelta(days=back), amount, target_invoice)
        two = {k: shops[k] for k in "ab"}
        ours = ageing_sql.ageing_of(None, TODAY, policy)
        reference = _engine_view(two, TODAY, policy)
        assert set(ours) == set(reference)
        for pk, ref in reference.items():
            _same(ours[pk], ref)
        transaction.set_rollback(True)


def test_r_ar_1_fifo_example_by_hand(shops):
    """The engine's docstring example: 30 paid unallocated settles the older invoice first."""
    invoice(shops["a"], "F1", dt.date(2026, 1, 1), "100")
    invoice(shops["a"], "F2", dt.date(2026, 3, 20), "50")
    payment(shops["a"], "S1", dt.date(2026, 4, 1), "30")
    a = ageing_sql.ageing_of(None, dt.date(2026, 4, 10))[shops["a"].pk]
    assert a.buckets == (Decimal("50"), Decimal("0"), Decimal("0"), Decimal("70"))
    assert a.over_target == Decimal("70")


def test_r_ar_1_sql_ageing_limits_to_the_customers_asked(shops, org):
    invoice(shops["a"], "F1", TODAY - dt.timedelta(days=10), "100")
    invoice(shops["far"], "F2", TODAY - dt.timedelta(days=10), "80")
    scope = Invoice.objects.visible_to(org.rep).values("customer_id").query.sql_with_params()
    assert set(ageing_sql.ageing_of(scope, TODAY)) == {shops["a"].pk}
    report = services.ageing_report(org.rep, TODAY)
    assert [row.customer for row in report.rows] == [shops["a"]]
    assert report.outstanding == Decimal("100")
