"""Open questions answered within 3 working days (R-VISIT-7) and commitments from visit records (R-FU-1):
due dates, answers, overdue flags, reminders (idempotent), pages, API, scope and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.core.calendar import is_workday, workdays_between
from baifang.core.models import Notification
from baifang.followups import services as followup
from baifang.followups.models import Commitment, OpenQuestion
from baifang.followups.tasks import follow_up_reminders
from baifang.visits import services
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW
from tests.visits.test_pages import _queries


def _visit(org, customer, clock=None, minutes=20):
    touch = services.check_in(org.rep, customer)
    if clock is not None:
        clock.shift(dt.timedelta(minutes=minutes))
    services.check_out(org.rep, touch)
    return touch


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_question_due_is_three_working_days_later(db, asked_on):
    """R-VISIT-7: the answer is due on the 3rd Chinese working day after the day it was asked."""
    due = followup.question_due_on(asked_on)
    assert due > asked_on and is_workday(due) and workdays_between(asked_on, due) == 3


def test_question_due_skips_the_weekend(org, shop, clock):
    """R-VISIT-7: asked on Tuesday 2026-03-10 → due Friday; asked Thursday → due next Tuesday."""
    touch = _visit(org, shop, clock)
    assert followup.record_question(org.rep, touch, text="新品价格？").due_on == dt.date(2026, 3, 13)
    assert followup.question_due_on(dt.date(2026, 3, 12)) == dt.date(2026, 3, 17)


def test_answer_overdue_and_owner_told(org, shop, clock):
    """R-VISIT-7: someone else answers with text; the owner is notified; overdue ones are flagged."""
    touch = _visit(org, shop, clock)
    question = followup.record_question(org.rep, touch, text="能否月结？", asked_by_name="王老板")
    assert not question.is_overdue(dt.date(2026, 3, 13)) and question.is_overdue(dt.date(2026, 3, 16))
    with pytest.raises(ValidationError):
        followup.answer_question(org.manager, question, text="  ")
    followup.answer_question(org.manager, question, text="可以，按季度结算")
    question.refresh_from_db()
    assert question.status == "answered" and question.answered_by == org.manager
    assert not question.is_overdue(dt.date(2026, 4, 1))
    assert Notification.objects.filter(user=org.rep, kind="question_answered").count() == 1
    with pytest.raises(ValidationError):
        followup.answer_question(org.manager, question, text="again")


def test_only_the_visitor_records_questions(org, shop, clock):
    touch = _visit(org, shop, clock)
    with pytest.raises(PermissionDenied):
        followup.record_question(org.teammate, touch, text="x")


def test_reminders_are_sent_once_and_overdue_reach_the_supervisor(org, shop, clock):
    """R-VISIT-7 / R-FU-1: due today → owner; overdue → owner and supervisor; a re-run sends nothing."""
    touch = _visit(org, shop, clock)
    question = followup.record_question(org.rep, touch, text="价格？")
    record = services.record_for(touch)
    followup.add_commitment(org.rep, record, text="周五送货", due_on=dt.date(2026, 3, 11))
    assert followup.send_reminders(dt.date(2026, 3, 10)) == 0
    assert followup.send_reminders(dt.date(2026, 3, 11)) == 1  # the commitment is due
    assert (
        followup.send_reminders(dt.date(2026, 3, 13)) == 3
    )  # question due → rep; commitment overdue → rep + manager
    assert followup.send_reminders(dt.date(2026, 3, 13)) == 0
    assert followup.send_reminders(dt.date(2026, 3, 16)) == 2  # the question is overdue now
    assert Notification.objects.filter(user=org.manager).count() == 2
    keys = set(Notification.objects.filter(user=org.rep).values_list("dedup_key", flat=True))
    assert f"open_question-overdue:{question.pk}" in keys
    clock.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=NOW.tzinfo))
    assert follow_up_reminders.call_local() == 0  # the task calls the same idempotent service


def test_record_promises_become_commitments_before_submit(org, shop, clock):
    """R-FU-1: promises in the record text need structured commitments with due dates to submit."""
    touch = _visit(org, shop, clock)
    record = services.save_record(org.rep, touch, {"purpose": "sell", "content": "c", "promises": "周五送货"})
    with pytest.raises(ValidationError) as refused:
        services.submit_record(org.rep, record)
    assert "promises" in refused.value.message_dict
    with pytest.raises(ValidationError):
        followup.add_commitment(org.rep, record, text="送货", due_on=dt.date(2026, 3, 9))
    commitment = followup.add_commitment(org.rep, record, text="周五送货", due_on=dt.date(2026, 3, 13))
    services.submit_record(org.rep, record)
    assert commitment.owner == org.rep and commitment.customer == shop
    with pytest.raises(ValidationError):  # the record is submitted now
        followup.add_commitment(org.rep, record, text="更多", due_on=dt.date(2026, 3, 13))


def test_commitment_done_and_cancel(org, shop, clock):
    """R-FU-1: the owner or a manager closes it; cancelling needs a reason; others cannot."""
    touch = _visit(org, shop, clock)
    record = services.record_for(touch)
    first = followup.add_commitment(org.rep, record, text="送样品", due_on=dt.date(2026, 3, 12))
    second = followup.add_commitment(org.rep, record, text="报价", due_on=dt.date(2026, 3, 12))
    with pytest.raises(PermissionDenied):
        followup.complete_commitment(org.teammate, first)
    followup.complete_commitment(org.rep, first, note="已送")
    with pytest.raises(ValidationError):
        followup.cancel_commitment(org.manager, second, reason="")
    followup.cancel_commitment(org.manager, second, reason="客户不需要了")
    assert {c.status for c in Commitment.objects.all()} == {"done", "cancelled"}


def test_record_form_adds_promises_and_today_lists_them(org, shop, clock):
    """R-FU-1 / R-VISIT-7 on the phone: a promise with a due date in the record form; the today page
    lists open questions and commitments, soonest due first, overdue flagged."""
    touch = _visit(org, shop, clock)
    client = client_for(org.rep)
    url = reverse("visits:record", args=[touch.pk])
    response = client.post(url, {"action": "save", "promises": "周五送货", "new_commitment": "周五送货"})
    assert response.status_code == 200 and "has-error" in response.content.decode()  # no due date
    client.post(
        url,
        {
            "action": "save",
            "promises": "周五送货",
            "new_commitment": "周五送货",
            "new_commitment_due": "2026-03-13",
        },
    )
    assert Commitment.objects.get().due_on == dt.date(2026, 3, 13)
    client.post(reverse("followups:question_new", args=[touch.pk]), {"text": "能否月结？"})
    client.post(reverse("followups:question_new", args=[touch.pk]), {"text": "新品何时到？"})
    OpenQuestion.objects.filter(text="新品何时到？").update(due_on=dt.date(2026, 3, 9))
    html = client.get(reverse("visits:today")).content.decode()
    assert "周五送货" in html and html.index("新品何时到") < html.index("能否月结") and "badge-bad" in html


def test_pages_answer_a_question_and_close_a_commitment(org, shop, clock):
    touch = _visit(org, shop, clock)
    question = followup.record_question(org.rep, touch, text="能否月结？")
    commitment = followup.add_commitment(
        org.rep, services.record_for(touch), text="送货", due_on=dt.date(2026, 3, 12)
    )
    manager = client_for(org.manager)
    assert "能否月结" in manager.get(reverse("followups:questions")).content.decode()
    manager.post(reverse("followups:question", args=[question.pk]), {"text": "可以"})
    question.refresh_from_db()
    assert question.answer == "可以"
    rep = client_for(org.rep)
    refused = rep.post(
        reverse("followups:commitment", args=[commitment.pk]), {"action": "cancel", "note": ""}
    )
    assert refused.status_code == 200 and "banner-error" in refused.content.decode()
    rep.post(reverse("followups:commitment", args=[commitment.pk]), {"action": "done"})
    commitment.refresh_from_db()
    assert commitment.status == "done"


def test_outsider_gets_404_on_question_and_commitment_pages_and_api(org, shop, clock):
    """R-SEC-1."""
    touch = _visit(org, shop, clock)
    question = followup.record_question(org.rep, touch, text="价格？")
    commitment = followup.add_commitment(
        org.rep, services.record_for(touch), text="送货", due_on=dt.date(2026, 3, 12)
    )
    client = client_for(org.outsider)
    assert client.get(reverse("followups:question", args=[question.pk])).status_code == 404
    assert client.post(reverse("followups:question", args=[question.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("followups:question_new", args=[touch.pk])).status_code == 404
    assert client.get(reverse("followups:commitment", args=[commitment.pk])).status_code == 404
    assert (
        client.post(reverse("followups:commitment", args=[commitment.pk]), {"action": "done"}).status_code
        == 404
    )
    assert "价格" not in client.get(reverse("followups:questions")).content.decode()
    api = api_for(org.outsider)
    for url in (f"/api/v1/open-questions/{question.pk}/", f"/api/v1/commitments/{commitment.pk}/"):
        assert api.get(url).status_code == 404
    assert api.post(f"/api/v1/open-questions/{question.pk}/answer/", {"text": "x"}).status_code == 404
    assert api.post(f"/api/v1/commitments/{commitment.pk}/done/", {}).status_code == 404
    assert api.post("/api/v1/open-questions/", {"touch": touch.pk, "text": "x"}).status_code == 404
    assert (
        api.post("/api/v1/commitments/", {"touch": touch.pk, "text": "x", "due_on": "2026-03-12"}).status_code
        == 404
    )
    assert api.get("/api/v1/open-questions/").json()["count"] == 0
    assert api.get("/api/v1/commitments/").json()["count"] == 0


def test_api_questions_and_commitments(org, shop, clock):
    """R-VISIT-7 and R-FU-1 over the API; creates are idempotent."""
    touch = _visit(org, shop, clock)
    api = api_for(org.rep)
    body = {"touch": touch.pk, "text": "能否月结？"}
    first = api.post("/api/v1/open-questions/", body, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    api.post("/api/v1/open-questions/", body, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    assert (
        first.status_code == 201
        and first.json()["due_on"] == "2026-03-13"
        and OpenQuestion.objects.count() == 1
    )
    answered = api_for(org.manager).post(
        f"/api/v1/open-questions/{first.json()['id']}/answer/", {"text": "可以"}
    )
    assert answered.json()["status"] == "answered"
    made = api.post(
        "/api/v1/commitments/", {"touch": touch.pk, "text": "送货", "due_on": "2026-03-12"}, format="json"
    )
    assert made.status_code == 201 and made.json()["owner"] == org.rep.pk
    pk = made.json()["id"]
    assert api.post(f"/api/v1/commitments/{pk}/cancel/", {"note": ""}, format="json").status_code == 400
    assert api.post(f"/api/v1/commitments/{pk}/done/", {}, format="json").json()["status"] == "done"
    assert (
        api_for(org.manager)
        .post("/api/v1/commitments/", {"touch": touch.pk, "text": "x", "due_on": "2026-03-12"})
        .status_code
        == 403
    )


def _followups(org, n):
    for _i in range(n):
        customer = CustomerFactory(owner=org.rep)
        touch = services.check_in(org.rep, customer, location_error="x")
        services.check_out(org.rep, touch)
        followup.record_question(org.rep, touch, text="问题")
        followup.add_commitment(org.rep, services.record_for(touch), text="承诺", due_on=dt.date(2026, 3, 12))


def test_follow_up_lists_query_count_does_not_grow(org, clock):
    """No N+1 on the today page, the questions page and the API lists."""
    client, api = client_for(org.rep), api_for(org.manager)
    urls = [
        (client, reverse("visits:today")),
        (client, reverse("followups:questions")),
        (api, "/api/v1/open-questions/"),
        (api, "/api/v1/commitments/"),
    ]
    _followups(org, 2)
    few = [_queries(c, u) for c, u in urls]
    _followups(org, 8)
    assert [_queries(c, u) for c, u in urls] == few
