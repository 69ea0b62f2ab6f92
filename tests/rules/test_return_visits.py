"""Event-driven return visits (R-FREQ-9): rules, obligations, fulfilment, pages and API.

The return visits are special visits (R-OBL-3) created by ``rules.events.happened``; these tests drive
them through the real services, the live SQL of fulfilment, the due list, the compliance page and API,
plan generation, the complaint flow and the service-job record.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from baifang.commerce.models import ServiceJob
from baifang.commerce.services import record_service_job
from baifang.rules import events, services
from baifang.rules.choices import EventKind
from baifang.rules.models import ReturnVisitRule, SpecialVisit
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.rules.conftest import touch


def _rule(code="repair", event=EventKind.REPAIR_DONE, **fields):
    fields.setdefault("channel", "phone")
    fields.setdefault("offset", 10)
    fields.setdefault("offset_unit", "days")
    rule = ReturnVisitRule(code=code, name=fields.pop("name", f"{code}回访"), event=event, **fields)
    rule.full_clean()
    rule.save()
    return rule


@pytest.fixture
def mine(org):
    return CustomerFactory(owner=org.rep, name="我的维修客户")


@pytest.fixture
def other(org):
    return CustomerFactory(owner=org.outsider, name="别人的维修客户")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- creation and due dates ---------------------------------------------------------------------------


def test_r_freq_9_due_date_counts_working_days_across_a_holiday(org, mine, time_machine):
    """R-FREQ-9 / R-CAL-1: a complaint closed the day before National Day is due 2 working days later."""
    time_machine.move_to(dt.datetime(2025, 9, 30, 9, 0))
    _rule("complaint", EventKind.COMPLAINT_CLOSED, offset=2, offset_unit="workdays")
    result = events.happened(mine, EventKind.COMPLAINT_CLOSED, ref="complaint:1", by=org.manager)
    [visit] = result.created
    assert visit.due_on == dt.date(2025, 10, 10)  # 1–8 October are holidays
    assert (visit.trigger, visit.channel, visit.responsible, visit.occurrence) == (
        "return_visit",
        "phone",
        org.rep,
        0,
    )
    assert timezone.localdate(visit.opens_at) == dt.date(2025, 9, 30) and visit.closes_at is None


def test_r_freq_9_calendar_days_and_only_matching_rules(org, mine):
    """R-FREQ-9 (汽修): 10 calendar days after a repair; a maintenance rule is not asked by a repair."""
    _rule("repair", offset=10, offset_unit="days")
    _rule("maintenance", EventKind.MAINTENANCE_DONE, offset=1, offset_unit="months")
    _rule("inactive", is_active=False)
    result = events.happened(mine, EventKind.REPAIR_DONE, ref="job:1", on=dt.date(2026, 1, 31), by=org.rep)
    assert [(v.return_rule.code, v.due_on) for v in result.created] == [("repair", dt.date(2026, 2, 10))]


def test_r_freq_9_repeats_every_half_year_in_warranty_each_in_its_own_window(org, mine):
    """R-FREQ-9 (项目): a month after acceptance, then every 6 months within 24 months; windows chain."""
    _rule(
        "project",
        EventKind.ACCEPTANCE_DONE,
        channel="any",
        offset=1,
        offset_unit="months",
        repeat_every_months=6,
        repeat_until_months=24,
    )
    result = events.happened(
        mine, EventKind.ACCEPTANCE_DONE, ref="job:P1", on=dt.date(2026, 1, 31), by=org.rep
    )
    dues = [v.due_on for v in result.created]
    assert dues == [dt.date(2026, 2, 28), dt.date(2026, 8, 28), dt.date(2027, 2, 28), dt.date(2027, 8, 28)]
    for earlier, later in zip(result.created, result.created[1:], strict=False):
        assert earlier.closes_at == later.opens_at
        assert timezone.localdate(later.opens_at) == earlier.due_on + dt.timedelta(days=1)
    assert result.created[-1].closes_at is None


def test_r_freq_9_retry_never_duplicates(org, mine):
    """R-FREQ-9: the same event again (a retry, a re-import) owes nothing more."""
    _rule(
        "project",
        EventKind.ACCEPTANCE_DONE,
        offset=1,
        offset_unit="months",
        repeat_every_months=6,
        repeat_until_months=13,
    )
    first = events.happened(
        mine, EventKind.ACCEPTANCE_DONE, ref="job:P1", on=dt.date(2026, 1, 10), by=org.rep
    )
    again = events.happened(
        mine, EventKind.ACCEPTANCE_DONE, ref="job:P1", on=dt.date(2026, 1, 10), by=org.rep
    )
    assert len(first.created) == 3 and again.created == []
    assert {v.pk for v in again.existing} == {v.pk for v in first.created}
    assert SpecialVisit.objects.count() == 3


def test_r_freq_9_tier_scope_and_lost_order_kind(org, mine, seed001):
    """R-FREQ-9: a rule limited to a tier skips other customers; the lost-order event is supported."""
    from tests.rules.conftest import put_in_tier

    _rule("lost-a", EventKind.ORDER_LOST, channel="visit", offset=3, offset_unit="workdays", tier=seed001.a)
    other_mine = CustomerFactory(owner=org.rep, name="B类客户")
    put_in_tier(mine, seed001.a)
    put_in_tier(other_mine, seed001.b)
    assert len(events.happened(mine, EventKind.ORDER_LOST, ref="lost:1", by=org.rep).created) == 1
    assert events.happened(other_mine, EventKind.ORDER_LOST, ref="lost:2", by=org.rep).created == []
    with pytest.raises(ValidationError):
        events.happened(mine, "nonsense", ref="x", by=org.rep)


def test_r_freq_9_responsible_position_resolves_per_customer(org, mine):
    """R-OBL-1 for R-FREQ-9: a rule held by the department manager owes the manager of the owner's department."""
    _rule("mgr", responsible="dept_manager")
    [visit] = events.happened(mine, EventKind.REPAIR_DONE, ref="job:9", by=org.rep).created
    assert visit.responsible == org.manager


