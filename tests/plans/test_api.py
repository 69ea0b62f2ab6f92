"""Plan API: scope (R-SEC-1), items (R-PLAN-1), approval with versions and locking (R-PLAN-2), periods (R-PLAN-3).

The rep's supervisor is the department manager (team1 has none of its own). The clock stands on
Friday 2026-11-20, so the December plan is due on Monday 2026-11-30.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from baifang.core.choices import AuditAction
from baifang.core.models import AuditLog
from baifang.org.models import User
from baifang.plans import services
from baifang.plans.choices import PlanKind, PlanStatus
from baifang.plans.models import Plan, PlanItem, PlanStatusChange
from baifang.tiers.models import ClassificationScheme, Tier
from tests.conftest import api_for
from tests.factories import CustomerFactory
from tests.rules.conftest import make_rule, put_in_tier, touch

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
PLANS = "/api/v1/plans/"
ITEMS = "/api/v1/plan-items/"
DEC = "2026-12-01"
WED = "2026-12-02"  # a working day in the December plan
THU = "2026-12-03"
SAT = "2026-12-05"  # not a working day


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shops(org):
    return [CustomerFactory(name=f"门店{i}", owner=org.rep) for i in range(3)]


@pytest.fixture
def plan(org):
    """The rep's December plan, an empty draft."""
    return services.get_or_create_plan(org.rep, PlanKind.MONTH, dt.date(2026, 12, 1))


def lock(plan: Plan) -> int:
    return Plan.objects.get(pk=plan.pk).lock_version


def add(api, plan, customer, day=WED, **fields):
    body = {"plan": plan.pk, "lock_version": lock(plan), "customer": customer.pk, "day": day, **fields}
    return api.post(ITEMS, body, format="json")


def errors_on(response) -> set:
    return {e["attr"] for e in response.json()["errors"]}


# --- creating and reading ------------------------------------------------------------------------
def test_post_plans_gets_or_creates_the_callers_plan_r_plan_3(org):
    api = api_for(org.rep)
    first = api.post(PLANS, {"kind": "month", "date": "2026-12-15"}, format="json")
    again = api.post(PLANS, {"kind": "month", "date": DEC}, format="json")
    assert first.status_code == 201 and again.status_code == 200
    body = first.json()
    assert again.json()["id"] == body["id"]
    assert (body["period_start"], body["period_end"], body["deadline"]) == (
        "2026-12-01",
        "2026-12-31",
        "2026-11-30",
    )
    assert body["owner"] == org.rep.pk and body["status"] == "draft" and body["items"] == []
    assert body["can_edit"] is True and body["can_approve"] is False
    week = api.post(PLANS, {"kind": "week", "date": WED}, format="json").json()
    assert (week["period_start"], week["period_end"], week["parent"]) == ("2026-11-30", "2026-12-06", None)


def test_post_plans_rejects_a_bad_kind(org):
    response = api_for(org.rep).post(PLANS, {"kind": "year", "date": DEC}, format="json")
    assert response.status_code == 400 and errors_on(response) == {"kind"}
    assert not Plan.objects.exists()


def test_detail_has_items_unplanned_history_and_versions(org, shops, plan):
    api = api_for(org.rep)
    add(api, plan, shops[0], purpose=1)
    response = api.get(f"{PLANS}{plan.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {"items", "unplanned", "status_changes", "lock_version", "version", "deadline", "is_late"} <= set(
        body
    )
    assert [i["customer_name"] for i in body["items"]] == ["门店0"]
    assert body["lock_version"] == lock(plan) and body["version"] == 0


# --- R-SEC-1: scope ------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["outsider", "teammate", "manager2"])
def test_r_sec_1_plans_outside_scope_are_404_everywhere(org, shops, plan, persona):
    PlanItem.objects.create(plan=plan, customer=shops[0], day=dt.date(2026, 12, 2))
    before = (lock(plan), PlanItem.objects.count(), Plan.objects.get(pk=plan.pk).status)
    api = api_for(getattr(org, persona))
    base = f"{PLANS}{plan.pk}/"
    assert api.get(base).status_code == 404
    assert api.get(base + "diff/").status_code == 404
    assert api.get(base + "actuals/").status_code == 404
    for path, body in [
        ("generate/", {"lock_version": before[0]}),
        ("submit/", {"lock_version": before[0]}),
        ("approve/", {"version": 1}),
        ("return/", {"version": 1, "reason": "no"}),
        ("reopen/", {"lock_version": before[0]}),
    ]:
        assert api.post(base + path, body, format="json").status_code == 404, path
    assert api.get(PLANS).json()["count"] == 0
    assert api.get(PLANS + "approvals/").json()["count"] == 0
    assert api.get(PLANS, {"owner": org.rep.pk}).status_code == 400  # not a valid choice for them
    assert (lock(plan), PlanItem.objects.count(), Plan.objects.get(pk=plan.pk).status) == before


