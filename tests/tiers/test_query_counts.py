"""No N+1 on the classification and obligation API lists and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baifang.presets import loader
from baifang.rules.services import raise_special_visit
from baifang.tiers import screening, services
from baifang.tiers.models import ClassificationScheme, ScreeningChecklist, Tier
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.rules.conftest import touch


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def world(org):
    loader.load("distribution")
    loader.load("pharma-channel")
    return org


def _add(org, n):
    scheme = ClassificationScheme.objects.get(code="importance")
    checklist = ScreeningChecklist.objects.get()
    for i in range(n):
        c = CustomerFactory(owner=org.rep if i % 2 else org.teammate)
        services.override_tier(
            c, Tier.objects.get(scheme=scheme, code="ABC"[i % 3]), by=org.market, reason="批量"
        )
        raise_special_visit(c, trigger="customer_request", by=org.rep)
        screening.start(c, checklist, by=org.rep)
        touch(c, c.owner, "visit", dt.datetime.now())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customer-tiers/",
        "/api/v1/tier-changes/",
        "/api/v1/special-visits/",
        "/api/v1/visit-rules/",
        "/api/v1/screenings/",
        "/api/v1/schemes/",
        "/api/v1/obligations/",
        "/api/v1/compliance/",
        "/api/v1/region-limits/",
    ],
)
def test_api_lists(world, url):
    client = api_for(world.manager)
    _add(world, 2)
    few = _count(client, url)
    _add(world, 6)
    assert _count(client, url) == few


@pytest.mark.parametrize("url", ["/obligations/", "/obligations/matrix/", "/tiers/", "/tiers/screenings/"])
def test_pages(world, url):
    client = client_for(world.manager)
    _add(world, 2)
    few = _count(client, url)
    _add(world, 6)
    assert _count(client, url) == few
