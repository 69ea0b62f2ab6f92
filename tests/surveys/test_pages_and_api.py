"""Survey pages and API: access (outsider 404/403), query counts, the public link (R-SURV-1..4, R-SEC-1)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from baifang.surveys import services
from baifang.surveys.choices import Channel, ResponseSource
from baifang.surveys.models import OpinionGroup, Rectification, SurveyResponse
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _answer_some(campaign, by):
    recipients = list(campaign.recipients.order_by("pk"))
    services.submit_response(
        recipients[0],
        {"power": "satisfied", "water": "dissatisfied"},
        opinion="绿化太少",
        source=ResponseSource.PAPER,
        by=by,
    )
    services.submit_response(recipients[1], {"power": "basic"}, source=ResponseSource.PAPER, by=by)
    return recipients


def test_staff_pages_render(running, cs):
    _answer_some(running, cs)
    client = client_for(cs)
    detail = client.get(reverse("surveys:campaign", args=[running.pk])).content.decode()
    assert all(name in detail for name in ("永辉楼101室", "永辉楼201室", "永辉楼301室", "永富楼101室"))
    listing = client.get(reverse("surveys:campaigns")).content.decode()
    assert running.title in listing
    for name, args in [
        ("surveys:campaigns", []),
        ("surveys:campaign_create", []),
        ("surveys:campaign", [running.pk]),
        ("surveys:campaign_edit", [running.pk]),
        ("surveys:stats", [running.pk]),
        ("surveys:letter", [running.pk]),
        ("surveys:templates", []),
        ("surveys:checks", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    stats = client.get(reverse("surveys:stats", args=[running.pk])).content.decode()
    assert "空白" in stats or "blank" in stats  # the definitions are printed (R-SURV-3)
    xlsx = client.get(reverse("surveys:letter_xlsx", args=[running.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_letter_shows_returned_and_item_rates(running, cs):
    _answer_some(running, cs)
    body = client_for(cs).get(reverse("surveys:letter", args=[running.pk])).content.decode()
    assert "2" in body and "100%" in body and "供电管理" in body


def test_outsider_gets_404_everywhere(running, cs, org):
    """R-SEC-1: a rep with no customer in the campaign sees nothing of it."""
    recipients = _answer_some(running, cs)
    response = SurveyResponse.objects.filter(recipient=recipients[0]).get()
    client = client_for(org.outsider)
    # The outsider owns the fourth household, so hide that one first: a rep of another department entirely.
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger", unit=org.sales2, position="field_rep")
    client = client_for(stranger)
    for name, args in [
        ("surveys:campaign", [running.pk]),
        ("surveys:campaign_edit", [running.pk]),
        ("surveys:stats", [running.pk]),
        ("surveys:letter", [running.pk]),
        ("surveys:letter_xlsx", [running.pk]),
        ("surveys:enter", [running.pk, recipients[2].pk]),
        ("surveys:response", [response.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name in ["start", "close", "cancel"]:
        assert client.post(reverse("surveys:transition", args=[running.pk, name])).status_code == 404
    assert client.post(reverse("surveys:recipients_add", args=[running.pk])).status_code == 404
    assert client.post(reverse("surveys:remind", args=[running.pk])).status_code == 404
    assert client.get(reverse("surveys:campaign_create")).status_code == 403
    api = api_for(stranger)
    assert api.get(f"/api/v1/survey-campaigns/{running.pk}/").status_code == 404
    assert api.get(f"/api/v1/survey-campaigns/{running.pk}/statistics/").status_code == 404
    assert api.get(f"/api/v1/survey-responses/{response.pk}/").status_code == 404
    assert api.get("/api/v1/survey-campaigns/").json()["results"] == []
    assert api.post("/api/v1/survey-campaigns/", {}, format="json").status_code in (400, 403)


def test_a_rep_sees_only_their_households(running, cs, org):
    recipients = _answer_some(running, cs)
    page = client_for(org.outsider).get(reverse("surveys:campaign", args=[running.pk])).content.decode()
    assert "永富楼101室" in page and "永辉楼101室" not in page
    # and may not open another rep's household's answer
    response = SurveyResponse.objects.get(recipient=recipients[0])
    assert client_for(org.outsider).get(reverse("surveys:response", args=[response.pk])).status_code == 404
    # nor run the campaign
    assert (
        client_for(org.outsider).post(reverse("surveys:transition", args=[running.pk, "close"])).status_code
        == 403
    )
    running.refresh_from_db()
    assert running.can_close(org.outsider) is False


def test_pages_lists_query_counts(running, cs, org, django_assert_max_num_queries):
    for n in range(30):
        c = CustomerFactory(name=f"楼{n}", owner=org.rep)
        services.add_recipients(running, [c], by=cs)
    _answer_some(running, cs)
    client = client_for(cs)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("surveys:campaigns")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("surveys:campaign", args=[running.pk])).status_code == 200
    with django_assert_max_num_queries(35):
        assert client.get(reverse("surveys:stats", args=[running.pk])).status_code == 200
    api = api_for(cs)
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/survey-campaigns/").status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get(f"/api/v1/survey-campaigns/{running.pk}/recipients/").status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/survey-responses/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api.get("/api/v1/survey-templates/").status_code == 200


def test_public_link_page_without_login(running):
    """R-SURV-2: the link opens without login, takes the answers once; a second visit says so in Chinese."""
    recipient = running.recipients.order_by("pk").first()
    client = client_for(recipient.campaign.owner)
    client.logout()
    url = reverse("surveys:answer", args=[recipient.token])
    page = client.get(url)
    assert page.status_code == 200 and "供电管理" in page.content.decode()
    done = client.post(url, {"item_power": "satisfied", "item_water": "basic", "opinion": "很好"})
    assert done.status_code == 200 and "感谢" in done.content.decode()
    assert SurveyResponse.objects.get().opinion == "很好"
    again = client.get(url)
    assert again.status_code == 410 and "已经" in again.content.decode()
    assert client.post(url, {"item_power": "dissatisfied"}).status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_public_link_refuses_tampering_and_off_scale(running):
    recipient = running.recipients.order_by("pk").first()
    from django.test import Client

    client = Client()
    tampered = client.get(reverse("surveys:answer", args=[recipient.token[:-3] + "abc"]))
    assert tampered.status_code == 404 and "无效" in tampered.content.decode()
    refused = client.post(reverse("surveys:answer", args=[recipient.token]), {"item_power": "great"})
    assert refused.status_code == 200  # the form shows the error
    assert not SurveyResponse.objects.exists()


def test_staff_enter_page_records_paper_answers(running, cs):
    recipient = running.recipients.order_by("pk").first()
    url = reverse("surveys:enter", args=[running.pk, recipient.pk])
    client = client_for(cs)
    assert client.get(url).status_code == 200
    response = client.post(url, {"source": "paper", "answered_on": "2026-01-05", "item_power": "satisfied"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().source == ResponseSource.PAPER
    second = client.post(url, {"source": "paper", "answered_on": "2026-01-05", "item_power": "dissatisfied"})
    assert second.status_code == 200 and SurveyResponse.objects.count() == 1


def test_campaign_flow_through_the_pages(cs, owner_template, households):
    client = client_for(cs)
    created = client.post(
        reverse("surveys:campaign_create"),
        {
            "template": owner_template.pk,
            "title": "业主调查",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
    )
    assert created.status_code == 302
    campaign = owner_template.campaigns.get()
    client.post(
        reverse("surveys:recipients_add", args=[campaign.pk]),
        {"customer_type": "household", "address": "永辉楼"},
    )
    assert campaign.recipients.count() == 3
    ids = list(campaign.recipients.values_list("pk", flat=True))
    client.post(
        reverse("surveys:recipients_distribute", args=[campaign.pk]),
        {"recipient": ids[:2], "channel": "paper", "action": "distribute"},
    )
    assert campaign.recipients.filter(channel=Channel.PAPER).count() == 2
    client.post(reverse("surveys:transition", args=[campaign.pk, "start"]))
    campaign.refresh_from_db()
    assert campaign.can_close(cs)
    stats = reverse("surveys:stats", args=[campaign.pk])
    client.post(stats, {"action": "group", "group-name": "绿化不足"})
    group = OpinionGroup.objects.get()
    power = campaign.template.items.get(code="power")
    rect = {
        "action": "rectification",
        "rect-item": power.pk,
        "rect-owner": cs.pk,
        "rect-due_on": "2026-12-31",
    }
    client.post(stats, rect)
    assert not Rectification.objects.exists()  # what will be done is required
    client.post(stats, {**rect, "rect-action": "更换老化线路"})
    assert Rectification.objects.get().action == "更换老化线路"
    recipient = campaign.recipients.order_by("pk").first()
    services.submit_response(
        recipient, {"power": "satisfied"}, opinion="绿化少", source=ResponseSource.PAPER, by=cs
    )
    response = SurveyResponse.objects.get()
    client.post(stats, {"action": "assign", "response": response.pk, "group": group.pk})
    response.refresh_from_db()
    assert response.opinion_group == group
    # R-SURV-3: the per-item chart draws the table's rates (an item nobody answered: no bar)
    page = client.get(stats)
    chart = json.loads(re.search(r'id="item-chart-data"[^>]*>(.*?)</script>', page.content.decode()).group(1))
    items = list(campaign.template.items.order_by("order", "pk"))
    assert chart["labels"][0] == f"1. {items[0].label}" and len(chart["values"]) == len(items)
    assert chart["values"][[i.code for i in items].index("power")] == 100
    assert chart["values"].count(None) == len(items) - 1
    assert "vendor/echarts/echarts.min.js" in page.content.decode()


def test_api_campaign_lifecycle(cs, owner_template, households):
    api = api_for(cs)
    created = api.post(
        "/api/v1/survey-campaigns/",
        {
            "template": owner_template.pk,
            "title": "API 调查",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.post(f"/api/v1/survey-campaigns/{pk}/start/").status_code == 400  # no recipients yet
    added = api.post(
        f"/api/v1/survey-campaigns/{pk}/add-recipients/", {"customer_type": "household"}, format="json"
    )
    assert added.json() == {"added": 4}
    recipients = api.get(f"/api/v1/survey-campaigns/{pk}/recipients/").json()["results"]
    # an unknown state answers the documented code on the parameter, as every filtered list does
    wrong_state = api.get(f"/api/v1/survey-campaigns/{pk}/recipients/", {"state": "lost"})
    assert wrong_state.status_code == 400 and [
        (e["attr"], e["code"]) for e in wrong_state.json()["errors"]
    ] == [("state", "invalid_choice")]
    api.post(
        f"/api/v1/survey-campaigns/{pk}/distribute/",
        {"recipients": [r["id"] for r in recipients], "channel": "paper"},
        format="json",
    )
    assert api.post(f"/api/v1/survey-campaigns/{pk}/start/").json()["status"] == "running"
    entered = api.post(
        "/api/v1/survey-responses/",
        {"recipient": recipients[0]["id"], "answers": {"power": "satisfied", "water": ""}, "source": "paper"},
        format="json",
    )
    assert entered.status_code == 201 and entered.json()["answers"] == {"power": "satisfied"}
    off_scale = api.post(
        "/api/v1/survey-responses/",
        {"recipient": recipients[1]["id"], "answers": {"power": "9"}, "source": "paper"},
        format="json",
    )
    assert off_scale.status_code == 400
    twice = api.post(
        "/api/v1/survey-responses/",
        {"recipient": recipients[0]["id"], "answers": {"power": "basic"}, "source": "paper"},
        format="json",
    )
    assert twice.status_code == 400 and twice.json()["errors"][0]["code"] == "link_used"
    stats = api.get(f"/api/v1/survey-campaigns/{pk}/statistics/").json()
    assert stats["returned"] == 1 and stats["distribution_rate"] == 1.0 and stats["return_rate"] == 0.25
    assert stats["overall"] == {"satisfied": 1, "answered": 1, "rate": 1.0, "percent": 100}
    assert len(stats["definitions"]) == 3
    assert (
        api.post(f"/api/v1/survey-campaigns/{pk}/cancel/", {"reason": ""}, format="json").status_code == 400
    )
    assert api.post(f"/api/v1/survey-campaigns/{pk}/close/").json()["status"] == "closed"


def test_api_post_visit_check(org, customer):
    from baifang.surveys.models import SurveyTemplate

    template = SurveyTemplate.objects.get(code="after-visit")
    api = api_for(org.rep)
    done = api.post(
        "/api/v1/survey-responses/",
        {"customer": customer.pk, "template": template.pk, "answers": {"punctual": "5"}, "source": "phone"},
        format="json",
    )
    assert done.status_code == 201
    other = api_for(org.outsider).post(
        "/api/v1/survey-responses/",
        {"customer": customer.pk, "template": template.pk, "answers": {"punctual": "5"}, "source": "phone"},
        format="json",
    )
    assert other.status_code == 404
