"""Complaint fixtures: the customer-service desk, a quality department, a complaint in each state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from baifang.complaints import services
from baifang.complaints.defaults import ensure_default_categories
from baifang.complaints.models import Complaint, ComplaintCategory
from baifang.org.models import OrgUnit, User
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _categories(db):
    """The shipped categories (a transactional test elsewhere may have flushed migration 0002's rows)."""
    ensure_default_categories()


@dataclass
class Desk:
    cs_unit: OrgUnit
    quality: OrgUnit
    cs: User  # customer-service assistant: complaints company-wide
    inspector: User  # a member of the quality department (technical inspection)
    quality_head: User  # the quality department's manager


@pytest.fixture
def desk(org) -> Desk:
    cs_unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    quality = OrgUnitFactory(name="技术质检部", code="quality", kind="other", parent=org.company)
    return Desk(
        cs_unit=cs_unit,
        quality=quality,
        cs=UserFactory(username="cs", display_name="客服小赵", unit=cs_unit, position="cs_assistant"),
        inspector=UserFactory(
            username="inspector", display_name="质检小钱", unit=quality, position="field_rep"
        ),
        quality_head=UserFactory(
            username="quality_head", display_name="质检孙经理", unit=quality, position="dept_manager"
        ),
    )


def category(code: str) -> ComplaintCategory:
    return ComplaintCategory.objects.get(code=code)


def intake(customer, *, code="service", subject="送货晚了三天", **extra) -> services.Intake:
    return services.Intake(
        customer=customer,
        channel=extra.pop("channel", "phone"),
        category=category(code),
        subject=subject,
        description=extra.pop("description", "客户来电：上周订的货晚了三天才到。"),
        **extra,
    )


def receive(customer, by, **extra) -> Complaint:
    return services.receive(intake(customer, **extra), by=by)


# The steps and the arguments that make each one succeed.
STEP_ARGS = {
    "investigate": lambda org: {"findings": "物流排班失误，确认晚到三天。"},
    "find_valid": lambda org: {
        "responsible_unit": org.sales1,
        "responsible_person": org.rep,
        "customer_told": "已电话告知客户调查结果并致歉。",
        "compensation_due": True,
        "compensation_amount": 200,
    },
    "find_not_valid": lambda org: {"explanation": "经核实送货准时，已向客户解释。"},
    "rectify": lambda org: {"rectification": "调整排班，增加一辆配送车。"},
    "recheck": lambda org: {"record": "两周内送货全部准时，整改有效。"},
    "ask_satisfaction": lambda org: {"satisfaction": "satisfied", "note": "客户表示满意"},
    "close": lambda org: {"comment": ""},
}

VALID_PATH = ["investigate", "find_valid", "rectify", "recheck", "ask_satisfaction", "close"]
NOT_VALID_PATH = ["investigate", "find_not_valid", "ask_satisfaction", "close"]


def walk(complaint, org, steps, *, by=None) -> Complaint:
    for step in steps:
        complaint = services.advance(complaint, step, by=by or complaint.owner, **STEP_ARGS[step](org))
    return complaint


@pytest.fixture
def customer(org):
    return CustomerFactory(name="杭州华联超市", owner=org.rep, phone="13800000001")


@pytest.fixture
def other_customer(org):
    """A customer of the other department: the rep cannot see it."""
    return CustomerFactory(name="宁波三江超市", owner=org.outsider, phone="13800000002")
