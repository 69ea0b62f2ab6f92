"""Shared fixtures: an org tree and the personas every access test uses (R-ORG-4, R-SEC-1).

company
├── leadership      leader (公司经理)
├── market          market (市场专员)
├── sales1          manager (部门经理)
│   └── team1       rep (owner), teammate
└── sales2          outsider (a rep in another department), manager2
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from baifang.org.models import OrgUnit, User
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory

# Shared CI machines are noisy: a per-example deadline would make property tests flaky, not stricter.
hypothesis_settings.register_profile("baifang", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI (``.ci/run`` sets BAIFANG_CI=1) runs the same examples every time, so a landing never depends on
# the random draw; new examples are searched on every developer run (two CI runs in a row found a
# new counter-example each, see the plan tests), and failures found there are kept as @example.
hypothesis_settings.register_profile(
    "baifang-ci", parent=hypothesis_settings.get_profile("baifang"), derandomize=True
)
hypothesis_settings.load_profile("baifang-ci" if os.environ.get("BAIFANG_CI") else "baifang")


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """API throttles count in the cache; each test starts with none spent (R-SEC-2)."""
    cache.clear()


@dataclass
class Org:
    company: OrgUnit
    leadership: OrgUnit
    market_dept: OrgUnit
    sales1: OrgUnit
    team1: OrgUnit
    sales2: OrgUnit
    rep: User
    teammate: User
    manager: User
    manager2: User
    market: User
    leader: User
    outsider: User
    admin: User


@pytest.fixture
def org(db) -> Org:
    company = OrgUnitFactory(name="公司", code="company", kind="company")
    leadership = OrgUnitFactory(name="公司领导", code="leadership", kind="leadership", parent=company)
    market_dept = OrgUnitFactory(name="市场部", code="market", kind="market", parent=company)
    sales1 = OrgUnitFactory(name="营销一部", code="sales1", kind="field_sales", parent=company)
    team1 = OrgUnitFactory(name="西湖一组", code="team1", kind="field_sales", parent=sales1)
    sales2 = OrgUnitFactory(name="营销二部", code="sales2", kind="field_sales", parent=company)
    admin = UserFactory(username="admin", unit=company, is_superuser=True, is_staff=True, position="admin")
    return Org(
        company=company,
        leadership=leadership,
        market_dept=market_dept,
        sales1=sales1,
        team1=team1,
        sales2=sales2,
        rep=UserFactory(username="rep", display_name="张三", unit=team1, position="field_rep"),
        teammate=UserFactory(username="teammate", display_name="李四", unit=team1, position="field_rep"),
        manager=UserFactory(username="manager", display_name="王经理", unit=sales1, position="dept_manager"),
        manager2=UserFactory(
            username="manager2", display_name="赵经理", unit=sales2, position="dept_manager"
        ),
        market=UserFactory(
            username="market", display_name="市场小陈", unit=market_dept, position="market_staff"
        ),
        leader=UserFactory(username="leader", display_name="刘总", unit=leadership, position="leader"),
        outsider=UserFactory(username="outsider", display_name="外人", unit=sales2, position="field_rep"),
        admin=admin,
    )


@pytest.fixture
def customer(org):
    """A customer owned by ``org.rep`` in team1."""
    return CustomerFactory(name="杭州华联超市", owner=org.rep, phone="13800000001")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
