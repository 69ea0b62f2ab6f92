"""Plans keep faith with their users (issue 10, items 2, 6, 7, 8): R-PLAN-2, R-PLAN-3, R-PLAN-4,
R-ORG-4, R-SEC-1.

Each test here failed on the code before this change: a GET created plans, regeneration dropped
what the rep had moved, an approver's edit overwrote the rep's version, the diff paired items by
customer, drafts past their deadline were not late, date inputs rendered ``2026/12/09`` in Chinese,
the leader approved plans, order weekdays were read one day late.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from baifang.customers.choices import Weekday
from baifang.plans import services
from baifang.plans.choices import ItemSource, PlanKind, PlanStatus
from baifang.plans.forms import PlanItemForm
from baifang.plans.models import Plan, PlanItem, PlanStatusChange, WorkPattern
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.plans.territory import DECEMBER, SHANGHAI

pytestmark = pytest.mark.django_db
PLANS = "/api/v1/plans/"
ITEMS = "/api/v1/plan-items/"


def fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


# --- no GET creates anything (R-PLAN-3) -----------------------------------------------------------
@pytest.mark.parametrize(
    "kind, day", [("month", "2026-12-01"), ("week", "2026-12-07"), ("day", "2026-12-08")]
)
def test_opening_a_period_by_get_creates_nothing_R_PLAN_3(org, december, kind, day):
    before = Plan.objects.count()
    for person in (org.rep, org.admin, org.leader, org.market, org.manager):
        response = client_for(person).get(reverse("plans:open", args=[kind, day]))
        assert response.status_code in (200, 302)
    assert Plan.objects.count() == before


def test_only_people_who_make_plans_can_create_one_R_PLAN_3(org, clock):
    url = reverse("plans:open", args=["month", "2026-12-01"])
    for person in (org.admin, org.leader, org.market):
        page = client_for(person).get(url)
        assert page.status_code == 200 and b'data-testid="create-plan"' not in page.content
        client_for(person).post(url)
        assert (
            api_for(person).post(PLANS, {"kind": "month", "date": "2026-12-01"}, format="json").status_code
            == 403
        )
    assert not Plan.objects.exists()
    CustomerFactory(owner=org.manager)  # a manager who looks after a customer keeps plans too
    assert client_for(org.manager).post(url).status_code == 302
    assert client_for(org.rep).post(url).status_code == 302
    assert set(Plan.objects.values_list("owner__username", flat=True)) == {"manager", "rep"}


def test_plan_vs_actual_leaves_out_empty_plans_of_people_who_make_none_R_PLAN_3(org, december):
    stray = services.get_or_create_plan(org.admin, PlanKind.MONTH, DECEMBER)  # made before this change
    body = client_for(org.leader).get(reverse("plans:report") + "?month=2026-12").content.decode()
    assert december.get_absolute_url() in body
    assert stray.get_absolute_url() not in body


def test_post_plans_with_an_empty_date_is_400(org, clock):
    api = api_for(org.rep)
    assert api.post(PLANS, {"kind": "month", "date": ""}, format="json").status_code == 400
    assert api.post(PLANS, {"kind": "month", "date": ""}).status_code == 400  # form-encoded too
    assert not Plan.objects.exists()


# --- regeneration keeps what the rep did by hand (R-PLAN-4) ---------------------------------------
def test_regenerating_keeps_an_item_the_rep_moved_R_PLAN_4(org, territory, december):
    """The lost item: a generated visit the rep dragged to another day was deleted on regeneration
    (only items whose source was "added by hand" survived) and re-placed wherever the engine liked."""
    item = december.items.filter(channel="visit", source=ItemSource.RULE).order_by("day").first()
    target = next(
        d
        for d in (dt.date(2026, 12, n) for n in range(1, 32))
        if d.weekday() < 5
        and d != item.day
        and not december.items.filter(customer=item.customer, day=d).exists()
    )
    services.move_item(item, target, by=org.rep, lock_version=fresh(december).lock_version)
    services.generate_month(december, by=org.rep, lock_version=fresh(december).lock_version)
    kept = PlanItem.objects.get(pk=item.pk)
    assert kept.day == target and kept.edited


def test_regenerating_keeps_an_item_the_rep_changed_and_one_added_by_hand_R_PLAN_4(org, territory, december):
    item = december.items.filter(channel="phone").first()
    services.update_item(item, by=org.rep, lock_version=fresh(december).lock_version, agenda="带新品样品")
    added = services.add_item(
        december,
        by=org.rep,
        lock_version=fresh(december).lock_version,
        customer=territory.c_customers[0],
        day=dt.date(2026, 12, 15),
        channel="visit",
    )
    services.generate_month(december, by=org.rep, lock_version=fresh(december).lock_version)
    assert PlanItem.objects.get(pk=item.pk).agenda == "带新品样品"
    assert PlanItem.objects.filter(pk=added.pk).exists()


def test_regenerating_mid_month_leaves_the_days_already_begun_alone_R_PLAN_4(org, territory, december):
    past = set(december.items.filter(day__lt=dt.date(2026, 12, 10)).values_list("pk", flat=True))
    assert past
    with time_machine.travel(dt.datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        services.generate_month(december, by=org.rep, lock_version=fresh(december).lock_version)
    assert set(december.items.filter(day__lt=dt.date(2026, 12, 10)).values_list("pk", flat=True)) == past


# --- an approver's edit is a version of its own (R-PLAN-2) ----------------------------------------
def test_the_reps_submitted_version_survives_the_approvers_edit_R_PLAN_2(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    submitted = list(december.versions.get(number=1).items)
    victim = december.items.first()
    services.remove_item(victim, by=org.manager, lock_version=fresh(december).lock_version)
    services.return_plan(december, by=org.manager, version=1, reason="少一个")
    plan = fresh(december)
    assert plan.versions.get(number=1).items == submitted
    assert plan.version == 2 and plan.status == PlanStatus.RETURNED
    change = services.diff(plan)
    assert change["base"] == 1 and [i["id"] for i in change["removed"]] == [victim.pk]
    assert not change["added"] and not change["moved"] and not change["changed"]
    services.return_plan(plan, by=org.manager, version=1, reason="少一个")  # a retry: nothing again
    assert PlanStatusChange.objects.filter(plan=plan, new_status="returned").count() == 1


# --- diffs compare items one by one (R-PLAN-2) ----------------------------------------------------
def test_one_added_visit_is_one_addition_not_three_moves_R_PLAN_2(org, territory, december):
    """The reported case: a weekly customer gets an extra visit before its others."""
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    services.return_plan(december, by=org.manager, version=1, reason="再加一次")
    customer = territory.a_customers[0]
    taken = set(december.items.filter(customer=customer).values_list("day", flat=True))
    # The earliest free working day: before (most of) the customer's weekly visits, as on 01-06.
    day = next(
        d for d in (DECEMBER + dt.timedelta(days=k) for k in range(31)) if d.weekday() < 5 and d not in taken
    )
    assert any(d > day for d in taken)
    added = services.add_item(
        december, by=org.rep, lock_version=fresh(december).lock_version, customer=customer, day=day
    )
    services.submit(december, by=org.rep, lock_version=fresh(december).lock_version)
    change = services.diff(fresh(december))
    assert [i["id"] for i in change["added"]] == [added.pk]
    assert change["removed"] == [] and change["moved"] == []


EDIT = st.one_of(
    st.tuples(st.just("remove"), st.integers(0, 10_000)),
    st.tuples(st.just("move"), st.integers(0, 10_000), st.integers(1, 20)),
    st.tuples(st.just("change"), st.integers(0, 10_000), st.text("议程样品", min_size=1, max_size=3)),
    st.tuples(st.just("add"), st.integers(1, 6), st.integers(1, 28)),
)


def _item(pk: int, customer: int, day: dt.date) -> dict:
    return {
        "id": pk,
        "customer": customer,
        "customer_name": str(customer),
        "day": day.isoformat(),
        "start": "",
        "channel": "visit",
        "purpose": None,
        "minutes": 15,
        "outcome": "",
        "agenda": "",
    }


@given(
    st.lists(st.tuples(st.integers(1, 6), st.integers(1, 28)), min_size=1, max_size=25),
    st.lists(EDIT, max_size=12),
)
@example(base=[(1, 6)], edits=[("add", 1, 1), ("move", 1, 5), ("remove", 0)])  # the CI case
def test_random_edits_are_reported_exactly_R_PLAN_2(base, edits):
    """Property: the diff of two versions reports exactly the edits made between them.

    Items keep their id when moved or changed; an added or moved item never lands on a touch
    (customer, day) the plan had or has, since removing a touch and adding the very same one back is
    no change at all (CI found an added item moved onto a removed one's touch, which the diff rightly
    reads as that touch kept).
    """
    old = [_item(k + 1, c, dt.date(2027, 1, d)) for k, (c, d) in enumerate(base)]
    new = {i["id"]: dict(i) for i in old}
    expected = {"added": set(), "removed": set(), "moved": set(), "changed": set()}
    next_id = len(old) + 1
    taken = {(i["customer"], i["day"]) for i in old}
    for edit in edits:
        alive = sorted(new)
        if edit[0] == "add":
            touch = (edit[1], dt.date(2027, 1, edit[2]).isoformat())
            if touch in taken:  # a customer is never twice on one day (and the same touch is no change)
                continue
            taken.add(touch)
            new[next_id] = _item(next_id, edit[1], dt.date(2027, 1, edit[2]))
            expected["added"].add(next_id)
            next_id += 1
            continue
        if not alive:
            continue
        pk = alive[edit[1] % len(alive)]
        if edit[0] == "remove":
            del new[pk]
            for bucket in expected.values():
                bucket.discard(pk)
            if pk <= len(old):
                expected["removed"].add(pk)
        elif edit[0] == "move":
            day = (dt.date.fromisoformat(new[pk]["day"]) + dt.timedelta(days=edit[2])).isoformat()
            if (new[pk]["customer"], day) in taken:  # never twice on one day, nor onto a touch of the plan
                continue
            taken.add((new[pk]["customer"], day))
            new[pk]["day"] = day
        else:
            new[pk]["agenda"] += edit[2]
    originals = {i["id"]: i for i in old}
    for pk, item in new.items():
        if pk in originals and item["day"] != originals[pk]["day"]:
            expected["moved"].add(pk)
        elif pk in originals and item != originals[pk]:
            expected["changed"].add(pk)
    result = services.compare_items(old, list(new.values()))
    assert {k: {i["id"] for i in result[k]} for k in expected} == expected


def test_a_regenerated_item_of_the_same_touch_is_no_change(org):
    old = [_item(1, 7, dt.date(2027, 1, 6))]
    new = [_item(99, 7, dt.date(2027, 1, 6))]  # deleted and drafted again by regeneration
    assert services.compare_items(old, new) == {"added": [], "removed": [], "moved": [], "changed": []}


# --- plans past their deadline are late (R-PLAN-3) ------------------------------------------------
def test_a_draft_past_its_deadline_is_late_and_found_by_the_filter_R_PLAN_3(org, december):
    on_time = services.get_or_create_plan(org.rep, PlanKind.MONTH, dt.date(2027, 1, 1))
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert fresh(december).is_overdue and not fresh(on_time).is_overdue
        api = api_for(org.manager)
        late = api.get(PLANS, {"is_late": "true"}).json()["results"]
        assert [p["id"] for p in late] == [december.pk] and late[0]["is_overdue"]
        not_late = [p["id"] for p in api.get(PLANS, {"is_late": "false"}).json()["results"]]
        assert not_late == [on_time.pk]
        page = client_for(org.manager).get(reverse("plans:report"), {"month": "2026-12", "is_late": "true"})
        assert december.get_absolute_url() in page.content.decode()


# --- date inputs carry ISO values, short msgids have a context ------------------------------------
def test_the_item_form_renders_iso_dates_and_labels_times_as_times_in_chinese(org, december):
    item = december.items.filter(day=dt.date(2026, 12, 9)).first() or december.items.first()
    with translation.override("zh-hans"):
        html = (
            client_for(org.rep).get(reverse("plans:item_edit", args=[december.pk, item.pk])).content.decode()
        )
        form = PlanItemForm(instance=item, owner=org.rep)
        assert f'value="{item.day.isoformat()}"' in html
        assert str(form.fields["start_time"].label) != "移交人"
        assert str(form.fields["end_time"].label) != "接收人"


def _form_classes():
    import importlib
    import pkgutil

    from django import forms

    import baifang

    for module in pkgutil.walk_packages(baifang.__path__, "baifang."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return [c for c in {*walk(forms.BaseForm)} if c.__module__.startswith("baifang.")]


def test_every_date_and_time_input_in_the_project_renders_iso_in_every_language():
    values = {
        "date": (dt.date(2027, 1, 4), "2027-01-04"),
        "time": (dt.time(8, 30), "08:30"),
        "datetime-local": (dt.datetime(2027, 1, 4, 8, 30), "2027-01-04T08:30"),
    }
    checked = 0
    for form_class in _form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            kind = field.widget.attrs.get("type") or getattr(field.widget, "input_type", "")
            if kind not in values:
                continue
            value, iso = values[kind]
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    html = field.widget.render(name, value)
                assert f'value="{iso}"' in html, (form_class, name, language, html)
            checked += 1
    assert checked >= 5


# --- approval is the supervisor chain's only (R-PLAN-2, R-ORG-4, R-SEC-1) -------------------------
@pytest.fixture
def submitted(org, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    return fresh(december)


@pytest.mark.parametrize(
    "persona, refused",
    [("leader", 403), ("market", 403), ("admin", 403), ("outsider", 404), ("teammate", 404), ("rep", 403)],
)
def test_only_the_supervisor_chain_decides_or_edits_a_submitted_plan_api_R_PLAN_2_R_SEC_1(
    org, submitted, persona, refused
):
    api = api_for(getattr(org, persona))
    item = submitted.items.first()
    lock = submitted.lock_version
    calls = [
        api.post(f"{PLANS}{submitted.pk}/approve/", {"version": 1}, format="json"),
        api.post(f"{PLANS}{submitted.pk}/return/", {"version": 1, "reason": "不行"}, format="json"),
        api.patch(f"{ITEMS}{item.pk}/", {"lock_version": lock, "agenda": "改"}, format="json"),
        api.delete(f"{ITEMS}{item.pk}/?lock_version={lock}"),
        api.post(
            ITEMS,
            {"plan": submitted.pk, "lock_version": lock, "customer": item.customer_id, "day": "2026-12-09"},
            format="json",
        ),
    ]
    assert [c.status_code for c in calls[:4]] == [refused] * 4, [c.content for c in calls]
    assert calls[4].status_code in (refused, 400, 404)
    plan = fresh(submitted)
    assert (plan.status, plan.lock_version, plan.items.count()) == (
        PlanStatus.SUBMITTED,
        lock,
        submitted.items.count(),
    )
    assert PlanItem.objects.get(pk=item.pk).agenda == item.agenda
    detail = api.get(f"{PLANS}{submitted.pk}/")
    if detail.status_code == 200:
        assert detail.json()["can_approve"] is False and detail.json()["can_edit"] is False


@pytest.mark.parametrize("persona", ["leader", "market", "admin"])
def test_readers_see_the_plan_but_the_pages_refuse_them_R_PLAN_2_R_SEC_1(org, submitted, persona):
    client = client_for(getattr(org, persona))
    page = client.get(submitted.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="approve"' not in html and "data-move-url" not in html
    item = submitted.items.first()
    client.post(reverse("plans:decide", args=[submitted.pk, "approve"]), {"version": 1})
    client.post(reverse("plans:decide", args=[submitted.pk, "return"]), {"version": 1, "comment": "不行"})
    client.post(
        reverse("plans:item_remove", args=[submitted.pk, item.pk]), {"lock_version": submitted.lock_version}
    )
    client.post(
        reverse("plans:item_move", args=[submitted.pk, item.pk]),
        {"lock_version": submitted.lock_version, "day": "2026-12-09"},
    )
    assert client.get(reverse("plans:item_edit", args=[submitted.pk, item.pk])).status_code == 403
    plan = fresh(submitted)
    assert plan.status == PlanStatus.SUBMITTED and plan.lock_version == submitted.lock_version
    assert PlanItem.objects.filter(pk=item.pk, day=item.day).exists()
    assert not services.approval_queue(getattr(org, persona)).exists()


def test_the_reps_supervisor_and_a_named_supervisor_decide_R_PLAN_2(org, submitted):
    assert list(services.approval_queue(org.manager)) == [submitted]
    org.rep.supervisor_override = org.leader  # the leader decides what names them
    org.rep.save(update_fields=["supervisor_override"])
    assert submitted.can_approve(org.leader)
    services.approve(submitted, by=org.leader, version=1)
    assert fresh(submitted).status == PlanStatus.APPROVED


# --- durations within a day ----------------------------------------------------------------------
def test_an_item_longer_than_a_day_is_refused_everywhere(org, december):
    item = december.items.first()
    response = api_for(org.rep).patch(
        f"{ITEMS}{item.pk}/",
        {"lock_version": december.lock_version, "expected_minutes": 999_999},
        format="json",
    )
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"expected_minutes"}
    with pytest.raises(ValidationError) as refused:
        services.update_item(
            item, by=org.rep, lock_version=fresh(december).lock_version, expected_minutes=1441
        )
    assert "expected_minutes" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=item.pk).update(expected_minutes=1441)
    assert PlanItem.objects.get(pk=item.pk).expected_minutes == item.expected_minutes


# --- one weekday convention, through plan generation (R-PLAN-4, R-ROUTE-2) ------------------------
def test_a_customer_ordering_on_wednesday_is_visited_on_wednesdays_R_PLAN_4(org, territory):
    """Seed 003: customers ordering the same day share a route. 0 = Monday everywhere."""
    WorkPattern.objects.create(user=org.rep, visit_weekdays="0,2,3")  # Mon, Wed, Thu
    customer = territory.b_customers[0]
    customer.order_weekday = Weekday.WEDNESDAY
    customer.save(update_fields=["order_weekday"])
    weekly = territory.a_customers[0]
    weekly.order_weekday = Weekday.WEDNESDAY
    weekly.save(update_fields=["order_weekday"])
    assert api_for(org.rep).get(f"/api/v1/customers/{customer.pk}/").json()["order_weekday"] == 2
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    for c in (customer, weekly):
        days = list(plan.items.filter(customer=c, channel="visit").values_list("day", flat=True))
        assert days and {d.weekday() for d in days} == {2}, (c, days)


def test_refine_is_refused_to_people_who_make_no_plans(org, clock):
    with pytest.raises(PermissionDenied):
        services.refine(org.admin, PlanKind.WEEK, dt.date(2026, 12, 7), by=org.admin)


def test_only_the_hand_over_calls_its_fields_giver_and_receiver_in_chinese():
    """ "from"/"to" mean the hand-over's people; dates, times and statuses use a msgctxt of their own."""
    from django.apps import apps

    with translation.override("zh-hans"):
        found = {
            (model._meta.label, field.name)
            for model in apps.get_models()
            for field in model._meta.fields
            if str(field.verbose_name) in ("移交人", "接收人")
        }
    assert found == {("customers.Handover", "from_user"), ("customers.Handover", "to_user")}
