"""An exceeded credit limit is flagged on a plan item whose purpose is 收款 (R-AR-1), before the visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baifang.plans import services as plan_services
from baifang.plans.choices import PlanKind
from baifang.plans.models import PlanItem, PlanPurpose
from baifang.receivables.models import CreditTerms
from tests.conftest import client_for
from tests.receivables.conftest import invoice

pytestmark = pytest.mark.django_db


def test_a_collection_item_on_a_customer_over_its_limit_is_flagged_R_AR_1(org, shops):
    today = timezone.localdate()
    invoice(shops["a"], "FP1", today - dt.timedelta(days=40), "5000")
    invoice(shops["b"], "FP2", today - dt.timedelta(days=40), "5000")
    for shop in (shops["a"], shops["b"]):
        CreditTerms.objects.create(
            customer=shop,
            credit_limit=1000,
            term_days=30,
            status="approved",
            proposed_by=org.market,
            decided_at=timezone.now(),
        )
    collect = PlanPurpose.objects.get(code="collect")
    other = PlanPurpose.objects.exclude(code="collect").first()
    plan = plan_services.get_or_create_plan(org.rep, PlanKind.MONTH, today.replace(day=1))
    flagged = PlanItem.objects.create(plan=plan, customer=shops["a"], day=today, purpose=collect)
    PlanItem.objects.create(plan=plan, customer=shops["b"], day=today, purpose=other)  # not 收款: no flag
    page = client_for(org.rep).get(plan.get_absolute_url()).content.decode()
    assert page.count("credit-exceeded") == 1
    form = client_for(org.rep).get(f"/plans/{plan.pk}/items/{flagged.pk}/").content.decode()
    assert "banner banner-warn" in form