@pytest.mark.parametrize("persona", ["outsider", "teammate"])
def test_r_sec_1_plan_items_outside_scope_are_404(org, shops, plan, persona):
    item = PlanItem.objects.create(plan=plan, customer=shops[0], day=dt.date(2026, 12, 2))
    api = api_for(getattr(org, persona))
    url = f"{ITEMS}{item.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"lock_version": lock(plan), "agenda": "x"}, format="json").status_code == 404
    assert api.delete(url, {"lock_version": lock(plan)}, format="json").status_code == 404
    assert add(api, plan, shops[1]).status_code in (400, 404)  # the rep's customer is not theirs either
    own = CustomerFactory(owner=getattr(org, persona))
    assert add(api, plan, own).status_code == 404
    assert api.get(ITEMS).json()["count"] == 0
    assert api.get(ITEMS, {"plan": plan.pk}).json()["count"] == 0
    assert PlanItem.objects.get(pk=item.pk).agenda == "" and PlanItem.objects.count() == 1


def test_r_sec_1_who_sees_the_reps_plan(org, plan):
    for user in (org.rep, org.manager, org.market, org.leader, org.admin):
        assert api_for(user).get(f"{PLANS}{plan.pk}/").status_code == 200, user
    assert api_for(org.manager).get(PLANS).json()["count"] == 1
    assert api_for(org.manager2).get(PLANS).json()["count"] == 0


def test_r_sec_1_seeing_is_not_editing_or_approving(org, shops, plan):
    """Market staff see every plan but neither edit nor approve it; a rep never approves their own (403)."""
    market = api_for(org.market)
    assert add(market, plan, shops[0]).status_code == 403
    assert (
        market.post(f"{PLANS}{plan.pk}/generate/", {"lock_version": lock(plan)}, format="json").status_code
        == 403
    )
    add(api_for(org.rep), plan, shops[0])
    rep = api_for(org.rep)
    assert (
        rep.post(f"{PLANS}{plan.pk}/submit/", {"lock_version": lock(plan)}, format="json").status_code == 200
    )
    assert (
        market.post(f"{PLANS}{plan.pk}/submit/", {"lock_version": lock(plan)}, format="json").status_code
        == 403
    )
    assert market.post(f"{PLANS}{plan.pk}/approve/", {"version": 1}, format="json").status_code == 403
    assert rep.post(f"{PLANS}{plan.pk}/approve/", {"version": 1}, format="json").status_code == 403
    assert (
        rep.post(f"{PLANS}{plan.pk}/return/", {"version": 1, "reason": "x"}, format="json").status_code == 403
    )
    item = PlanItem.objects.get(plan=plan)
    # A submitted plan is the approver's to edit, no longer the rep's (R-PLAN-2).
    assert (
        rep.patch(
            f"{ITEMS}{item.pk}/", {"lock_version": lock(plan), "agenda": "x"}, format="json"
        ).status_code
        == 403
    )
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert PlanStatusChange.objects.filter(plan=plan).count() == 1


def test_r_sec_1_refine_only_makes_the_callers_own_plans(org, shops, plan):
    PlanItem.objects.create(plan=plan, customer=shops[0], day=dt.date(2026, 12, 2))
    response = api_for(org.outsider).post(PLANS + "refine/", {"kind": "week", "date": WED}, format="json")
    # The outsider has no month plan to refine: nothing of the rep's is copied or revealed.
    assert response.status_code == 400
    assert not Plan.objects.filter(owner=org.outsider, kind="week").exclude(items=None).exists()


