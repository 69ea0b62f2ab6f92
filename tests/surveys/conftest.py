from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baifang.surveys.models import SurveyCampaign, SurveyTemplate
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _shipped_templates(db):
    """The migration ships the templates; a transactional test elsewhere may have flushed them."""
    from baifang.surveys.presets import load_templates

    load_templates()


@pytest.fixture
def cs(org):
    """A customer-service assistant in the customer-service department: runs surveys company-wide."""
    unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    return UserFactory(username="cs", display_name="客服小周", unit=unit, position="cs_assistant")


@pytest.fixture
def owner_template(db) -> SurveyTemplate:
    return SurveyTemplate.objects.get(code="property-owner")


@pytest.fixture
def households(org):
    """Four households: three of the rep's in 永辉楼, one of the outsider's elsewhere."""
    mine = [
        CustomerFactory(
            name=f"永辉楼{n}01室", customer_type="household", owner=org.rep, registered_address=f"永辉楼{n}01"
        )
        for n in range(1, 4)
    ]
    other = CustomerFactory(
        name="永富楼101室", customer_type="household", owner=org.outsider, district="上城区"
    )
    return [*mine, other]


@pytest.fixture
def campaign(cs, owner_template) -> SurveyCampaign:
    today = timezone.localdate()
    return SurveyCampaign.objects.create(
        template=owner_template,
        title="2026 年下半年业主意见调查",
        owner=cs,
        starts_on=today,
        ends_on=today + dt.timedelta(days=20),
    )


@pytest.fixture
def running(campaign, cs, households):
    from baifang.surveys import services

    services.add_recipients(campaign, households, by=cs)
    campaign.start(by=cs)
    return campaign