@pytest.mark.parametrize(
    "fields",
    [
        {"repeat_every_months": 6},  # a repeat without its end
        {"repeat_every_months": 6, "repeat_until_months": 3, "offset_unit": "months", "offset": 1},  # never
        {"repeat_every_months": 1, "repeat_until_months": 240},  # too many
    ],
)
def test_r_freq_9_impossible_window_is_refused(db, fields):
    """Issue 13 bad input: an event rule with an impossible window is refused with a clear message."""
    rule = ReturnVisitRule(
        code="bad", name="坏规则", event=EventKind.REPAIR_DONE, channel="phone", **{"offset": 10, **fields}
    )
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert exc.value.error_dict["repeat_until_months"][0].code == "impossible_window"


# --- fulfilment ---------------------------------------------------------------------------------------


def test_r_freq_9_fulfilled_only_by_a_matching_counted_touch_in_its_window(org, mine):
    """R-FREQ-9 / R-VISIT-8: a phone return visit is met by the responsible person's phone call in its
    window; a visit, a call before the event, a colleague's call, a call in the next window do not."""
    _rule(
        "project",
        EventKind.ACCEPTANCE_DONE,
        channel="phone",
        offset=1,
        offset_unit="months",
        repeat_every_months=6,
        repeat_until_months=13,
    )
    event_on = timezone.localdate() - dt.timedelta(days=400)
    first, second, third = events.happened(
        mine, EventKind.ACCEPTANCE_DONE, ref="job:P", on=event_on, by=org.rep
    ).created
    touch(mine, org.rep, "phone", at(event_on - dt.timedelta(days=1)))  # before the event
    touch(mine, org.rep, "visit", at(event_on + dt.timedelta(days=3)))  # wrong channel
    touch(mine, org.teammate, "phone", at(event_on + dt.timedelta(days=4)))  # not the responsible person
    assert services.fulfil_special_visits() == 0
    in_second = touch(mine, org.rep, "phone", at(second.due_on - dt.timedelta(days=5)))
    assert services.fulfil_special_visits() == 1
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.fulfilled_at is None  # a touch in the second window never fulfils the first
    assert second.fulfilled_by_touch_id == in_second.pk and third.fulfilled_at is None
    # The missed first one can no longer be met: off the to-do list (its window closed), still unmet.
    assert [v.pk for v in services.open_special_visits(responsible=org.rep)] == [third.pk]


