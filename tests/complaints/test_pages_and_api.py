"""Complaint pages and API: scope (outsiders get 404/403 everywhere), intake from a visit, steps by
page and API, the Excel export, the R-COMP-3 report, query counts (R-COMP-1..4, R-ORG-4)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baifang.complaints import services
from baifang.complaints.choices import ComplaintStatus as S
from baifang.complaints.models import Complaint
from baifang.core.models import AuditLog
from baifang.visits.models import Touch
from tests.complaints.conftest import NOT_VALID_PATH, VALID_PATH, category, receive, walk
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(desk, customer):
    return receive(customer, desk.cs)


def _pages(complaint):
    pk = complaint.pk
    return [
        reverse("complaints:detail", args=[pk]),
        f"/api/v1/complaints/{pk}/",
    ]


def _posts(complaint, org):
    pk = complaint.pk
    return [
        (reverse("complaints:step", args=[pk, "investigate"]), {"investigate-findings": "查明"}),
        (reverse("complaints:hand_on", args=[pk]), {"hand_on-to_user": org.outsider.pk, "hand_on-note": "x"}),
    ]


def test_outsider_gets_404_on_every_complaint_page_and_endpoint(org, complaint):
    """R-ORG-4: someone who cannot see the customer sees nothing of its complaints."""
    client, api = client_for(org.outsider), api_for(org.outsider)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404
    for url, data in _posts(complaint, org):
        assert client.post(url, data).status_code == 404
    assert api.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    for step in ("investigate", "find-valid", "find-not-valid", "rectify", "recheck", "ask-satisfaction", "close",
                 "hand-on"):  # fmt: skip
        assert api.post(f"/api/v1/complaints/{complaint.pk}/{step}/", {}, format="json").status_code == 404
    assert api.get("/api/v1/complaints/").json()["count"] == 0
    page = client.get(reverse("complaints:list") + "?state=")
    assert page.status_code == 200 and complaint.subject not in page.content.decode()
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("complaints:export") + "?state=").content)
    ).active
    assert sheet.max_row == 1  # headers only
    assert client.get(reverse("complaints:create") + f"?customer={complaint.customer_id}").status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and not complaint.hand_ons.exists()


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(complaint):
    from django.test import Client

    for url in [reverse("complaints:list"), reverse("complaints:report"), reverse("complaints:create"),
                reverse("complaints:export"), reverse("complaints:detail", args=[complaint.pk])]:  # fmt: skip
        assert Client().get(url).status_code == 302
    from rest_framework.test import APIClient

    for url in ["/api/v1/complaints/", f"/api/v1/complaints/{complaint.pk}/", "/api/v1/complaints/valid-counts/",
                "/api/v1/complaint-categories/"]:  # fmt: skip
        assert APIClient().get(url).status_code in (401, 403)


def test_who_sees_a_complaint(org, desk, complaint, other_customer):
    """The customer's owner and managers, the complaint's owner, customer service company-wide, the
    company-wide positions; not the other department."""
    other = receive(other_customer, desk.cs)
    seen = {u.username: set(Complaint.objects.visible_to(u).values_list("pk", flat=True)) for u in
            [org.rep, org.teammate, org.manager, org.manager2, org.outsider, org.leader, org.market, desk.cs]}  # fmt: skip
    assert seen["rep"] == {complaint.pk} and seen["manager"] == {complaint.pk}
    assert seen["teammate"] == set()
    assert seen["outsider"] == {other.pk} and seen["manager2"] == {other.pk}
    assert seen["leader"] == seen["market"] == seen["cs"] == {complaint.pk, other.pk}


def test_wrong_person_gets_403_on_a_step_page_and_nothing_changes(org, complaint):
    """The customer's rep sees the complaint but cs owns it (首问负责制): 403, nothing moves."""
    client = client_for(org.rep)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200
    url = reverse("complaints:step", args=[complaint.pk, "investigate"])
    assert client.post(url, {"investigate-findings": "我来"}).status_code == 403
    assert client.post(url, {}).status_code == 403
    hand = reverse("complaints:hand_on", args=[complaint.pk])
    assert client.post(hand, {"hand_on-to_user": org.rep.pk, "hand_on-note": "给我"}).status_code == 403
    assert api_for(org.rep).post(f"/api/v1/complaints/{complaint.pk}/investigate/", {"findings": "x"},
                                 format="json").status_code == 403  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.owner.username == "cs"


