"""Plan test fixtures: the clock on 2026-11-20, the West Lake territory, its generated December plan."""

from __future__ import annotations

import pytest
import time_machine

from baifang.plans import services
from baifang.plans.choices import PlanKind
from tests.plans.territory import DECEMBER, NOW, make_territory


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def territory(org, clock):
    return make_territory(org)


@pytest.fixture
def december(org, territory):
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    plan.refresh_from_db()
    return plan