def test_r_freq_9_a_visit_never_checked_out_or_flagged_does_not_fulfil(org, mine):
    """docs/obligations.md: an on-site visit never checked out, or waiting for review, is not done."""
    from baifang.visits.models import Touch, VisitFlag

    _rule("visit-back", channel="visit", offset=5, offset_unit="days")
    [visit] = events.happened(mine, EventKind.REPAIR_DONE, ref="job:V", by=org.rep).created
    open_touch = Touch.objects.create(customer=mine, user=org.rep, channel="visit", started_at=timezone.now())
    assert open_touch.count_state != "counted"
    assert services.fulfil_special_visits() == 0
    assert list(services.open_special_visits(responsible=org.rep)) == [visit]
    flagged = touch(mine, org.rep, "visit", timezone.localtime() + dt.timedelta(minutes=5))
    VisitFlag.objects.create(touch=flagged, kind="far")
    flagged.refresh_from_db()
    assert flagged.count_state == "pending_review"
    assert services.fulfil_special_visits() == 0


def test_r_freq_9_more_than_one_touch_required(org, mine):
    """R-FREQ-9: "N touches" — two calls owed, one call does not meet it, the second does."""
    _rule("two-calls", min_count=2)
    [visit] = events.happened(mine, EventKind.REPAIR_DONE, ref="job:2", by=org.rep).created
    now = timezone.localtime()
    touch(mine, org.rep, "phone", now + dt.timedelta(minutes=1))
    assert services.fulfil_special_visits() == 0
    second = touch(mine, org.rep, "phone", now + dt.timedelta(minutes=30))
    assert services.fulfil_special_visits() == 1
    visit.refresh_from_db()
    assert visit.fulfilled_by_touch_id == second.pk


# --- where they show --------------------------------------------------------------------------------


def test_r_freq_9_shown_in_due_list_not_before_its_window_opens(org, mine, other):
    """R-FREQ-9: the due list shows the return visits owed now; a later occurrence not yet; not others'."""
    _rule(
        "project",
        EventKind.ACCEPTANCE_DONE,
        name="项目验收回访",
        offset=1,
        offset_unit="months",
        repeat_every_months=6,
        repeat_until_months=12,
    )
    events.happened(mine, EventKind.ACCEPTANCE_DONE, ref="job:P", on=timezone.localdate(), by=org.rep)
    events.happened(other, EventKind.ACCEPTANCE_DONE, ref="job:Q", on=timezone.localdate(), by=org.outsider)
    owed = list(services.open_special_visits(responsible=org.rep))
    assert [v.occurrence for v in owed] == [0]
    html = client_for(org.rep).get(reverse("rules:due")).content.decode()
    assert "我的维修客户" in html and "项目验收回访" in html and "别人的维修客户" not in html


def test_r_freq_9_shown_in_compliance_page_and_api(
    org, mine, other, time_machine, django_assert_max_num_queries
):
    """R-OBL-2 for R-FREQ-9: the compliance page and API count return visits met / due per person,
    within the viewer's scope; one query for the cells whatever the number of rows."""
    time_machine.move_to(dt.datetime(2026, 11, 18, 12, 0))
    today = timezone.localdate()
    _rule("repair", name="修理后回访", offset=0, offset_unit="days")
    for i in range(3):
        customer = CustomerFactory(owner=org.rep, name=f"客户{i}")
        events.happened(customer, EventKind.REPAIR_DONE, ref=f"job:{i}", on=today, by=org.rep)
    events.happened(other, EventKind.REPAIR_DONE, ref="job:other", on=today, by=org.outsider)
    done = SpecialVisit.objects.filter(responsible=org.rep).first()
    touch(done.customer, org.rep, "phone", at(today, 11))
    with django_assert_max_num_queries(8):  # the viewer's scope, then one aggregate: not one per row
        cells = services.special_compliance(today, user=org.manager)
    [cell] = [c for c in cells if c.responsible_id == org.rep.pk]
    assert (cell.due, cell.met, cell.overdue) == (3, 1, 0)
    assert all(c.responsible_id != org.outsider.pk for c in cells)  # 营销二部 is outside the manager's scope
    html = client_for(org.manager).get(reverse("rules:matrix")).content.decode()
    assert "修理后回访" in html and "1/3" in html
    api = api_for(org.manager).get("/api/v1/compliance/special/").json()
    assert [(r["due"], r["met"]) for r in api if r["responsible"] == org.rep.pk] == [(3, 1)]
    theirs = api_for(org.outsider).get("/api/v1/compliance/special/").json()
    assert [r["responsible"] for r in theirs] == [org.outsider.pk]
    later = services.special_compliance(today, user=org.manager, today=today + dt.timedelta(days=1))
    assert [c.overdue for c in later if c.responsible_id == org.rep.pk] == [2]


