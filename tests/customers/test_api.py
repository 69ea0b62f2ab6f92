"""REST API under /api/v1/: scope, outsiders, validation, query counts (R-SEC-1, R-ARCH-*)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from baifang.customers.models import AccessRequest, Contact, Customer, MajorChange
from tests.conftest import api_for
from tests.factories import ContactFactory, CustomerFactory, make_credit_code


def test_anonymous_is_refused(db):
    assert APIClient().get("/api/v1/customers/").status_code in (401, 403)


def test_token_authentication(org, customer):
    token = Token.objects.create(user=org.rep)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/customers/")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == [customer.name]


def test_list_is_scoped(org, customer):
    """R-ORG-4 in the API."""
    CustomerFactory(owner=org.outsider, name="别人的")
    names = {c["name"] for c in api_for(org.rep).get("/api/v1/customers/").json()["results"]}
    assert names == {customer.name}
    assert api_for(org.market).get("/api/v1/customers/").json()["count"] == 2


def _api_list_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/",
        "/api/v1/contacts/",
        "/api/v1/customer-changes/",
        "/api/v1/access-requests/",
        "/api/v1/users/",
        "/api/v1/org-units/",
    ],
)
def test_api_list_query_count_does_not_grow(org, url):
    """No N+1 on API lists."""
    client = api_for(org.market)

    def add(n):
        for i in range(n):
            c = CustomerFactory(owner=org.rep if i % 2 else org.outsider)
            c.co_owners.add(org.teammate)
            ContactFactory(customer=c)
            MajorChange.objects.create(
                customer=c,
                kind="other",
                occurred_on="2026-01-01",
                description="x",
                recorded_by=org.rep,
                report_due="2026-01-08",
            )
            AccessRequest.objects.create(requester=org.market, customer=c, reason="r", approver=org.leader)

    add(2)
    few = _api_list_queries(client, url)
    add(8)
    assert _api_list_queries(client, url) == few <= 8


OUTSIDER_URLS = [
    "/api/v1/customers/{customer}/",
    "/api/v1/contacts/{contact}/",
    "/api/v1/customer-changes/{change}/",
    "/api/v1/competitors/{competitor}/",
    "/api/v1/access-requests/{access}/",
]


@pytest.fixture
def owned_objects(org, customer):
    from baifang.customers.models import Competitor

    return {
        "customer": customer.pk,
        "contact": ContactFactory(customer=customer).pk,
        "change": MajorChange.objects.create(
            customer=customer,
            kind="other",
            occurred_on="2026-01-01",
            description="x",
            recorded_by=org.rep,
            report_due="2026-01-08",
        ).pk,
        "competitor": Competitor.objects.create(customer=customer, name="对手").pk,
        "access": AccessRequest.objects.create(
            requester=org.rep, customer=CustomerFactory(owner=org.teammate), reason="r", approver=org.manager
        ).pk,
    }


@pytest.mark.parametrize("template", OUTSIDER_URLS)
def test_outsider_gets_404_on_every_detail_endpoint(org, owned_objects, template):
    """R-SEC-1: GET, PATCH and DELETE by an outsider all look like 'not found'."""
    url = template.format(**owned_objects)
    client = api_for(org.outsider)
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "x"}, format="json").status_code in (404, 405)
    assert client.delete(url).status_code in (404, 405)


@pytest.mark.parametrize("action", ["register", f"merge/{999999}"])
def test_outsider_gets_404_on_customer_actions(org, customer, action):
    assert api_for(org.outsider).post(f"/api/v1/customers/{customer.pk}/{action}/").status_code == 404


def test_outsider_cannot_add_contacts_to_unseen_customers(org, customer):
    response = api_for(org.outsider).post(
        "/api/v1/contacts/", {"customer": customer.pk, "name": "潜入者"}, format="json"
    )
    assert response.status_code == 400
    assert not Contact.objects.filter(name="潜入者").exists()


def test_reader_with_grant_cannot_write(org, customer):
    """R-ARCH-8: granted access is read-only."""
    from datetime import timedelta

    from django.utils import timezone

    AccessRequest.objects.create(
        requester=org.outsider,
        customer=customer,
        reason="r",
        approver=org.leader,
        status="approved",
        valid_until=timezone.now() + timedelta(days=1),
    )
    client = api_for(org.outsider)
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert client.patch(f"/api/v1/customers/{customer.pk}/", {"notes": "x"}, format="json").status_code == 403
    assert (
        client.post("/api/v1/contacts/", {"customer": customer.pk, "name": "x"}, format="json").status_code
        == 403
    )


def test_create_customer(org):
    response = api_for(org.rep).post(
        "/api/v1/customers/",
        {
            "name": "钱塘新区建材商行",
            "customer_type": "distributor",
            "credit_code": make_credit_code(3),
            "latitude": "30.3",
            "longitude": "120.4",
            "coordinate_system": "GCJ02",
            "first_contact_on": "2025-09-30",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["registration_due"] == "2025-10-14"
    assert body["owner"] == org.rep.pk and body["code"].startswith("KH")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "123"}, "phone"),
        ({"latitude": "91", "longitude": "120"}, "latitude"),
        ({"latitude": "30"}, "latitude"),
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"first_contact_on": "2026-02-30"}, "first_contact_on"),
        ({"retail_grade": 31}, "retail_grade"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(org, payload, field):
    response = api_for(org.rep).post(
        "/api/v1/customers/", {"name": "坏数据商行", "customer_type": "retailer", **payload}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["attr"] == field for e in errors), errors
    assert not Customer.objects.filter(name="坏数据商行").exists()


def test_errors_are_chinese_by_default_and_english_on_request(org):
    client = api_for(org.rep)
    body = {"name": "x商行", "customer_type": "retailer", "phone": "123"}
    zh = client.post("/api/v1/customers/", body, format="json").json()["errors"][0]["detail"]
    en = client.post("/api/v1/customers/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["errors"][
        0
    ]["detail"]
    assert "电话" in zh
    assert "phone" in en


def test_duplicate_is_a_400_with_the_existing_code(org, customer):
    response = api_for(org.outsider).post(
        "/api/v1/customers/", {"name": "杭州华联超市", "customer_type": "retailer"}, format="json"
    )
    assert response.status_code == 400
    assert customer.code in str(response.json())


def test_update_keeps_history(org, customer):
    client = api_for(org.rep)
    response = client.patch(
        f"/api/v1/customers/{customer.pk}/", {"annual_value": "2350000.00"}, format="json"
    )
    assert response.status_code == 200
    assert customer.history.first().history_user == org.rep


def test_major_change_via_api_is_flagged_late(org, customer):
    response = api_for(org.rep).post(
        "/api/v1/customer-changes/",
        {
            "customer": customer.pk,
            "kind": "ownership",
            "occurred_on": "2025-09-30",
            "description": "股权变更",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["report_due"] == "2025-10-14" and response.json()["reported_late"] is True


def test_access_request_flow(org, customer):
    """R-ARCH-8 over the API."""
    response = api_for(org.outsider).post(
        "/api/v1/access-requests/", {"customer": customer.pk, "reason": "协同拜访", "days": 2}, format="json"
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["approver"] == org.leader.pk
    assert api_for(org.manager).post(f"/api/v1/access-requests/{pk}/approve/").status_code == 404
    assert (
        api_for(org.leader)
        .post(f"/api/v1/access-requests/{pk}/approve/", {"note": "同意"}, format="json")
        .status_code
        == 200
    )
    assert (
        api_for(org.leader).post(f"/api/v1/access-requests/{pk}/approve/").status_code == 400
    )  # no double approval
    assert api_for(org.outsider).get(f"/api/v1/customers/{customer.pk}/").status_code == 200


def test_handover_endpoint(org, customer):
    """R-ARCH-7: managers of the leaver's unit or archive admins only."""
    body = {"leaver": org.rep.pk, "successor": org.teammate.pk, "reason": "离职"}
    assert api_for(org.rep).post("/api/v1/handovers/", body, format="json").status_code == 403
    assert api_for(org.manager2).post("/api/v1/handovers/", body, format="json").status_code == 403
    preview = api_for(org.manager).post("/api/v1/handovers/", body, format="json")
    assert preview.status_code == 200 and [c["id"] for c in preview.json()["customers"]] == [customer.pk]
    response = api_for(org.manager).post("/api/v1/handovers/", {**body, "confirm": True}, format="json")
    assert response.status_code == 201 and response.json()["customers"] == 1