# --- R-PLAN-1: items -----------------------------------------------------------------------------
def test_r_plan_1_item_states_every_field(org, shops, plan):
    before = lock(plan)
    response = add(
        api_for(org.rep),
        plan,
        shops[0],
        start_time="09:30",
        end_time="10:15",
        channel="visit",
        purpose=2,
        place="店内",
        expected_minutes=45,
        expected_outcome="新品上架",
        participants="张三, 王经理",
        agenda="介绍新品",
        materials="样品",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["purpose_code"] == "sell" and body["source"] == "manual" and body["sequence"] == 1
    assert (body["start_time"], body["end_time"], body["place"], body["materials"]) == (
        "09:30:00",
        "10:15:00",
        "店内",
        "样品",
    )
    assert lock(plan) == before + 1


@pytest.mark.parametrize(
    ("fields", "attr"),
    [
        ({"day": "2027-01-04"}, "day"),  # outside the plan
        ({"day": SAT}, "day"),  # not a working day
        ({"start_time": "10:00", "end_time": "09:00"}, "end_time"),
        ({"channel": "pigeon"}, "channel"),
        ({"lock_version": None}, "lock_version"),
    ],
)
def test_r_plan_1_bad_item_is_400_and_changes_nothing(org, shops, plan, fields, attr):
    before = lock(plan)
    response = add(api_for(org.rep), plan, shops[0], **fields)
    assert response.status_code == 400 and attr in errors_on(response), response.json()
    assert not PlanItem.objects.exists() and lock(plan) == before


def test_r_plan_1_customer_must_be_the_reps(org, plan):
    stranger = CustomerFactory(owner=org.outsider)
    teammates = CustomerFactory(owner=org.teammate)
    before = lock(plan)
    for customer in (stranger, teammates):
        response = add(api_for(org.rep), plan, customer)
        assert response.status_code == 400 and errors_on(response) == {"customer"}
    assert not PlanItem.objects.exists() and lock(plan) == before


def test_item_patch_and_delete_go_through_the_plan_lock(org, shops, plan):
    api = api_for(org.rep)
    item = add(api, plan, shops[0], start_time="09:00").json()
    moved = api.patch(f"{ITEMS}{item['id']}/", {"lock_version": lock(plan), "day": THU}, format="json")
    assert moved.status_code == 200 and moved.json()["day"] == THU and moved.json()["start_time"] is None
    bad = api.patch(f"{ITEMS}{item['id']}/", {"lock_version": lock(plan), "day": SAT}, format="json")
    assert bad.status_code == 400 and PlanItem.objects.get(pk=item["id"]).day == dt.date(2026, 12, 3)
    missing = api.patch(f"{ITEMS}{item['id']}/", {"agenda": "x"}, format="json")
    assert missing.status_code == 400 and errors_on(missing) == {"lock_version"}
    assert api.delete(f"{ITEMS}{item['id']}/", format="json").status_code == 400
    stale = api.delete(f"{ITEMS}{item['id']}/", {"lock_version": lock(plan) - 1}, format="json")
    assert stale.status_code == 409 and PlanItem.objects.filter(pk=item["id"]).exists()
    gone = api.delete(f"{ITEMS}{item['id']}/?lock_version={lock(plan)}")
    assert gone.status_code == 204 and not PlanItem.objects.exists()
    assert api.put(f"{ITEMS}{item['id']}/", {}, format="json").status_code == 405


def test_two_concurrent_edits_second_gets_409_and_nothing_changes(org, shops, plan):
    """Optimistic locking: two people loaded the plan at the same lock_version."""
    item = add(api_for(org.rep), plan, shops[0]).json()
    seen = lock(plan)
    first = api_for(org.rep).patch(
        f"{ITEMS}{item['id']}/", {"lock_version": seen, "agenda": "A"}, format="json"
    )
    second = api_for(org.rep).patch(
        f"{ITEMS}{item['id']}/", {"lock_version": seen, "agenda": "B", "day": THU}, format="json"
    )
    assert first.status_code == 200 and second.status_code == 409
    error = second.json()["errors"][0]
    assert error["code"] == "conflict" and error["detail"]
    stored = PlanItem.objects.get(pk=item["id"])
    assert (stored.agenda, stored.day) == ("A", dt.date(2026, 12, 2)) and lock(plan) == seen + 1
    also_stale = add(api_for(org.rep), plan, shops[1], lock_version=seen)
    assert also_stale.status_code == 409 and PlanItem.objects.count() == 1


def test_purposes_are_listed(org):
    response = api_for(org.outsider).get("/api/v1/plan-purposes/")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()][:2] == ["needs", "sell"]


