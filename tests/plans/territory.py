"""A small territory for plan tests: rep's customers around West Lake under seed-001 style rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from baifang.rules.models import VisitRule
from baifang.tiers.models import ClassificationScheme, Tier
from tests.factories import CustomerFactory
from tests.rules.conftest import put_in_tier

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-11-20, 10:00 in Hangzhou: December's plan is being drafted.
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
DECEMBER = dt.date(2026, 12, 1)


@dataclass
class Territory:
    a_customers: list
    b_customers: list
    c_customers: list
    rules: dict

    @property
    def customers(self) -> list:
        return [*self.a_customers, *self.b_customers, *self.c_customers]


def _rule(code, scheme, tier, **fields):
    fields.setdefault("valid_from", dt.date(2020, 1, 1))
    return VisitRule.objects.create(code=code, name=code, scheme=scheme, tier=tier, **fields)


def make_territory(org, *, a=2, b=4, c=3) -> Territory:
    """A: weekly visit; B: monthly visit + monthly call; C: monthly call (R-FREQ-2, seed 001)."""
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    tiers = {
        code: Tier.objects.create(scheme=scheme, code=code, name=f"{code}类", rank=rank)
        for rank, code in enumerate("ABC", start=1)
    }
    rules = {
        "a_visit": _rule("a-visit", scheme, tiers["A"], channel="visit", period="week", min_count=1),
        "b_visit": _rule("b-visit", scheme, tiers["B"], channel="visit", period="month", min_count=1),
        "b_call": _rule("b-call", scheme, tiers["B"], channel="phone", period="month", min_count=1),
        "c_call": _rule("c-call", scheme, tiers["C"], channel="phone", period="month", min_count=1),
    }
    groups = {}
    n = 0
    for code, count in (("A", a), ("B", b), ("C", c)):
        groups[code] = []
        for _i in range(count):
            n += 1
            customer = CustomerFactory(
                name=f"{code}级客户{n}",
                owner=org.rep,
                latitude=Decimal("30.2590") + Decimal(n) / 1000,
                longitude=Decimal("120.1490") + Decimal(n % 4) / 1000,
                coordinate_system="GCJ02",
            )
            put_in_tier(customer, tiers[code])
            groups[code].append(customer)
    return Territory(groups["A"], groups["B"], groups["C"], rules)
