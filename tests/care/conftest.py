"""Care fixtures: the seed-001 scheme, the seed-001 care rules and a small book of customers (R-CARE-1..3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from baifang.care import services
from baifang.customers.models import Contact, Customer
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from tests.factories import ContactFactory, CustomerFactory

# Mid-autumn 2026 is 25 September (lunar 8/15); National Day 1 October.
MID_AUTUMN = dt.date(2026, 9, 25)


def put_in_tier(customer, tier):
    CustomerTier.objects.create(
        customer=customer, scheme=tier.scheme, tier=tier, source="manual", assigned_at=timezone.now()
    )


@dataclass
class Book:
    scheme: ClassificationScheme
    a: Tier
    b: Tier
    c: Tier
    cust_a: Customer
    cust_b: Customer
    cust_c: Customer
    other: Customer  # the outsider's customer, department 2
    gm_a: Contact  # class I of an A customer
    staff_a: Contact  # class II of an A customer
    gm_b: Contact
    staff_b: Contact
    buyer_c: Contact
    other_gm: Contact


@pytest.fixture
def book(org) -> Book:
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    a = Tier.objects.create(scheme=scheme, code="A", name="A类", rank=1, is_important=True)
    b = Tier.objects.create(scheme=scheme, code="B", name="B类", rank=2)
    c = Tier.objects.create(scheme=scheme, code="C", name="C类", rank=3)
    cust_a = CustomerFactory(name="杭州华联超市", owner=org.rep)
    cust_b = CustomerFactory(name="西湖烟酒店", owner=org.rep)
    cust_c = CustomerFactory(name="城西便利店", owner=org.teammate)
    other = CustomerFactory(name="滨江食杂店", owner=org.outsider)
    for customer, tier in ((cust_a, a), (cust_b, b), (cust_c, c), (other, a)):
        put_in_tier(customer, tier)
    contact = ContactFactory
    made = Book(
        scheme,
        a,
        b,
        c,
        cust_a,
        cust_b,
        cust_c,
        other,
        gm_a=contact(
            customer=cust_a,
            name="王建国",
            title="总经理",
            audience_class="I",
            mobile="13900000001",
            birthday=dt.date(1970, 9, 27),
        ),
        staff_a=contact(
            customer=cust_a, name="陈采购", title="采购主管", audience_class="II", mobile="13900000002"
        ),
        gm_b=contact(
            customer=cust_b, name="李老板", title="总经理", audience_class="I", mobile="13900000003"
        ),
        staff_b=contact(
            customer=cust_b, name="赵店长", title="店长", audience_class="II", mobile="13900000004"
        ),
        buyer_c=contact(
            customer=cust_c, name="孙经理", title="经理", audience_class="III", mobile="13900000005"
        ),
        other_gm=contact(
            customer=other, name="周总", title="总经理", audience_class="I", mobile="13900000006"
        ),
    )
    services.load_seed()
    return made