def test_a_skipped_step_on_the_page_is_refused_with_a_message(org, desk, complaint):
    client = client_for(desk.cs)
    response = client.post(reverse("complaints:step", args=[complaint.pk, "rectify"]),
                           {"rectify-rectification": "先整改"})  # fmt: skip
    assert response.status_code == 400
    assert "不能跳过" in response.content.decode() or "skipped" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_the_flow_on_the_pages(org, desk, complaint):
    client = client_for(desk.cs)
    detail = reverse("complaints:detail", args=[complaint.pk])
    page = client.get(detail).content.decode()
    assert 'id="step-investigate"' in page and 'id="step-rectify"' not in page
    post = {
        "investigate": {"investigate-findings": "查明属实"},
        "find_valid": {"find_valid-responsible_unit": org.sales1.pk, "find_valid-responsible_person": org.rep.pk,
                       "find_valid-customer_told": "已告知", "find_valid-compensation_due": "on",
                       "find_valid-compensation_amount": "150.00"},
        "rectify": {"rectify-rectification": "已整改"},
        "recheck": {"recheck-record": "复查有效"},
        "ask_satisfaction": {"ask_satisfaction-satisfaction": "very_satisfied"},
        "close": {},
    }  # fmt: skip
    for step in VALID_PATH:
        response = client.post(reverse("complaints:step", args=[complaint.pk, step]), post[step])
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.compensation_amount == 150
    page = client.get(detail).content.decode()
    assert 'id="step-' not in page and 'id="hand-on"' not in page


