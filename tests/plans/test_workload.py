"""The rep's weekly call load by area (R-ROUTE-3) and channel width flag (R-ROUTE-4) on the month plan.

The West Lake territory (tests/plans/territory.py): 2 A customers visited weekly, 4 B customers
visited and called monthly, 3 C customers called monthly; a month is 52/12 weeks.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baifang.plans.models import PlanPolicy
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.rules.conftest import put_in_tier

pytestmark = pytest.mark.django_db

MONTH_WEEKS = 52 / 12


def _url(plan) -> str:
    return f"/api/v1/plans/{plan.pk}/call-load/"


def test_call_load_counts_the_reps_frequencies_by_area_R_ROUTE_3(org, december):
    data = api_for(org.rep).get(_url(december)).json()
    assert data["calls_per_week"] == pytest.approx(7 / MONTH_WEEKS)  # B and C: one call a month each
    assert data["calls_per_day"] == pytest.approx(7 / MONTH_WEEKS / 5)  # five visit days a week
    assert data["call_minutes_per_week"] == pytest.approx(7 / MONTH_WEEKS * 5)  # 5 minutes a call
    assert data["visits_needed_per_week"] == pytest.approx(2 + 4 / MONTH_WEEKS)
    areas = data["areas"]
    assert sum(a["customers"] for a in areas) == 9  # every located customer is in one area
    assert sum(a["calls_per_week"] for a in areas) == pytest.approx(data["calls_per_week"], abs=0.01)
    assert sum(a["visits_needed_per_week"] for a in areas) == pytest.approx(data["visits_needed_per_week"])
    planned = december.items.filter(channel__in=("visit", "invited")).count() / (31 / 7)
    assert data["visits_planned_per_week"] == pytest.approx(planned)
    assert sum(a["visits_planned_per_week"] for a in areas) == pytest.approx(planned)
    assert data["channel_width"]["actual"] == 9
    assert data["channel_width"]["exceeded"] is False


def test_rep_over_the_channel_width_is_flagged_on_the_plan_page_and_api_R_ROUTE_4(org, december):
    # 1 visit a day on 5 days, half reserved: 2.5 visits a week for 2 + 4/4.33 needed by 9 customers.
    PlanPolicy.objects.create(unit=org.rep.unit, max_visits_per_day=1, reserve_percent=50)
    width = api_for(org.rep).get(_url(december)).json()["channel_width"]
    assert width["exceeded"] is True and width["binding"] == "visits"
    assert width["cap"] == int(2.5 / ((2 + 4 / MONTH_WEEKS) / 9))  # 7
    body = client_for(org.rep).get(december.get_absolute_url()).content.decode()
    assert 'id="call-load"' in body and 'data-flag="channel-width"' in body
    assert body.count("data-area=") == len(api_for(org.rep).get(_url(december)).json()["areas"])


def test_within_the_channel_width_no_flag_R_ROUTE_4(org, december):
    body = client_for(org.rep).get(december.get_absolute_url()).content.decode()
    assert 'id="call-load"' in body and 'data-flag="channel-width"' not in body


def test_call_load_is_the_plans_audience_only_R_SEC_1(org, december):
    assert api_for(org.manager).get(_url(december)).status_code == 200
    for person in (org.outsider, org.teammate, org.manager2):
        assert api_for(person).get(_url(december)).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_call_load_queries_do_not_grow_with_customers_R_ROUTE_3(org, december, territory):
    api, page = api_for(org.rep), client_for(org.rep)
    _queries(api, _url(december)), _queries(page, december.get_absolute_url())  # warm the caches
    few = _queries(api, _url(december)), _queries(page, december.get_absolute_url())
    tier = territory.rules["a_visit"].tier
    for k in range(6):
        put_in_tier(CustomerFactory(owner=org.rep, latitude=30.27 + k / 100, longitude=120.15), tier)
    assert (_queries(api, _url(december)), _queries(page, december.get_absolute_url())) == few
    assert api.get(_url(december)).json()["channel_width"]["actual"] == 15


# --- the channel width on the approval queue (R-ROUTE-4) -------------------------------------------
def _submit(plan):
    from baifang.plans.choices import PlanStatus
    from baifang.plans.models import Plan

    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED, version=1)


def test_the_approval_queue_flags_a_rep_over_the_channel_width_R_ROUTE_4(org, december):
    """R-ROUTE-4: the supervisor sees, on the list of plans to approve, which reps have more customers
    than their channel width allows; the figure is the plan page's."""
    from django.urls import reverse

    from baifang.plans import workload

    PlanPolicy.objects.create(unit=org.rep.unit, max_visits_per_day=1, reserve_percent=50)
    _submit(december)
    body = client_for(org.manager).get(reverse("plans:approvals")).content.decode()
    assert 'data-flag="channel-width"' in body
    listed = workload.channel_widths([december], org.manager)[december.pk]
    assert listed == workload.workload(december).width
    assert (listed.exceeded, listed.actual, listed.cap) == (True, 9, int(2.5 / ((2 + 4 / MONTH_WEEKS) / 9)))


def test_the_approval_queue_shows_no_flag_within_the_channel_width_R_ROUTE_4(org, december):
    from django.urls import reverse

    from baifang.plans import workload

    _submit(december)
    body = client_for(org.manager).get(reverse("plans:approvals")).content.decode()
    assert 'data-flag="channel-width"' not in body and "9/" in body  # 9 customers of a larger cap
    assert workload.channel_widths([december], org.manager)[december.pk] == workload.workload(december).width


def test_the_approval_queues_channel_width_queries_do_not_grow_with_plans_R_ROUTE_4(org, december, territory):
    """R-ROUTE-4: more plans, reps and customers on the queue cost no more queries."""
    from django.urls import reverse

    from baifang.plans import services
    from baifang.plans.choices import PlanKind

    _submit(december)
    page = client_for(org.manager)
    url = reverse("plans:approvals")
    _queries(page, url)  # warm the caches
    few = _queries(page, url)
    tier = territory.rules["a_visit"].tier
    for k in range(4):
        put_in_tier(CustomerFactory(owner=org.rep, latitude=30.27 + k / 100, longitude=120.15), tier)
        put_in_tier(CustomerFactory(owner=org.teammate, latitude=30.28 + k / 100, longitude=120.16), tier)
    _submit(services.get_or_create_plan(org.teammate, PlanKind.MONTH, december.period_start))
    body = page.get(url).content.decode()
    assert body.count('class="channel-width') == 2
    assert _queries(page, url) == few
