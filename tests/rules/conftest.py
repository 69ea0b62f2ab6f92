"""A seed-001 importance scheme with its visit rules (R-FREQ-2), and helpers to record touches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from baifang.rules.models import VisitRule
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from baifang.visits.models import Touch


@dataclass
class Seed001:
    scheme: ClassificationScheme
    a: Tier
    b: Tier
    c: Tier
    rules: dict


def make_rule(code, scheme, tier, **fields):
    fields.setdefault("valid_from", dt.date(2020, 1, 1))
    return VisitRule.objects.create(code=code, name=code, scheme=scheme, tier=tier, **fields)


@pytest.fixture
def seed001(org):
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    a = Tier.objects.create(scheme=scheme, code="A", name="A类", rank=1, is_important=True)
    b = Tier.objects.create(scheme=scheme, code="B", name="B类", rank=2)
    c = Tier.objects.create(scheme=scheme, code="C", name="C类", rank=3)
    rules = {
        "a_leader_visit": make_rule(
            "a-leader-visit", scheme, a, responsible="leader", channel="visit", period="year", min_count=1
        ),
        "a_leader_call": make_rule(
            "a-leader-call", scheme, a, responsible="leader", channel="phone", period="month", min_count=1
        ),
        "a_mgr_visit": make_rule(
            "a-mgr-visit", scheme, a, responsible="dept_manager", channel="visit", period="year", min_count=2
        ),
        "a_mgr_call": make_rule(
            "a-mgr-call", scheme, a, responsible="dept_manager", channel="phone", period="week", min_count=1
        ),
        "a_rep_visit": make_rule(
            "a-rep-visit", scheme, a, responsible="owner", channel="visit", period="week", min_count=1
        ),
        "b_rep_visit": make_rule(
            "b-rep-visit", scheme, b, responsible="owner", channel="visit", period="month", min_count=1
        ),
        "b_rep_call": make_rule(
            "b-rep-call", scheme, b, responsible="owner", channel="phone", period="month", min_count=1
        ),
        "c_rep_call": make_rule(
            "c-rep-call", scheme, c, responsible="owner", channel="phone", period="month", min_count=1
        ),
    }
    return Seed001(scheme, a, b, c, rules)


def put_in_tier(customer, tier):
    CustomerTier.objects.create(
        customer=customer, scheme=tier.scheme, tier=tier, source="manual", assigned_at=timezone.now()
    )


def touch(customer, user, channel, when: dt.datetime, minutes: int = 20) -> Touch:
    start = timezone.make_aware(when) if timezone.is_naive(when) else when
    return Touch.objects.create(
        customer=customer,
        user=user,
        channel=channel,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=minutes),
    )