def test_r_freq_9_picked_up_by_plan_generation(org, mine):
    """R-PLAN-4 for R-FREQ-9: the plan draft holds the return visit, in its channel, from its window."""
    from baifang.plans.drafting import special_needs

    _rule("repair", channel="phone", offset=10, offset_unit="days")
    today = timezone.localdate()
    events.happened(mine, EventKind.REPAIR_DONE, ref="job:1", on=today, by=org.rep)
    [need] = special_needs(org.rep, today, today + dt.timedelta(days=30), today)
    assert need.customer_id == mine.pk and need.plan_channel == "phone" and "phone" in need.channels
    assert need.earliest == today and need.latest == today + dt.timedelta(days=10)


# --- the events: complaints and service jobs ---------------------------------------------------------


def test_r_freq_9_closing_a_complaint_owes_its_return_visit(org, mine):
    """R-FREQ-9 / R-COMP-2: closing a complaint raises the complaint return visit, once."""
    from baifang.complaints import services as complaint_services
    from baifang.complaints.defaults import ensure_default_categories
    from baifang.complaints.models import ComplaintCategory

    _rule("complaint", EventKind.COMPLAINT_CLOSED, offset=2, offset_unit="workdays")
    ensure_default_categories()
    intake = complaint_services.Intake(
        customer=mine,
        channel="phone",
        category=ComplaintCategory.objects.first(),
        subject="送货晚到",
        description="客户来电投诉送货晚到。",
        received_at=timezone.now(),
    )
    complaint = complaint_services.receive(intake, by=org.rep, key="c1")
    for step, data in (
        ("investigate", {"findings": "确认晚到"}),
        ("find_not_valid", {"explanation": "天气原因，已向客户解释。"}),
        ("ask_satisfaction", {"satisfaction": "satisfied"}),
    ):
        complaint = complaint_services.advance(complaint, step, by=org.rep, **data)
    assert not SpecialVisit.objects.filter(trigger="return_visit").exists()
    complaint_services.advance(complaint, "close", by=org.rep)
    [visit] = SpecialVisit.objects.filter(trigger="return_visit")
    assert visit.customer == mine and visit.dedup_key == f"r{visit.return_rule_id}:complaint:{complaint.pk}:0"


def test_r_freq_9_recording_a_service_job_owes_the_return_visit_once(org, mine):
    """R-FREQ-9: a repair recorded twice (double submit) is one job and one return visit."""
    _rule("repair")
    day = timezone.localdate() - dt.timedelta(days=7)
    first = record_service_job(mine, kind="repair", number="2026001", done_on=day, by=org.rep)
    again = record_service_job(mine, kind="repair", number="2026001", done_on=day, by=org.rep)
    assert first.pk == again.pk and ServiceJob.objects.count() == 1
    [visit] = SpecialVisit.objects.all()
    assert visit.due_on == day + dt.timedelta(days=10) and visit.event_on == day
    with pytest.raises(ValidationError):
        record_service_job(mine, kind="maintenance", number="2026001", done_on=day, by=org.rep)
    with pytest.raises(ValidationError):
        record_service_job(
            mine,
            kind="repair",
            number="2026002",
            done_on=timezone.localdate() + dt.timedelta(days=1),
            by=org.rep,
        )


# --- pages and API: permissions, outsiders, query counts ------------------------------------------