# --- R-PLAN-2: approval --------------------------------------------------------------------------
def test_r_plan_2_approval_flow_return_resubmit_diff_approve(org, shops, plan):
    rep, manager = api_for(org.rep), api_for(org.manager)
    url = f"{PLANS}{plan.pk}/"
    first = add(rep, plan, shops[0]).json()
    add(rep, plan, shops[1], day=THU)
    submitted = rep.post(
        url + "submit/", {"lock_version": lock(plan), "comment": "十二月计划"}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["version"] == 1 and submitted.json()["is_late"] is False
    queue = manager.get(PLANS + "approvals/").json()
    assert [p["id"] for p in queue["results"]] == [plan.pk]
    assert manager.get(url).json()["can_approve"] is True
    first_diff = manager.get(url + "diff/").json()
    assert first_diff["base"] is None and len(first_diff["added"]) == 2

    returned = manager.post(url + "return/", {"version": 1, "reason": "门店0 改到周四"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert api_for(org.manager).get(PLANS + "approvals/").json()["count"] == 0

    moved = rep.patch(f"{ITEMS}{first['id']}/", {"lock_version": lock(plan), "day": THU}, format="json")
    assert moved.status_code == 200
    add(rep, plan, shops[2])
    again = rep.post(url + "submit/", {"lock_version": lock(plan)}, format="json")
    assert again.status_code == 200 and again.json()["version"] == 2

    diff = manager.get(url + "diff/").json()
    assert diff["base"] == 1
    assert [(m["customer"], m["from_day"], m["day"]) for m in diff["moved"]] == [(shops[0].pk, WED, THU)]
    assert [a["customer"] for a in diff["added"]] == [shops[2].pk] and diff["removed"] == []

    stale = manager.post(url + "approve/", {"version": 1}, format="json")
    assert stale.status_code == 409 and Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED

    approved = manager.post(url + "approve/", {"version": 2, "comment": "同意"}, format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["approved_version"], body["approved_by"]) == ("approved", 2, org.manager.pk)
    repeat = manager.post(url + "approve/", {"version": 2, "comment": "again"}, format="json")
    assert repeat.status_code == 200 and repeat.json()["status"] == "approved"
    assert PlanStatusChange.objects.filter(plan=plan, new_status=PlanStatus.APPROVED).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.APPROVE, object_id=str(plan.pk)).count() == 1
    history = [
        (c["old_status"], c["new_status"], c["comment"])
        for c in api_for(org.rep).get(url).json()["status_changes"]
    ]
    assert history == [
        ("draft", "submitted", "十二月计划"),
        ("submitted", "returned", "门店0 改到周四"),
        ("returned", "submitted", ""),
        ("submitted", "approved", "同意"),
    ]
    # Returning an approved plan is stale too: the decision is made.
    assert manager.post(url + "return/", {"version": 2, "reason": "no"}, format="json").status_code == 409


def test_r_plan_2_approved_plan_is_reopened_by_the_rep_only(org, shops, plan):
    rep, manager = api_for(org.rep), api_for(org.manager)
    url = f"{PLANS}{plan.pk}/"
    add(rep, plan, shops[0])
    rep.post(url + "submit/", {"lock_version": lock(plan)}, format="json")
    manager.post(url + "approve/", {"version": 1}, format="json")
    item = PlanItem.objects.get(plan=plan)
    frozen = rep.patch(f"{ITEMS}{item.pk}/", {"lock_version": lock(plan), "agenda": "x"}, format="json")
    assert frozen.status_code == 403
    assert manager.post(url + "reopen/", {"lock_version": lock(plan)}, format="json").status_code == 403
    assert rep.post(url + "reopen/", {"lock_version": lock(plan) - 1}, format="json").status_code == 409
    reopened = rep.post(url + "reopen/", {"lock_version": lock(plan), "reason": "加一家"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
    assert reopened.json()["approved_by"] is None
    assert rep.post(url + "reopen/", {"lock_version": lock(plan)}, format="json").status_code == 400


def test_r_plan_2_bad_decisions_are_400_and_change_nothing(org, shops, plan):
    rep, manager = api_for(org.rep), api_for(org.manager)
    url = f"{PLANS}{plan.pk}/"
    empty = rep.post(url + "submit/", {"lock_version": lock(plan)}, format="json")
    assert empty.status_code == 400 and Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    add(rep, plan, shops[0])
    rep.post(url + "submit/", {"lock_version": lock(plan)}, format="json")
    no_reason = manager.post(url + "return/", {"version": 1, "reason": ""}, format="json")
    assert no_reason.status_code == 400 and errors_on(no_reason) == {"reason"}
    no_version = manager.post(url + "approve/", {}, format="json")
    assert no_version.status_code == 400 and errors_on(no_version) == {"version"}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert PlanStatusChange.objects.filter(plan=plan).count() == 1


def test_r_plan_2_approver_edits_the_submitted_plan(org, shops, plan):
    rep, manager = api_for(org.rep), api_for(org.manager)
    add(rep, plan, shops[0])
    rep.post(f"{PLANS}{plan.pk}/submit/", {"lock_version": lock(plan)}, format="json")
    item = PlanItem.objects.get(plan=plan)
    edited = manager.patch(
        f"{ITEMS}{item.pk}/", {"lock_version": lock(plan), "agenda": "带合同"}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["agenda"] == "带合同"


def test_submit_with_a_stale_lock_is_409(org, shops, plan):
    rep = api_for(org.rep)
    add(rep, plan, shops[0])
    stale = rep.post(f"{PLANS}{plan.pk}/submit/", {"lock_version": lock(plan) - 1}, format="json")
    assert stale.status_code == 409 and Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert not PlanStatusChange.objects.exists()


# --- R-PLAN-3: refine, actuals, lists ------------------------------------------------------------
def test_r_plan_3_week_plan_refines_the_month(org, shops, plan):
    rep = api_for(org.rep)
    add(rep, plan, shops[0])
    add(rep, plan, shops[1], day="2026-12-08")
    week = rep.post(PLANS + "refine/", {"kind": "week", "date": WED}, format="json")
    assert week.status_code == 201
    body = week.json()
    assert body["parent"] == plan.pk and [i["source"] for i in body["items"]] == ["refined"]
    again = rep.post(PLANS + "refine/", {"kind": "week", "date": THU}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert rep.post(PLANS + "refine/", {"kind": "month", "date": WED}, format="json").status_code == 400


def test_r_plan_3_actuals_match_items_to_touches(org, shops, plan):
    rep = api_for(org.rep)
    add(rep, plan, shops[0])
    add(rep, plan, shops[1], day=THU)
    touch(shops[0], org.rep, "visit", dt.datetime(2026, 12, 2, 10, 0))
    touch(shops[2], org.rep, "phone", dt.datetime(2026, 12, 2, 11, 0))
    body = rep.get(f"{PLANS}{plan.pk}/actuals/").json()
    assert (body["planned"], body["done"], body["completion"]) == (2, 1, 0.5)
    assert [(i["customer"], i["status"]) for i in body["items"]] == [
        (shops[0].pk, "done"),
        (shops[1].pk, "open"),
    ]
    assert body["items"][0]["before_approval"] is True
    assert [t["customer"] for t in body["unplanned"]] == [shops[2].pk]


def test_plan_list_filters(org, shops, plan):
    services.get_or_create_plan(org.rep, PlanKind.WEEK, dt.date(2026, 12, 2))
    services.get_or_create_plan(org.rep, PlanKind.MONTH, dt.date(2027, 1, 1))
    services.get_or_create_plan(org.outsider, PlanKind.MONTH, dt.date(2026, 12, 1))
    leader = api_for(org.leader)

    def ids(**params):
        response = leader.get(PLANS, params)
        assert response.status_code == 200, response.json()
        return {p["id"] for p in response.json()["results"]}

    assert len(ids()) == 4
    assert ids(kind="month", month="2026-12", unit=org.sales1.pk) == {plan.pk}
    assert len(ids(month="2026-12")) == 3  # both month plans and the week
    assert len(ids(owner=org.rep.pk)) == 3
    assert len(ids(period_start_after="2027-01-01")) == 1
    assert ids(status="submitted") == set()
    assert leader.get(PLANS, {"month": "2026-13"}).status_code == 400
    assert leader.get(PLANS, {"kind": "year"}).status_code == 400


# --- query counts --------------------------------------------------------------------------------
def _queries(user, url, params=None) -> int:
    api = api_for(User.objects.get(pk=user.pk))  # a fresh user: no cached scope
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _fill(owner, customers, n_days: int) -> Plan:
    month = services.get_or_create_plan(owner, PlanKind.MONTH, dt.date(2026, 12, 1))
    for i in range(n_days):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=i)
        PlanItem.objects.create(plan=month, customer=customers[i % len(customers)], day=day)
        services.get_or_create_plan(owner, PlanKind.DAY, day)
    return month


def test_plan_list_query_count_is_constant(org, shops):
    _fill(org.rep, shops, 1)
    one = _queries(org.manager, PLANS)
    _fill(org.rep, shops, 8)
    _fill(org.teammate, [CustomerFactory(owner=org.teammate)], 5)
    many = _queries(org.manager, PLANS)
    assert api_for(org.manager).get(PLANS).json()["count"] == 1 + 8 + 1 + 5
    assert many == one


def test_plan_detail_and_item_list_query_counts_are_constant(org, shops):
    month = _fill(org.rep, shops[:1], 1)
    detail_one = _queries(org.rep, f"{PLANS}{month.pk}/")
    items_one = _queries(org.rep, ITEMS)
    more = [CustomerFactory(owner=org.rep) for _ in range(4)]
    _fill(org.rep, [*shops, *more], 10)
    assert _queries(org.rep, f"{PLANS}{month.pk}/") == detail_one
    assert _queries(org.rep, ITEMS) == items_one


def test_approval_queue_query_count_is_constant(org, shops):
    def submitted(owner, customer, day):
        p = services.get_or_create_plan(owner, PlanKind.DAY, day)
        PlanItem.objects.create(plan=p, customer=customer, day=day)
        Plan.objects.filter(pk=p.pk).update(status=PlanStatus.SUBMITTED, version=1, submitted_at=NOW)

    submitted(org.rep, shops[0], dt.date(2026, 12, 1))
    one = _queries(org.manager, PLANS + "approvals/")
    for i in range(2, 8):
        submitted(org.rep, shops[i % 3], dt.date(2026, 12, i))
    submitted(org.teammate, CustomerFactory(owner=org.teammate), dt.date(2026, 12, 1))
    assert api_for(org.manager).get(PLANS + "approvals/").json()["count"] == 8
    assert _queries(org.manager, PLANS + "approvals/") == one


# --- R-PLAN-4: generation through the API ------------------------------------------------------
@pytest.fixture
def monthly_rule(org, shops):
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    tier = Tier.objects.create(scheme=scheme, code="B", name="B类", rank=2)
    make_rule("b-rep-visit", scheme, tier, responsible="owner", channel="visit", period="month", min_count=1)
    for shop in shops:
        put_in_tier(shop, tier)
    return tier


def test_r_plan_4_generate_drafts_the_month_and_refuses_a_stale_lock(org, shops, plan, monthly_rule):
    rep = api_for(org.rep)
    url = f"{PLANS}{plan.pk}/generate/"
    seen = lock(plan)
    response = rep.post(url, {"lock_version": seen, "today": "2026-11-20"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {i["customer"] for i in body["items"]} == {s.pk for s in shops}
    assert body["generated_at"] and body["lock_version"] > seen
    count = PlanItem.objects.filter(plan=plan).count()
    stale = rep.post(url, {"lock_version": seen}, format="json")
    assert stale.status_code == 409 and PlanItem.objects.filter(plan=plan).count() == count
    week = services.get_or_create_plan(org.rep, PlanKind.WEEK, dt.date(2026, 12, 2))
    not_month = rep.post(f"{PLANS}{week.pk}/generate/", {"lock_version": lock(week)}, format="json")
    assert not_month.status_code == 400


def test_r_sec_1_anonymous_callers_are_refused(org, plan):
    anonymous = APIClient()
    for url in (PLANS, f"{PLANS}{plan.pk}/", ITEMS, PLANS + "approvals/", "/api/v1/plan-purposes/"):
        assert anonymous.get(url).status_code in (401, 403), url
    assert anonymous.post(PLANS, {"kind": "month"}, format="json").status_code in (401, 403)
    assert Plan.objects.count() == 1


def test_diff_of_a_plan_never_submitted_is_empty(org, shops, plan):
    add(api_for(org.rep), plan, shops[0])
    body = api_for(org.manager).get(f"{PLANS}{plan.pk}/diff/").json()
    assert body == {"added": [], "removed": [], "moved": [], "changed": [], "base": None}
