"""Demo receivables: invoices for the last six months of orders, payments, credit terms (R-AR-1).

Deterministic (seeded). Each order of the last 180 days is invoiced the day after (due in 30 days);
most invoices are paid around their due date, some in part, recent ones not yet. Two of rep's
customers keep an invoice unpaid for more than 90 days; one of them has approved credit terms below
what it owes (the customer page and a 收款 plan item flag it). One proposal from the market department,
countersigned by finance, waits for the vice-president (``deputy``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from baifang.commerce.models import Order
from baifang.org.models import User
from baifang.receivables import open_amounts, services
from baifang.receivables.models import AgeingPolicy, CreditTerms, Invoice, Payment

DAYS = 180


def populate(today: dt.date) -> str:
    rng = random.Random(20)
    AgeingPolicy.objects.get_or_create(pk=1)
    orders = list(
        Order.objects.filter(ordered_on__gte=today - dt.timedelta(days=DAYS), ordered_on__lt=today)
        .select_related("customer__owner")
        .order_by("customer_id", "ordered_on", "pk")
    )
    invoices = [
        Invoice(
            customer_id=o.customer_id,
            number=f"FP{o.number[2:]}",
            invoiced_on=o.ordered_on + dt.timedelta(days=1),
            due_on=o.ordered_on + dt.timedelta(days=31),
            amount=o.amount,
            order=o,
            fingerprint="demo",
        )
        for o in orders
        if o.amount > 0
    ]
    Invoice.objects.bulk_create(invoices, batch_size=2000)
    owners = {o.customer_id: (o.customer.owner.username if o.customer.owner_id else "") for o in orders}
    # Two of rep's customers leave their oldest invoice unpaid: > 90 days outstanding.
    rep_customers = sorted({i.customer_id for i in invoices if owners.get(i.customer_id) == "rep"})
    debtors = set(rep_customers[:2])
    left_open = set()
    for customer_id in debtors:
        oldest = min((i for i in invoices if i.customer_id == customer_id), key=lambda i: i.invoiced_on)
        left_open.add(oldest.pk)
    payments = []
    for invoice in invoices:
        if invoice.pk in left_open or invoice.due_on > today + dt.timedelta(days=rng.randint(0, 20)):
            continue
        chance = rng.random()
        if chance < 0.03:
            continue  # not paid
        amount = invoice.amount if chance > 0.18 else (invoice.amount / 2).quantize(Decimal("0.01"))
        paid_on = min(invoice.due_on + dt.timedelta(days=rng.randint(-10, 15)), today)
        payments.append(
            Payment(
                customer_id=invoice.customer_id,
                number=f"SK{invoice.number[2:]}",
                paid_on=max(paid_on, invoice.invoiced_on),
                amount=amount,
                invoice=invoice if invoice.customer_id in debtors or rng.random() < 0.7 else None,
                fingerprint="demo",
            )
        )
    Payment.objects.bulk_create(payments, batch_size=2000)
    open_amounts.refresh({i.customer_id for i in invoices})  # bulk inserts skip Model.save
    people = {u.username: u for u in User.objects.filter(username__in=["market", "finance", "deputy"])}
    proposals = 0
    if len(people) == 3 and rep_customers:
        now = timezone.now()
        first = rep_customers[0]
        owed = services.customer_ageing(type(orders[0].customer).objects.get(pk=first), today).outstanding
        approved = CreditTerms.objects.create(
            customer_id=first,
            credit_limit=max((owed / 2).quantize(Decimal("100")), Decimal("1000")),
            term_days=30,
            reason="年度授信（演示）",
            proposed_by=people["market"],
        )
        approved.propose(by=people["market"], comment=approved.reason)
        services.act_on_terms(approved.pk, "countersign", by=people["finance"], comment="同意")
        services.act_on_terms(approved.pk, "approve", by=people["deputy"], comment="同意")
        CreditTerms.objects.filter(pk=approved.pk).update(decided_at=now - dt.timedelta(days=60))
        waiting = CreditTerms.objects.create(
            customer_id=rep_customers[1] if len(rep_customers) > 1 else first,
            credit_limit=Decimal("80000"),
            term_days=45,
            reason="客户扩店，申请提高额度",
            proposed_by=people["market"],
        )
        waiting.propose(by=people["market"], comment=waiting.reason)
        services.act_on_terms(waiting.pk, "countersign", by=people["finance"], comment="回款记录良好")
        proposals = 2
    return (
        f"receivables: {len(invoices):,} invoices, {len(payments):,} payments, "
        f"{proposals} credit proposals (one waiting for the vice-president)"
    )