def test_return_rule_api_crud_and_permissions(org):
    """R-FREQ-9: everyone reads the rules; only the market department and admins write them."""
    body = {
        "code": "repair",
        "name": "修理后回访",
        "event": "repair_done",
        "channel": "phone",
        "offset": 10,
        "offset_unit": "days",
    }
    assert api_for(org.rep).post("/api/v1/return-visit-rules/", body, format="json").status_code == 403
    created = api_for(org.market).post("/api/v1/return-visit-rules/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api_for(org.rep).get("/api/v1/return-visit-rules/").json()["count"] == 1
    bad = api_for(org.market).patch(
        f"/api/v1/return-visit-rules/{pk}/", {"repeat_every_months": 6}, format="json"
    )
    assert bad.status_code == 400 and "repeat_until_months" in bad.content.decode()
    ok = api_for(org.market).patch(
        f"/api/v1/return-visit-rules/{pk}/",
        {"repeat_every_months": 6, "repeat_until_months": 24},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["repeat_until_months"] == 24
    assert api_for(org.rep).delete(f"/api/v1/return-visit-rules/{pk}/").status_code == 403


def test_return_rule_pages(org):
    """R-FREQ-9: the rules page lists return-visit rules; only the market department creates and edits."""
    rule = _rule("repair", name="修理后回访")
    assert "修理后回访" in client_for(org.rep).get(reverse("rules:list")).content.decode()
    assert client_for(org.rep).get(reverse("rules:return_rule_create")).status_code == 403
    assert client_for(org.rep).get(reverse("rules:return_rule_edit", args=[rule.pk])).status_code == 403
    response = client_for(org.market).post(
        reverse("rules:return_rule_create"),
        {
            "code": "maint",
            "name": "维护回访",
            "event": "maintenance_done",
            "channel": "any",
            "min_count": 1,
            "offset": 1,
            "offset_unit": "months",
            "responsible": "owner",
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and ReturnVisitRule.objects.filter(code="maint").exists()
    refused = client_for(org.market).post(
        reverse("rules:return_rule_edit", args=[rule.pk]),
        {
            "code": "repair",
            "name": "修理后回访",
            "event": "repair_done",
            "channel": "phone",
            "min_count": 1,
            "offset": 10,
            "offset_unit": "days",
            "repeat_every_months": 6,
            "responsible": "owner",
        },
    )
    assert refused.status_code == 200 and ReturnVisitRule.objects.get(pk=rule.pk).repeat_every_months is None


def test_service_job_api_scoped_outsider_and_query_count(org, mine, other, django_assert_max_num_queries):
    """R-SEC-1 for R-FREQ-9: the service-job list shows the caller's customers only, in a bounded number
    of queries; an outsider gets 404 on another's job and cannot record one for a customer it may not see."""
    _rule("repair")
    day = timezone.localdate()
    for i in range(5):
        record_service_job(mine, kind="repair", number=f"A{i}", done_on=day, by=org.rep)
    theirs = record_service_job(other, kind="repair", number="B1", done_on=day, by=org.outsider)
    client = api_for(org.rep)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/service-jobs/").json()
    assert listed["count"] == 5
    assert client.get(f"/api/v1/service-jobs/{theirs.pk}/").status_code == 404
    refused = client.post(
        "/api/v1/service-jobs/",
        {"customer": other.pk, "kind": "repair", "number": "C1", "done_on": day.isoformat()},
        format="json",
    )
    assert refused.status_code == 400 and not ServiceJob.objects.filter(number="C1").exists()
    created = client.post(
        "/api/v1/service-jobs/",
        {"customer": mine.pk, "kind": "repair", "number": "C2", "done_on": day.isoformat()},
        format="json",
    )
    assert created.status_code == 201
    assert SpecialVisit.objects.filter(dedup_key__contains="job:C2").count() == 1


def test_service_job_pages_scoped_and_create(org, mine, other, django_assert_max_num_queries):
    """R-SEC-1: the service-job page lists only visible customers' jobs; recording one owes its return visit."""
    _rule("repair")
    day = timezone.localdate()
    for i in range(5):
        record_service_job(mine, kind="repair", number=f"A{i}", done_on=day, by=org.rep)
    record_service_job(other, kind="repair", number="B1", done_on=day, by=org.outsider)
    client = client_for(org.rep)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("commerce:service_jobs")).content.decode()
    assert "我的维修客户" in html and "别人的维修客户" not in html
    refused = client.post(
        reverse("commerce:service_job_create"),
        {"customer_code": other.code, "kind": "repair", "number": "X1", "done_on": day.isoformat()},
    )
    assert refused.status_code == 200 and not ServiceJob.objects.filter(number="X1").exists()
    ok = client.post(
        reverse("commerce:service_job_create"),
        {"customer_code": mine.code, "kind": "repair", "number": "X2", "done_on": day.isoformat()},
    )
    assert ok.status_code == 302
    assert SpecialVisit.objects.filter(dedup_key__contains="job:X2", responsible=org.rep).count() == 1


def test_presets_ship_the_seed_004_return_visits(db):
    """R-FREQ-9 ships as data: 汽修 10 days, 项目 a month then every half year, 维护 a month, 投诉, 物业."""
    from baifang.presets import loader

    assert loader.load("after-sales").return_rules == 5
    loader.load("property")
    assert loader.load("after-sales").return_rules == 0  # loading again keeps what is there
    repair = ReturnVisitRule.objects.get(code="s004-repair-return")
    assert (repair.event, repair.offset, repair.offset_unit) == ("repair_done", 10, "days")
    project = ReturnVisitRule.objects.get(code="s004-acceptance-return")
    assert (project.offset, project.offset_unit, project.repeat_every_months) == (1, "months", 6)
    assert set(
        ReturnVisitRule.objects.filter(code__startswith="s004-property").values_list("event", flat=True)
    ) == {"repair_done", "complaint_closed", "customer_request"}


@pytest.fixture
def jobs_at_once(settings, tmp_path):
    """Queued import jobs run in the test (huey's immediate mode: the real task); uploads in tmp."""
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = tmp_path
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


def test_r_freq_9_service_jobs_import_owes_return_visits_once(
    org, mine, jobs_at_once, django_capture_on_commit_callbacks
):
    """R-FREQ-9: service jobs are importable like orders; a re-import of the same file owes nothing more;
    an unknown kind, a future date or an unknown customer refuses the whole file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from baifang.core import imports
    from baifang.core.choices import ImportStatus

    _rule("repair")
    mine.code = "KH900"
    mine.save()
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    good = f"服务单号,服务类型,完成日期,客户编码,备注\nWX1,维修,{day},KH900,更换压缩机\nWX2,保养,{day},KH900,\n".encode()

    def run(data: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            batch = imports.start(
                "commerce.service_jobs", by=org.admin, upload=SimpleUploadedFile("jobs.csv", data)
            )
        batch.refresh_from_db()
        return batch

    batch = run(good)
    assert batch.status == ImportStatus.DONE, batch.errors
    assert dict(ServiceJob.objects.values_list("number", "kind")) == {"WX1": "repair", "WX2": "maintenance"}
    assert SpecialVisit.objects.filter(trigger="return_visit").count() == 1  # only the repair has a rule
    assert run(good).status == ImportStatus.DONE
    assert ServiceJob.objects.count() == 2 and SpecialVisit.objects.count() == 1
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = f"服务单号,服务类型,完成日期,客户编码\nWX3,洗车,{day},KH900\nWX4,维修,{future},KH900\nWX5,维修,{day},NOPE\n"
    refused = run(bad.encode())
    assert refused.status != ImportStatus.DONE
    assert sorted(e["code"] for e in refused.errors) == ["future", "invalid_choice", "unknown_customer"]
    assert not ServiceJob.objects.filter(number__in=["WX3", "WX4", "WX5"]).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_r_freq_9_two_concurrent_runs_owe_each_return_visit_once(org, mine):
    """Issue 13: event jobs idempotent under two concurrent runs on PostgreSQL (threads, real connections):
    the same service job recorded twice at once is one job, its return visits owed once, one notice."""
    import threading

    from baifang.core.models import Notification

    _rule(
        "project",
        EventKind.ACCEPTANCE_DONE,
        offset=1,
        offset_unit="months",
        repeat_every_months=6,
        repeat_until_months=13,
    )
    start, errors = threading.Barrier(2), []
    day = timezone.localdate() - dt.timedelta(days=2)

    def run():
        try:
            start.wait(5)
            record_service_job(mine, kind="acceptance", number="YS1", done_on=day, by=org.rep)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert ServiceJob.objects.count() == 1
    assert sorted(SpecialVisit.objects.values_list("occurrence", flat=True)) == [0, 1, 2]
    assert Notification.objects.filter(kind="return_visit").count() == 1