def test_a_step_with_a_missing_record_shows_the_error_and_changes_nothing(org, desk, complaint):
    walk(complaint, org, ["investigate"])
    response = client_for(desk.cs).post(
        reverse("complaints:step", args=[complaint.pk, "find_valid"]), {"find_valid-customer_told": "已告知"}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATED


def test_hand_on_on_the_page(org, desk, complaint):
    client = client_for(desk.cs)
    url = reverse("complaints:hand_on", args=[complaint.pk])
    refused = client.post(url, {"hand_on-to_user": org.outsider.pk, "hand_on-note": "给他"})
    assert refused.status_code == 400 and "外人" in refused.content.decode()
    assert client.post(url, {"hand_on-to_user": org.rep.pk, "hand_on-note": "请上门"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.owner == org.rep
    page = client_for(org.rep).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="step-investigate"' in page and "请上门" in page


def test_intake_page_by_search_and_double_submit(org, desk, customer):
    client = client_for(desk.cs)
    form = client.get(reverse("complaints:create"))
    key = form.context["form"].initial["intake_key"]
    data = {
        "customer_query": "华联",
        "channel": "mailbox",
        "category": category("service").pk,
        "subject": "服务态度差",
        "description": "投诉信箱收到来信。",
        "intake_key": key,
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    first = client.post(reverse("complaints:create"), data)
    second = client.post(reverse("complaints:create"), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().channel == "mailbox"


def test_intake_page_refuses_an_unknown_or_ambiguous_customer(org, desk, customer):
    CustomerFactory(name="杭州华联二店", owner=org.rep, phone="13800000003")
    client = client_for(desk.cs)
    base = {"channel": "phone", "category": category("service").pk, "subject": "s", "description": "d"}
    several = client.post(reverse("complaints:create"), {**base, "customer_query": "华联"})
    assert several.status_code == 200 and "杭州华联二店" in several.content.decode()
    none = client.post(reverse("complaints:create"), {**base, "customer_query": "没有这个客户"})
    assert none.status_code == 200 and not Complaint.objects.exists()


def test_a_complaint_from_a_visit(org, customer):
    """R-COMP-1: the visit page offers the complaint action; the complaint keeps its visit."""
    now = timezone.now()
    touch = Touch.objects.create(customer=customer, user=org.rep, channel="visit", started_at=now,
                                 ended_at=now + dt.timedelta(minutes=20))  # fmt: skip
    rep = client_for(org.rep)
    page = rep.get(reverse("visits:detail", args=[touch.pk])).content.decode()
    create = reverse("complaints:create") + f"?touch={touch.pk}"
    assert create.replace("?", "?") in page
    form = rep.get(create)
    assert form.status_code == 200 and form.context["form"].initial["channel"] == "visit"
    response = rep.post(reverse("complaints:create"), {
        "touch_id": touch.pk, "channel": "visit", "category": category("product_quality").pk,
        "subject": "包装破损", "description": "拜访时客户反映包装破损。", "intake_key": "visit-1"})  # fmt: skip
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.touch == touch and complaint.customer == customer and complaint.owner == org.rep
    # the teammate's visit offers nothing to the rep, and its touch is not the rep's to cite
    assert client_for(org.manager).get(create).status_code == 404


def test_export_has_chinese_headers_and_labels_and_is_audited(org, desk, complaint):
    walk(complaint, org, VALID_PATH)
    response = client_for(desk.cs).get(reverse("complaints:export") + "?state=closed")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "受理时间", "客户")
    assert "已关闭" in rows[1] and "投诉电话" in "".join(str(v) for v in rows[1])
    log = AuditLog.objects.get(action="export", object_type="complaints.complaint")
    assert log.after["filter"] == {"state": "closed"} and log.after["rows"] == 1  # R-SEC-1: with its filter


def test_r_comp_3_three_valid_complaints_in_a_year_are_flagged(org, desk, customer):
    """R-COMP-3: a unit or person with 3 or more valid complaints in a year is flagged (R-KPI-4)."""
    for _ in range(3):
        walk(receive(customer, desk.cs), org, VALID_PATH[:2])
    walk(receive(customer, desk.cs), org, NOT_VALID_PATH)  # not valid: does not count
    rows = services.valid_counts(desk.cs, timezone.localdate().year)
    by = {(r.kind, r.name): r for r in rows}
    assert by[("unit", "营销一部")].count == 3 and by[("unit", "营销一部")].flagged
    assert by[("person", "张三")].count == 3 and by[("person", "张三")].flagged
    assert services.valid_counts(desk.cs, timezone.localdate().year - 1) == []
    api = api_for(desk.cs).get("/api/v1/complaints/valid-counts/?flagged_only=true").json()
    assert {(r["kind"], r["count"], r["flagged"]) for r in api} == {("unit", 3, True), ("person", 3, True)}
    page = client_for(desk.cs).get(reverse("complaints:report")).content.decode()
    assert "营销一部" in page and "badge-bad" in page
    # the other department's manager sees none of it
    assert api_for(org.manager2).get("/api/v1/complaints/valid-counts/").json() == []
    assert "营销一部" not in client_for(org.manager2).get(reverse("complaints:report")).content.decode()


def test_the_report_year_and_bad_query(desk):
    assert api_for(desk.cs).get("/api/v1/complaints/valid-counts/?year=1800").status_code == 400
    assert client_for(desk.cs).get(reverse("complaints:report") + "?year=abc").status_code == 200


def test_list_filters_and_ageing(org, desk, customer):
    old = receive(customer, desk.cs, subject="老投诉", received_at=timezone.now() - dt.timedelta(days=40))
    new = receive(customer, desk.cs, subject="新投诉")
    client = client_for(desk.cs)
    over = client.get(reverse("complaints:list") + "?ageing=31%2B").content.decode()
    assert "老投诉" in over and "新投诉" not in over
    fresh = api_for(desk.cs).get("/api/v1/complaints/?ageing=0-3").json()
    assert [r["id"] for r in fresh["results"]] == [new.pk]
    assert fresh["results"][0]["age_days"] == 0
    walk(old, org, NOT_VALID_PATH)
    assert "老投诉" not in client.get(reverse("complaints:list")).content.decode()  # default: open ones
    assert "老投诉" in client.get(reverse("complaints:list") + "?state=closed").content.decode()
    assert api_for(desk.cs).get(f"/api/v1/complaints/?q={old.reference}").json()["count"] == 1
    assert api_for(desk.cs).get("/api/v1/complaints/?ageing=zzz").status_code == 400
    assert api_for(desk.cs).get("/api/v1/complaints/?received_from=9999-01-01").status_code == 400


def test_api_flow_idempotent_intake_and_errors(org, desk, customer):
    api = api_for(desk.cs)
    body = {"customer": customer.pk, "channel": "online", "category": category("service").pk,
            "subject": "网上投诉", "description": "官网留言。", "intake_key": "web-1"}  # fmt: skip
    first = api.post("/api/v1/complaints/", body, format="json")
    again = api.post("/api/v1/complaints/", body, format="json")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    pk = first.json()["id"]
    assert first.json()["available_steps"] == ["investigate"]
    skipped = api.post(f"/api/v1/complaints/{pk}/close/", {}, format="json")
    assert skipped.status_code == 400 and skipped.json()["errors"][0]["code"] == "invalid_transition"
    missing = api.post(f"/api/v1/complaints/{pk}/investigate/", {"findings": ""}, format="json")
    assert missing.status_code == 400
    steps = {
        "investigate": {"findings": "查明"},
        "find-not-valid": {"explanation": "经核实不成立"},
        "ask-satisfaction": {"satisfaction": "refused"},
        "close": {},
    }
    for step, data in steps.items():
        response = api.post(f"/api/v1/complaints/{pk}/{step}/", data, format="json")
        assert response.status_code == 200, (step, response.json())
    assert response.json()["status"] == "closed"
    assert [c["transition"] for c in response.json()["status_changes"]] == [
        "investigate", "find_not_valid", "ask_satisfaction", "close"]  # fmt: skip


def test_api_hand_on(org, desk, customer):
    pk = receive(customer, desk.cs).pk
    api = api_for(desk.cs)
    refused = api.post(
        f"/api/v1/complaints/{pk}/hand-on/", {"to_user": org.outsider.pk, "note": "x"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "to_user"
    ok = api.post(
        f"/api/v1/complaints/{pk}/hand-on/", {"to_user": org.rep.pk, "note": "请跟进"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["owner"] == org.rep.pk
    assert api_for(org.rep).get(f"/api/v1/complaints/{pk}/").json()["available_steps"] == ["investigate"]


def test_api_intake_for_a_hidden_customer_is_refused(org, other_customer):
    body = {"customer": other_customer.pk, "channel": "phone", "category": category("service").pk,
            "subject": "s", "description": "d"}  # fmt: skip
    response = api_for(org.rep).post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "customer"
    assert not Complaint.objects.exists()


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The queries of each list as the manager sees it, 15 complaints (session, user, positions and scope
# included): the page counts, pages the ids, joins the page's rows, then the filter form's categories
# and units — never the people (the owner filter holds only the chosen one) and never one per row.
LIST_QUERIES = {
    reverse("complaints:list") + "?state=": 15,
    reverse("complaints:list") + "?state=&q=送货": 15,
    "/api/v1/complaints/": 7,
    "/api/v1/complaints/?q=送货": 7,
    reverse("complaints:owner_choices") + "?term=张": 12,
    reverse("complaints:report"): 18,
    "/api/v1/complaints/valid-counts/": 6,
    reverse("complaints:export") + "?state=": 10,
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_lists_do_not_grow_with_the_rows(org, desk, url):
    """No N+1: the same number of queries for 3 and for 15 complaints, and no more than listed."""

    def add(n):
        for i in range(n):
            c = receive(CustomerFactory(owner=org.rep if i % 2 else org.teammate), desk.cs)
            walk(c, org, VALID_PATH[: i % 4])

    is_api = url.startswith("/api/")
    client = api_for(org.manager) if is_api else client_for(org.manager)
    add(3)
    small = _count(client, url)
    add(12)
    assert _count(client, url) == small
    assert small <= LIST_QUERIES[url], small
