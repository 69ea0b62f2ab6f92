"""Receivables fixtures: finance staff and a vice-president beside the shared org, customers with codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from huey.contrib.djhuey import HUEY

from baifang.receivables.models import Invoice, Payment
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings, tmp_path):
    """Queued jobs run in the test (huey's immediate mode: the real task, no worker); uploads in tmp."""
    settings.MEDIA_ROOT = tmp_path
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def finance(org):
    unit = OrgUnitFactory(name="财务部", code="finance", kind="finance", parent=org.company)
    return UserFactory(username="finance", display_name="孙敏", unit=unit, position="finance")


@pytest.fixture
def deputy(org):
    return UserFactory(
        username="deputy", display_name="王副总", unit=org.leadership, position="deputy_leader"
    )


@pytest.fixture
def shops(org):
    """Two customers of the rep (team1) and one of the outsider's department."""
    return {
        "a": CustomerFactory(name="西湖便利店", code="KH100", owner=org.rep),
        "b": CustomerFactory(name="断桥烟酒行", code="KH101", owner=org.rep),
        "far": CustomerFactory(name="外区超市", code="KH900", owner=org.outsider),
    }


def invoice(customer, number, day, amount, *, due=None, new=False) -> Invoice:
    return Invoice.objects.create(
        customer=customer,
        number=number,
        invoiced_on=day,
        due_on=due or day + dt.timedelta(days=30),
        amount=Decimal(amount),
        new_products=new,
        fingerprint="x",
    )


def payment(customer, number, day, amount, invoice=None) -> Payment:
    return Payment.objects.create(
        customer=customer,
        number=number,
        paid_on=day,
        amount=Decimal(amount),
        invoice=invoice,
        fingerprint="x",
    )
