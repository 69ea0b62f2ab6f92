"""Receivables feed the tier criteria (R-TIER-2, R-AR-1): 逾期天数 is computed from the invoices."""

from __future__ import annotations

import datetime as dt

from baifang.customers.models import Customer
from baifang.tiers.facts import customer_facts
from baifang.tiers.models import ClassificationScheme, Tier
from baifang.tiers.services import rate_customers
from tests.receivables.conftest import invoice, payment

TODAY = dt.date(2026, 11, 30)


def test_overdue_days_come_from_the_open_invoices_R_TIER_2(shops):
    """a: an invoice due 40 days ago still half open → 40; b: invoiced and paid → 0; far: no invoices,
    so the fact is empty (None) and a criterion on it cannot hold."""
    old = invoice(shops["a"], "F1", TODAY - dt.timedelta(days=70), "1000")  # due 40 days ago
    payment(shops["a"], "P1", TODAY - dt.timedelta(days=10), "500", old)
    paid = invoice(shops["b"], "F2", TODAY - dt.timedelta(days=20), "800")
    payment(shops["b"], "P2", TODAY - dt.timedelta(days=5), "800", paid)
    customers = Customer.objects.filter(pk__in=[s.pk for s in shops.values()])
    facts = customer_facts(customers, TODAY)
    assert facts[shops["a"].pk]["overdue_days"] == 40
    assert facts[shops["b"].pk]["overdue_days"] == 0
    assert facts[shops["far"].pk]["overdue_days"] is None

    scheme = ClassificationScheme.objects.create(code="credit", name="信用")
    Tier.objects.create(scheme=scheme, code="bad", name="逾期", rank=1, criteria="逾期天数 > 30")
    Tier.objects.create(scheme=scheme, code="ok", name="正常", rank=2, criteria="")
    rated = {r.customer_id: r.tier.code for r in rate_customers(scheme, customers, TODAY)}
    assert rated == {shops["a"].pk: "bad", shops["b"].pk: "ok", shops["far"].pk: "ok"}
