"""Archive pages: scope on every page, query counts, clear form errors (R-ORG-4, R-SEC-1, R-UX-1)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baifang.customers.models import AccessRequest, Customer
from tests.conftest import client_for
from tests.factories import ContactFactory, CustomerFactory


def test_login_required(client, customer):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_page_is_chinese_by_default(client, db):
    """R-UX-1: zh-hans is the default language."""
    assert "登录" in client.get(reverse("login")).content.decode()


def test_list_shows_only_visible_customers(org, customer):
    """R-ORG-4: the list starts at visible_to()."""
    CustomerFactory(name="别人的客户", owner=org.outsider)
    html = client_for(org.rep).get(reverse("customers:list")).content.decode()
    assert customer.name in html and "别人的客户" not in html


def _list_queries(client, url="/customers/") -> int:
    client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_page_query_count_does_not_grow_with_rows(org):
    """No N+1: the list page issues the same, small number of queries for 5 or 25 customers."""
    client = client_for(org.manager)
    for i in range(5):
        CustomerFactory(owner=org.rep, name=f"客户{i}", is_key=True).co_owners.add(org.teammate)
    few = _list_queries(client)
    for i in range(5, 25):
        CustomerFactory(owner=org.teammate, name=f"客户{i}", is_key=i % 2 == 0)
    many = _list_queries(client)
    # session, user, positions, scope id lists, filters, count, the page's ids, its rows, notifications,
    # and the user's permissions (two, once: the menu asks whether to show the personal-data entry)
    assert few == many <= 16


def test_list_filters_search_sort_and_paginate(org):
    for i in range(30):
        CustomerFactory(owner=org.rep, name=f"西湖便利店{i:02d}", status="active" if i % 2 else "prospect")
    client = client_for(org.rep)
    html = client.get(reverse("customers:list"), {"q": "便利店07"}).content.decode()
    assert "西湖便利店07" in html and "西湖便利店08" not in html
    html = client.get(reverse("customers:list"), {"status": "prospect", "sort": "name"}).content.decode()
    assert "西湖便利店00" in html and "西湖便利店01" not in html
    page2 = client.get(reverse("customers:list"), {"page": 2}).content.decode()
    assert "第 2 页" in page2 or "Page 2" in page2


def test_list_flag_filter_for_second_knower(org):
    """R-ARCH-6: the list can show important customers known by one person."""
    CustomerFactory(owner=org.rep, name="孤独的重点客户", is_key=True)
    CustomerFactory(owner=org.rep, name="普通客户")
    html = (
        client_for(org.rep).get(reverse("customers:list"), {"flag": "needs_second_knower"}).content.decode()
    )
    assert "孤独的重点客户" in html and "普通客户" not in html


def test_htmx_request_returns_the_results_fragment(org, customer):
    response = client_for(org.rep).get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and customer.name.encode() in response.content


@pytest.mark.parametrize("tab", ["basic", "contacts", "needs", "changes", "history"])
def test_detail_tabs_render_for_the_owner(org, customer, tab):
    ContactFactory(
        customer=customer, name="王总", birthday_calendar="lunar", lunar_birth_month=8, lunar_birth_day=15
    )
    response = client_for(org.rep).get(reverse("customers:detail", args=[customer.pk]), {"tab": tab})
    assert response.status_code == 200
    assert customer.name in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "customers:detail",
        "customers:edit",
        "customers:contact_create",
        "customers:change_create",
        "customers:competitor_create",
        "customers:correspondence_create",
    ],
)
def test_outsider_gets_404_on_every_customer_page(org, customer, url_name):
    """R-SEC-1: a user outside the scope cannot tell the customer exists."""
    for user in (org.outsider, org.teammate):
        response = client_for(user).get(reverse(url_name, args=[customer.pk]))
        assert response.status_code == 404


def test_register_post_by_outsider_is_404(org, customer):
    assert client_for(org.outsider).post(reverse("customers:register", args=[customer.pk])).status_code == 404


def test_leader_can_read_but_not_edit(org, customer):
    client = client_for(org.leader)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 403


def test_create_customer_through_the_form(org):
    response = client_for(org.rep).post(
        reverse("customers:create"),
        {
            "name": "滨江优选超市",
            "customer_type": "retailer",
            "status": "active",
            "first_contact_on": "2026-11-20",
            "coordinate_system": "GCJ02",
            "latitude": "30.2",
            "longitude": "120.2",
            "phone": "13700001111",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(name="滨江优选超市")
    assert customer.owner == org.rep and customer.created_by == org.rep


def test_bad_input_gets_chinese_errors_and_saves_nothing(org):
    """Bad input: clear field errors in Chinese; nothing saved."""
    response = client_for(org.rep).post(
        reverse("customers:create"),
        {
            "name": "坏数据",
            "customer_type": "retailer",
            "status": "active",
            "first_contact_on": "2026-13-45",
            "coordinate_system": "GCJ02",
            "latitude": "95",
            "longitude": "120",
            "phone": "12345",
            "credit_code": "91350100M000100Y44",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Customer.objects.filter(name="坏数据").exists()
    for fragment in ("纬度", "电话", "统一社会信用代码", "日期"):
        assert fragment in html, fragment


def test_errors_are_english_under_the_english_locale(org):
    client = client_for(org.rep)
    client.cookies["django_language"] = "en"
    html = client.post(
        reverse("customers:create"),
        {
            "name": "x",
            "customer_type": "retailer",
            "status": "active",
            "first_contact_on": "2026-11-20",
            "coordinate_system": "GCJ02",
            "phone": "12345",
        },
    ).content.decode()
    assert "Enter a valid phone number" in html


def test_duplicate_is_refused_with_the_existing_code(org, customer):
    """R-ARCH-9 on the page."""
    html = (
        client_for(org.outsider)
        .post(
            reverse("customers:create"),
            {
                "name": "杭州华联超市有限公司",
                "customer_type": "retailer",
                "status": "active",
                "first_contact_on": "2026-11-20",
                "coordinate_system": "GCJ02",
            },
        )
        .content.decode()
    )
    assert customer.code in html
    assert Customer.objects.count() == 1


def test_export_contains_only_visible_customers_and_is_logged(org, customer):
    """R-SEC-1: exports respect scope and are audited."""
    from baifang.core.models import AuditLog

    CustomerFactory(owner=org.outsider, name='=HYPERLINK("x")')
    response = client_for(org.rep).get(reverse("customers:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [customer.name]
    assert AuditLog.objects.filter(action="export", user=org.rep).exists()
    market_sheet = openpyxl.load_workbook(
        io.BytesIO(client_for(org.market).get(reverse("customers:export")).content)
    ).active
    exported = [row[1] for row in market_sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in exported  # formulas are neutralised
    # the personal column (the customer's phone) only in exports by those with the export permission
    phone = str(Customer._meta.get_field("phone").verbose_name)
    assert phone not in [c.value for c in sheet[1]] and phone in [c.value for c in market_sheet[1]]
    filtered = client_for(org.market).get(reverse("customers:export"), {"q": "HYPERLINK"})
    assert filtered.status_code == 200
    assert AuditLog.objects.filter(action="export", user=org.market).order_by("pk").last().after[
        "filter"
    ] == {"q": "HYPERLINK"}


def test_handover_page_is_for_managers_only(org, customer):
    assert client_for(org.rep).get(reverse("customers:handover")).status_code == 403
    body = {"leaver": org.rep.pk, "successor": org.teammate.pk, "reason": "离职"}
    preview = client_for(org.manager).post(reverse("customers:handover"), body)
    customer.refresh_from_db()
    assert customer.owner == org.rep  # a preview changes nothing
    digest = preview.context["plan"].digest
    response = client_for(org.manager).post(
        reverse("customers:handover"), {**body, "confirm": "1", "digest": digest}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == org.teammate


def test_manager_cannot_hand_over_another_departments_people(org):
    CustomerFactory(owner=org.outsider)
    response = client_for(org.manager).post(
        reverse("customers:handover"), {"leaver": org.outsider.pk, "successor": org.rep.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert Customer.objects.filter(owner=org.outsider).count() == 1


def test_access_request_flow_on_pages(org, customer):
    """R-ARCH-8: request by code, leader approves, the requester reads it."""
    outsider = client_for(org.outsider)
    lookup = outsider.get(reverse("customers:lookup"), {"code": customer.code}).content.decode()
    assert customer.name not in lookup  # the name stays hidden until approved
    outsider.post(reverse("customers:access_create", args=[customer.pk]), {"reason": "跨部门合作", "days": 3})
    access = AccessRequest.objects.get()
    assert access.approver == org.leader
    assert (
        client_for(org.manager)
        .post(reverse("customers:access_decide", args=[access.pk, "approve"]))
        .status_code
        == 404
    )
    client_for(org.leader).post(
        reverse("customers:access_decide", args=[access.pk, "approve"]), {"note": "同意"}
    )
    assert outsider.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


def test_home_page_lists_what_needs_doing(org, customer):
    CustomerFactory(owner=org.rep, name="待备案客户", registration_status="pending")
    response = client_for(org.rep).get(reverse("home"))
    assert response.status_code == 200


def test_notifications_page_marks_read(org):
    from baifang.core.models import Notification

    Notification.objects.create(user=org.rep, kind="x", text="提醒一", dedup_key="a")
    client = client_for(org.rep)
    assert "提醒一" in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
