"""Care API: scope, outsider refusals, query counts, bad input (R-CARE-1..4, R-INFO-1, R-SEC-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baifang.care import services
from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate
from tests.care.conftest import MID_AUTUMN
from tests.conftest import api_for
from tests.factories import ContactFactory

EVE = dt.date(2026, 9, 24)


@pytest.fixture
def ran(book):
    services.run_daily(EVE)
    services.run_daily(MID_AUTUMN)
    return book


def test_task_list_is_scoped_and_flat_in_queries(org, ran, django_assert_max_num_queries):
    for i in range(20):
        ContactFactory(customer=ran.cust_a, name=f"副总{i}", audience_class="I")
    services.generate(EVE)
    api = api_for(org.rep)
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/care-tasks/", {"page_size": 100}).json()["results"]
    assert len(rows) > 40 and {r["customer"] for r in rows} == {ran.cust_a.pk, ran.cust_b.pk}
    outsider = api_for(org.outsider).get("/api/v1/care-tasks/").json()["results"]
    assert {r["contact_name"] for r in outsider} == {"周总"}


def test_task_transitions_over_the_api(org, ran):
    task = CareTask.objects.filter(assignee=org.rep).first()
    api = api_for(org.rep)
    refused = api.post(f"/api/v1/care-tasks/{task.pk}/skip/", {"note": ""}, format="json")
    assert refused.status_code == 400
    assert api.post(f"/api/v1/care-tasks/{task.pk}/complete/", {}, format="json").json()["status"] == "done"
    again = api.post(f"/api/v1/care-tasks/{task.pk}/complete/", {}, format="json")
    assert again.status_code == 400
    assert api_for(org.outsider).post(f"/api/v1/care-tasks/{task.pk}/reopen/").status_code == 404


def test_gift_create_and_scope(org, ran):
    api = api_for(org.rep)
    response = api.post(
        "/api/v1/care-gifts/",
        {
            "customer": ran.cust_a.pk,
            "contact": ran.gm_a.pk,
            "item": "茶叶",
            "cost": "288.00",
            "given_on": "2026-09-20",
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["given_by"] == org.rep.pk
    # A contact of another customer is refused; nothing saved.
    bad = api.post(
        "/api/v1/care-gifts/",
        {
            "customer": ran.cust_a.pk,
            "contact": ran.gm_b.pk,
            "item": "茶叶",
            "cost": "1",
            "given_on": "2026-09-20",
        },
        format="json",
    )
    assert bad.status_code == 400 and Gift.objects.count() == 1
    outsider = api_for(org.outsider)
    assert outsider.get("/api/v1/care-gifts/").json()["results"] == []
    assert (
        outsider.post(
            "/api/v1/care-gifts/", {"customer": ran.cust_a.pk, "item": "x", "cost": "1"}, format="json"
        ).status_code
        == 400
    )


def test_template_api_refuses_unknown_placeholder_and_non_market_writers(org, book):
    market = api_for(org.market)
    bad = market.post("/api/v1/care-templates/", {"name": "坏", "body": "{nmae}您好"}, format="json")
    assert bad.status_code == 400 and "placeholder_unknown" in bad.content.decode()
    assert not MessageTemplate.objects.filter(name="坏").exists()
    assert (
        market.post(
            "/api/v1/care-templates/", {"name": "好", "body": "{name}您好"}, format="json"
        ).status_code
        == 201
    )
    assert (
        api_for(org.rep)
        .post("/api/v1/care-templates/", {"name": "x", "body": "y"}, format="json")
        .status_code
        == 403
    )
    assert api_for(org.rep).get("/api/v1/care-templates/").status_code == 200


def test_batch_api_create_counts_and_outsider(org, ran, django_assert_max_num_queries):
    template = MessageTemplate.objects.get(name="节日问候短信")
    api = api_for(org.rep)
    response = api.post(
        "/api/v1/care-batches/",
        {"template": template.pk, "occasion": "新品上市", "customers": [ran.cust_a.pk]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["counts"]["pending"] == 2
    services.send_pending()
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/care-batches/").json()["results"]
    assert {r["occasion_label"] for r in rows} == {"中秋节", "新品上市"}
    batch = MessageBatch.objects.get(occasion_key="custom:新品上市")
    assert api.get(f"/api/v1/care-batches/{batch.pk}/").json()["counts"]["sent"] == 2
    assert api_for(org.outsider).get(f"/api/v1/care-batches/{batch.pk}/").status_code == 404
    assert api_for(org.outsider).post(f"/api/v1/care-batches/{batch.pk}/retry/").status_code == 404
    # The outsider's batch to rep's customer greets nobody: out of scope.
    empty = api_for(org.outsider).post(
        "/api/v1/care-batches/",
        {"template": template.pk, "occasion": "x", "customers": [ran.cust_a.pk]},
        format="json",
    )
    assert empty.status_code == 400 and "empty_batch" in empty.content.decode()


def test_messages_api_delivery_status(org, ran, django_assert_max_num_queries):
    api = api_for(org.rep)
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/care-messages/").json()["results"]
    assert {r["contact_name"]: r["delivery"] for r in rows} == {"陈采购": "sent", "赵店长": "sent"}
    assert api_for(org.outsider).get("/api/v1/care-messages/").json()["results"] == []


def test_opt_out_api(org, ran):
    api = api_for(org.rep)
    created = api.post("/api/v1/care-opt-outs/", {"contact": ran.gm_a.pk, "reason": "不需要"}, format="json")
    assert created.status_code == 201
    assert api_for(org.outsider).delete(f"/api/v1/care-opt-outs/{created.json()['id']}/").status_code == 404
    assert (
        api_for(org.outsider)
        .post("/api/v1/care-opt-outs/", {"contact": ran.gm_a.pk}, format="json")
        .status_code
        == 400
    )
    assert api.delete(f"/api/v1/care-opt-outs/{created.json()['id']}/").status_code == 204


def test_feedback_api_and_quota(org, book, django_assert_max_num_queries):
    api = api_for(org.rep)
    response = api.post(
        "/api/v1/feedback-forms/", {"customer": book.cust_a.pk, "credit": "回款放缓"}, format="json"
    )
    assert response.status_code == 201 and response.json()["grade"] == "A"
    empty = api.post("/api/v1/feedback-forms/", {"customer": book.cust_a.pk}, format="json")
    # the model's whole-object error ("__all__") answers on non_field_errors, the key the schema documents
    assert (
        empty.status_code == 400
        and empty.json()["errors"]
        == [
            {
                "code": "empty_feedback",
                "detail": empty.json()["errors"][0]["detail"],
                "attr": "non_field_errors",
            }
        ]
        and FeedbackForm.objects.count() == 1
    )
    assert (
        api_for(org.outsider)
        .post("/api/v1/feedback-forms/", {"customer": book.cust_a.pk, "credit": "x"}, format="json")
        .status_code
        == 400
    )
    form_id = response.json()["id"]
    assert api_for(org.outsider).get(f"/api/v1/feedback-forms/{form_id}/").status_code == 404
    assert api.post(f"/api/v1/feedback-forms/{form_id}/read/").status_code == 403
    assert (
        api_for(org.market).post(f"/api/v1/feedback-forms/{form_id}/read/").json()["read_by"] == org.market.pk
    )
    with django_assert_max_num_queries(8):
        rows = api_for(org.manager).get("/api/v1/feedback-quota/").json()
    assert [(r["department_name"], r["filed"], r["still_needed"]) for r in rows] == [("营销一部", 1, 4)]
    assert api.get("/api/v1/feedback-quota/", {"month": "2026-13"}).status_code == 400
    assert api_for(org.outsider).get("/api/v1/feedback-quota/").json()[0]["department_name"] == "营销二部"


def test_messages_are_never_duplicated_through_the_api(org, ran):
    template = MessageTemplate.objects.get(name="节日问候短信")
    api = api_for(org.rep)
    for _ in range(2):
        api.post("/api/v1/care-batches/", {"template": template.pk, "festival": "spring"}, format="json")
    key = services.festival_occasion("spring", timezone.localdate())[0]
    greeted = Message.objects.filter(occasion_key=key)
    # rep's two customers have two contacts each: four greetings, however often the batch is posted.
    assert greeted.count() == greeted.values("contact").distinct().count() == 4