def test_merge_is_for_the_market_department(org, customer):
    duplicate = CustomerFactory(owner=org.teammate, name="华联超市杭州店")
    assert (
        api_for(org.manager).post(f"/api/v1/customers/{customer.pk}/merge/{duplicate.pk}/").status_code == 403
    )
    assert (
        api_for(org.market).post(f"/api/v1/customers/{customer.pk}/merge/{duplicate.pk}/").status_code == 200
    )


def test_customers_cannot_be_deleted(org, customer):
    assert api_for(org.market).delete(f"/api/v1/customers/{customer.pk}/").status_code == 405


def test_users_me_and_org_units(org):
    assert api_for(org.rep).get("/api/v1/users/me/").json()["username"] == "rep"
    assert api_for(org.rep).get("/api/v1/org-units/").json()["count"] == 6


def test_calendar_endpoints(db, org):
    client = api_for(org.rep)
    days = client.get("/api/v1/calendar/workdays/", {"start": "2025-10-10", "end": "2025-10-12"}).json()
    assert [d["is_workday"] for d in days] == [True, True, False]
    assert (
        client.get("/api/v1/calendar/workdays/", {"start": "2025-10-12", "end": "2025-10-10"}).status_code
        == 400
    )
    festivals = client.get("/api/v1/calendar/festivals/", {"year": 2026}).json()
    assert {f["code"]: f["date"] for f in festivals}["mid_autumn"] == "2026-09-25"


def test_notifications_are_private(org):
    from baifang.core.models import Notification

    Notification.objects.create(user=org.rep, kind="x", text="只给张三", dedup_key="k")
    assert api_for(org.outsider).get("/api/v1/notifications/").json()["count"] == 0
    assert api_for(org.rep).get("/api/v1/notifications/").json()["count"] == 1


def test_openapi_schema_is_valid(db, org):
    """OpenAPI at /api/schema/, docs at /api/docs/ served without any CDN (R-UX-1)."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    client = api_for(org.rep)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    # Nothing is loaded from another host (a random CSRF token may well contain "cdn").
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", docs)
    assert "/static/drf_spectacular_sidecar/" in docs
