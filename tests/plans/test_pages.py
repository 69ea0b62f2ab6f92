"""Plan pages: personas, outsiders refused (R-SEC-1), failed posts change nothing, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baifang.plans import services
from baifang.plans.choices import PlanKind, PlanStatus
from baifang.plans.models import Plan
from tests.conftest import client_for
from tests.factories import CustomerFactory, UserFactory
from tests.plans.territory import DECEMBER, NOW, make_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def december(org, clock):
    make_territory(org)
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    plan.refresh_from_db()
    return plan


def test_rep_sees_the_month_calendar_in_chinese_R_PLAN_1(org, december):
    response = client_for(org.rep).get(december.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    item = december.items.select_related("customer").first()
    assert item.customer.name in body
    assert 'data-day="2026-12-01"' in body  # editable days accept dropped items


def test_manager_and_leader_see_the_plan_read_only_teammate_and_outsider_do_not_R_SEC_1(org, december):
    for person in (org.manager, org.leader):
        response = client_for(person).get(december.get_absolute_url())
        assert response.status_code == 200
        assert "data-move-url" not in response.content.decode()  # draft: only the rep edits
    for person in (org.outsider, org.manager2, org.teammate):
        assert client_for(person).get(december.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "name, data",
    [
        ("plans:generate", {"lock_version": 0}),
        ("plans:submit", {"lock_version": 0}),
        ("plans:reopen", {"lock_version": 0}),
        ("plans:summary", {"summary": "x"}),
        ("plans:item_add", {}),
    ],
)
def test_outsider_cannot_act_on_a_plan_R_SEC_1(org, december, name, data):
    before = (december.items.count(), december.lock_version, december.status)
    response = client_for(org.outsider).post(reverse(name, args=[december.pk]), data)
    assert response.status_code == 404
    december.refresh_from_db()
    assert (december.items.count(), december.lock_version, december.status) == before


def test_outsider_cannot_move_remove_or_decide_R_SEC_1(org, december):
    item = december.items.first()
    client = client_for(org.outsider)
    for url in (
        reverse("plans:item_move", args=[december.pk, item.pk]),
        reverse("plans:item_remove", args=[december.pk, item.pk]),
        reverse("plans:item_edit", args=[december.pk, item.pk]),
        reverse("plans:decide", args=[december.pk, "approve"]),
    ):
        assert (
            client.post(
                url, {"lock_version": december.lock_version, "day": "2026-12-08", "version": 0}
            ).status_code
            == 404
        )
    item.refresh_from_db()
    assert item.plan_id == december.pk


def test_rep_generates_moves_and_submits_through_the_pages_R_PLAN_2(org, december):
    client = client_for(org.rep)
    item = december.items.filter(channel="visit").exclude(day=dt.date(2026, 12, 22)).first()
    url = reverse("plans:item_move", args=[december.pk, item.pk])
    response = client.post(url, {"lock_version": december.lock_version, "day": "2026-12-22"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.day == dt.date(2026, 12, 22)
    # A stale tab: same counter again → refused with a message, nothing changes.
    response = client.post(url, {"lock_version": december.lock_version, "day": "2026-12-23"}, follow=True)
    assert "刷新" in response.content.decode() or "Reload" in response.content.decode()
    item.refresh_from_db()
    assert item.day == dt.date(2026, 12, 22)
    december.refresh_from_db()
    response = client.post(
        reverse("plans:submit", args=[december.pk]), {"lock_version": december.lock_version}
    )
    december.refresh_from_db()
    assert december.status == PlanStatus.SUBMITTED


def test_supervisor_returns_then_approves_through_the_pages_R_PLAN_2(org, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    manager = client_for(org.manager)
    queue = manager.get(reverse("plans:approvals"))
    assert december.get_absolute_url() in queue.content.decode()
    page = manager.get(december.get_absolute_url())
    assert 'data-testid="approve"' in page.content.decode()
    manager.post(reverse("plans:decide", args=[december.pk, "return"]), {"version": 1, "comment": ""})
    december.refresh_from_db()
    assert december.status == PlanStatus.SUBMITTED  # a return needs a reason
    manager.post(
        reverse("plans:decide", args=[december.pk, "return"]), {"version": 1, "comment": "请补充收款计划"}
    )
    december.refresh_from_db()
    assert december.status == PlanStatus.RETURNED
    assert "请补充收款计划" in client_for(org.rep).get(december.get_absolute_url()).content.decode()


def test_item_form_refuses_a_holiday_with_a_message_R_PLAN_1(org, december):
    client = client_for(org.rep)
    customer = december.items.first().customer
    count = december.items.count()
    response = client.post(
        reverse("plans:item_add", args=[december.pk]),
        {
            "lock_version": december.lock_version,
            "customer": customer.pk,
            "day": "2026-12-06",
            "channel": "visit",
            "purpose": 1,
            "expected_minutes": 20,
        },
    )
    assert response.status_code == 200
    assert "2026-12-06" in response.content.decode()
    assert december.items.count() == count


def _plans_for(org, n: int) -> None:
    for _i in range(n):
        rep = UserFactory(unit=org.team1, position="field_rep")
        customer = CustomerFactory(owner=rep)
        plan = services.get_or_create_plan(rep, PlanKind.MONTH, DECEMBER)
        services.add_item(
            plan, by=rep, lock_version=plan.lock_version, customer=customer, day=dt.date(2026, 12, 8)
        )
        plan.refresh_from_db()
        services.submit(plan, by=rep, lock_version=plan.lock_version)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["plans:approvals", "plans:report", "plans:index"])
def test_list_pages_do_not_grow_queries_with_rows(org, clock, url_name):
    url = reverse(url_name) + ("?month=2026-12" if url_name == "plans:report" else "")
    _plans_for(org, 2)
    few = _queries(client_for(org.manager), url)
    _plans_for(org, 6)
    many = _queries(client_for(org.manager), url)
    assert many == few


def test_detail_page_queries_do_not_grow_with_items(org, december):
    client = client_for(org.rep)
    few = _queries(client, december.get_absolute_url())
    customers = [i.customer for i in december.items.select_related("customer")[:10]]
    for k, customer in enumerate(customers):
        december.refresh_from_db()
        services.add_item(
            december,
            by=org.rep,
            lock_version=december.lock_version,
            customer=customer,
            day=dt.date(2026, 12, 21 + k % 5),
            channel="phone",
        )
    assert _queries(client, december.get_absolute_url()) == few


def test_report_shows_only_visible_plans_R_SEC_1(org, december):
    other = services.get_or_create_plan(org.outsider, PlanKind.MONTH, DECEMBER)
    body = client_for(org.manager).get(reverse("plans:report") + "?month=2026-12").content.decode()
    assert december.get_absolute_url() in body and other.get_absolute_url() not in body
    body = client_for(org.rep).get(reverse("plans:report") + "?month=2026-12").content.decode()
    assert other.get_absolute_url() not in body


def test_open_creates_only_my_own_plan_and_only_on_post_R_PLAN_3(org, clock):
    client = client_for(org.rep)
    url = reverse("plans:open", args=["month", "2026-12-01"])
    response = client.get(url)  # a GET (or a browser's prefetch) creates nothing
    assert response.status_code == 200 and b'data-testid="create-plan"' in response.content
    assert not Plan.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert Plan.objects.filter(owner=org.rep, kind="month", period_start=DECEMBER).count() == 1
    assert client.get(url).status_code == 302  # now it exists: straight to it
    assert client.get(reverse("plans:open", args=["year", "2026-12-01"])).status_code == 404
    # The calendar's ends are no period (R-UX-1: a 404 page, not a server error).
    for day in ("9999-12-31", "0001-01-01"):
        assert client.get(reverse("plans:open", args=["month", day])).status_code == 404


def test_home_lists_plans_waiting_for_my_approval_only_R_PLAN_2(org, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    url = december.get_absolute_url() + "#approve"
    assert url in client_for(org.manager).get(reverse("home")).content.decode()
    for person in (org.rep, org.outsider, org.manager2):
        assert url not in client_for(person).get(reverse("home")).content.decode()
