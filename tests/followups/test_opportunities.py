"""Opportunities (商机, R-FU-6) and lost orders (丢单报告, R-FU-5): services, pages, API, analysis, export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from baifang.commerce.models import Product
from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog
from baifang.followups import opportunities as svc
from baifang.followups.choices import OpportunityStage
from baifang.followups.forms import MonthForm
from baifang.followups.models import LostOrder, LostReason, Opportunity
from baifang.followups.signals import order_lost
from baifang.visits.models import Touch, VisitRecord
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory, approved_grant

TODAY = timezone.localdate


def reason(code="price"):
    return LostReason.objects.get(code=code)


def _visit_record(user, customer) -> VisitRecord:
    now = timezone.now()
    touch = Touch.objects.create(
        customer=customer, user=user, channel="visit", started_at=now - dt.timedelta(minutes=30), ended_at=now
    )
    return VisitRecord.objects.create(touch=touch)


def _opportunity(org, customer, **kw) -> Opportunity:
    fields = {
        "title": "年度供货合同",
        "expected_amount": Decimal("50000"),
        "expected_close_on": TODAY() + dt.timedelta(30),
    }
    return svc.create(org.rep, customer, **{**fields, **kw})


@pytest.fixture
def product(db):
    return Product.objects.create(code="P-01", name="矿泉水 550ml")


# -- data and services ----------------------------------------------------------------------------------


def test_r_fu_5_reasons_are_data_seeded_by_the_migration(db):
    """R-FU-5: the lost-order reasons are rows (价格, 质量, 服务, 交期, 关系, 其他 …), not code."""
    names = set(LostReason.objects.values_list("name", flat=True))
    assert {"价格", "质量", "服务", "交期", "关系", "其他"} <= names
    assert svc.ensure_default_reasons() == 0  # the migration wrote them all


def test_r_fu_6_create_defaults_the_rep_and_starts_the_history(org, customer):
    """R-FU-6: the rep defaults to the customer's owner; the first stage is a history row."""
    record = _visit_record(org.rep, customer)
    opportunity = svc.create(
        org.manager, customer, title="门店冷柜", expected_close_on=TODAY(), expected_amount=0, record=record
    )
    assert opportunity.owner == org.rep and opportunity.stage == OpportunityStage.CONTACT
    assert opportunity.source_record == record
    (row,) = opportunity.stage_changes.all()
    assert (row.old_status, row.new_status, row.transition, row.record) == ("", "contact", "create", record)


def test_r_fu_6_refuses_bad_input(org, customer):
    other = CustomerFactory(name="别家超市", owner=org.rep)
    with pytest.raises(ValidationError) as exc:
        _opportunity(org, customer, expected_amount=Decimal("-1"))
    assert exc.value.error_dict["expected_amount"][0].code == "negative_amount"
    with pytest.raises(ValidationError) as exc:
        _opportunity(org, customer, title="  ")
    assert "title" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        _opportunity(org, customer, record=_visit_record(org.rep, other))
    assert exc.value.error_dict["record"][0].code == "does_not_exist"
    with pytest.raises(ValidationError) as exc:
        _opportunity(org, customer, owner=org.outsider)  # cannot see the customer
    assert exc.value.error_dict["owner"][0].code == "does_not_exist"
    with pytest.raises(ValidationError):
        _opportunity(org, customer, stage=OpportunityStage.WON)
    assert not Opportunity.objects.exists()


def test_r_fu_6_stage_moves_are_history_with_their_visit_record(org, customer):
    """R-FU-6: updated from a visit record — the move names the record; won is final."""
    opportunity = _opportunity(org, customer)
    record = _visit_record(org.rep, customer)
    svc.update(
        org.rep,
        opportunity,
        stage=OpportunityStage.PROPOSAL,
        expected_amount=Decimal("60000"),
        comment="客户要求报价",
        record=record,
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == "proposal" and opportunity.expected_amount == Decimal("60000")
    move = opportunity.stage_changes.last()
    assert (move.old_status, move.new_status, move.record, move.comment) == (
        "contact",
        "proposal",
        record,
        "客户要求报价",
    )
    svc.update(org.rep, opportunity, expected_close_on=TODAY())  # no stage: no history row
    assert opportunity.stage_changes.count() == 2
    svc.update(org.manager, opportunity, stage=OpportunityStage.WON)
    opportunity.refresh_from_db()
    assert opportunity.stage == "won" and opportunity.closed_at is not None
    with pytest.raises(InvalidTransition) as exc:
        svc.update(org.rep, opportunity, stage=OpportunityStage.NEGOTIATION)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition):
        svc.lose(org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="x")


def test_r_fu_6_only_the_rep_or_an_editor_moves_it(org, customer):
    opportunity = _opportunity(org, customer)
    for reader in (org.leader, org.outsider, org.teammate):
        with pytest.raises(PermissionDenied):
            svc.update(reader, opportunity, stage=OpportunityStage.NEEDS)
    assert opportunity.stage_changes.count() == 1


def test_r_fu_5_losing_needs_the_report(org, customer):
    """R-FU-5: ``lost`` through a plain update is refused (report_required)."""
    opportunity = _opportunity(org, customer)
    with pytest.raises(ValidationError) as exc:
        svc.update(org.rep, opportunity, stage=OpportunityStage.LOST)
    assert exc.value.error_dict["stage"][0].code == "report_required"
    opportunity.refresh_from_db()
    assert opportunity.stage == "contact"


def test_r_fu_5_lose_is_all_or_nothing(org, customer, product):
    """R-FU-5: a report without lessons leaves the opportunity open and writes nothing."""
    opportunity = _opportunity(org, customer)
    with pytest.raises(ValidationError) as exc:
        svc.lose(org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="   ", competitor="农夫山泉")
    assert exc.value.error_dict["lessons"][0].code == "required"
    with pytest.raises(ValidationError) as exc:
        svc.lose(org.rep, opportunity, lost_on=TODAY() + dt.timedelta(1), reason=reason(), lessons="x")
    assert exc.value.error_dict["lost_on"][0].code == "date_in_future"
    opportunity.refresh_from_db()
    assert opportunity.stage == "contact" and not LostOrder.objects.exists()
    assert opportunity.stage_changes.count() == 1

    report = svc.lose(
        org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="报价偏高，未及时跟进", competitor="农夫山泉",
        product=product,
    )  # fmt: skip
    opportunity.refresh_from_db()
    assert opportunity.stage == "lost" and report.opportunity == opportunity
    assert (
        report.amount == Decimal("50000") and report.rep == org.rep
    )  # defaults: the expected amount, its rep
    assert opportunity.stage_changes.last().new_status == "lost"


def test_r_fu_5_order_lost_is_sent_after_commit(org, customer, django_capture_on_commit_callbacks):
    """R-FU-5 / R-FREQ-9: ``order_lost`` (sender LostOrder, instance) once the report commits; none when refused."""
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append((sender, instance.pk))

    order_lost.connect(listener)
    try:
        opportunity = _opportunity(org, customer)
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ValidationError):
                svc.lose(org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="")
        assert heard == []
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = svc.lose(org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="价格没谈拢")
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
        assert heard == [(LostOrder, report.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            standalone = svc.record_lost_order(
                org.rep, customer, lost_on=TODAY(), reason=reason("service"), lessons="x"
            )
        assert heard[-1] == (LostOrder, standalone.pk)
    finally:
        order_lost.disconnect(listener)


def test_r_fu_5_standalone_report_needs_work_rights(org, customer):
    approved_grant(org.manager2, customer=customer, approver=org.leader)  # a read-only grant
    with pytest.raises(PermissionDenied):
        svc.record_lost_order(org.manager2, customer, lost_on=TODAY(), reason=reason(), lessons="x")
    with pytest.raises(PermissionDenied):
        svc.record_lost_order(org.outsider, customer, lost_on=TODAY(), reason=reason(), lessons="x")


# -- the monthly analysis --------------------------------------------------------------------------------


@pytest.fixture
def month_of_losses(org, customer, product):
    """Four lost orders this month (two for price to 农夫山泉), one last month, one of sales2."""
    today = TODAY()
    first = today.replace(day=1)
    svc.record_lost_order(org.rep, customer, lost_on=first, reason=reason("price"), competitor="农夫山泉",
                          product=product, amount=Decimal("1000"), lessons="价格高")  # fmt: skip
    svc.record_lost_order(org.rep, customer, lost_on=first, reason=reason("price"), competitor="农夫山泉",
                          amount=Decimal("500"), lessons="价格高")  # fmt: skip
    svc.record_lost_order(org.rep, customer, lost_on=first, reason=reason("delivery"), competitor="",
                          product=product, amount=Decimal("200"), lessons="交期太长")  # fmt: skip
    svc.record_lost_order(org.manager, customer, lost_on=first, reason=reason("service"), competitor="怡宝",
                          amount=Decimal("300"), lessons="服务响应慢")  # fmt: skip
    svc.record_lost_order(org.rep, customer, lost_on=first - dt.timedelta(days=1), reason=reason("quality"),
                          amount=Decimal("9999"), lessons="上月")  # fmt: skip
    other = CustomerFactory(name="二部客户", owner=org.outsider)
    svc.record_lost_order(org.outsider, other, lost_on=first, reason=reason("price"), amount=Decimal("7"),
                          lessons="别的部门")  # fmt: skip
    return MonthForm.span_of(first)


def test_r_fu_5_analysis_by_reason_competitor_product_rep(org, month_of_losses, django_assert_num_queries):
    """R-FU-5: the month's counts and amounts per reason, competitor, product and rep, set-based: five
    aggregate queries (and the three that resolve the manager's scope) whatever the number of rows."""
    first, last = month_of_losses
    with django_assert_num_queries(8):
        figures = svc.analysis(org.manager, first, last)
    assert (figures["count"], figures["amount"]) == (4, Decimal("2000"))
    by_reason = {g["label"]: (g["count"], g["amount"]) for g in figures["by_reason"]}
    assert by_reason == {
        "价格": (2, Decimal("1500")),
        "交期": (1, Decimal("200")),
        "服务": (1, Decimal("300")),
    }
    assert figures["by_reason"][0]["label"] == "价格"  # most first
    by_competitor = {g["label"]: g["count"] for g in figures["by_competitor"]}
    assert by_competitor["农夫山泉"] == 2 and by_competitor["怡宝"] == 1 and len(by_competitor) == 3
    assert {g["label"]: g["count"] for g in figures["by_product"]}["矿泉水 550ml"] == 2
    assert {g["label"]: g["count"] for g in figures["by_rep"]} == {"张三": 4}  # the customer's owner
    # scope: the outsider sees only their own department's one
    assert svc.analysis(org.outsider, first, last)["count"] == 1
    # unit filter: reps of sales2 (none of the manager's)
    assert svc.analysis(org.manager, first, last, unit=org.sales2)["count"] == 0
    assert svc.analysis(org.admin, first, last, unit=org.sales1)["count"] == 4
    assert svc.analysis(org.admin, first, last)["count"] == 5


# -- pages ------------------------------------------------------------------------------------------------


def test_r_fu_6_pages_create_update_edit(org, customer, django_assert_max_num_queries):
    rep = client_for(org.rep)
    record = _visit_record(org.rep, customer)
    new = reverse("followups:opportunity_new", args=[customer.pk]) + f"?record={record.pk}"
    assert rep.get(new).status_code == 200
    answer = rep.post(
        new,
        {"title": "冷柜投放", "stage": "needs", "expected_amount": "8000", "expected_close_on": "2026-12-31",
         "owner": org.rep.pk, "record": record.pk},
    )  # fmt: skip
    assert answer.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.source_record == record and opportunity.stage == "needs"
    detail = opportunity.get_absolute_url()
    assert (
        rep.post(
            detail + f"?record={record.pk}",
            {
                "stage": "negotiation",
                "expected_amount": "9000",
                "expected_close_on": "2026-12-20",
                "comment": "谈价格",
            },
        ).status_code
        == 302
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == "negotiation" and opportunity.stage_changes.last().record == record
    edit = reverse("followups:opportunity_edit", args=[opportunity.pk])
    assert rep.get(edit).status_code == 200
    assert (
        rep.post(
            edit,
            {
                "title": "冷柜投放二期",
                "expected_amount": "9500",
                "expected_close_on": "2026-12-20",
                "owner": org.rep.pk,
            },
        ).status_code
        == 302
    )
    opportunity.refresh_from_db()
    assert opportunity.title == "冷柜投放二期"
    with django_assert_max_num_queries(25):
        page = rep.get(detail)
    assert "谈价格" in page.content.decode()
    # from the visit page: the button and the list of open opportunities
    visit_page = rep.get(reverse("visits:detail", args=[record.touch_id])).content.decode()
    from_visit = reverse("followups:opportunity_from_visit", args=[record.touch_id])
    assert from_visit in visit_page
    listing = rep.get(from_visit).content.decode()
    assert f"?record={record.pk}" in listing and "冷柜投放二期" in listing
    # the customer page's panel
    assert "冷柜投放二期" in rep.get(customer.get_absolute_url()).content.decode()
    # a reader sees, cannot change
    leader = client_for(org.leader)
    assert leader.get(detail).status_code == 200
    assert leader.post(detail, {"stage": "won"}).status_code == 403
    assert leader.get(edit).status_code == 403


def test_r_fu_6_list_filters_paginate_and_count_queries(org, customer, django_assert_max_num_queries):
    rep = client_for(org.rep)
    empty = rep.get(reverse("followups:opportunities")).content.decode()
    assert "没有" in empty or "No opportunities" in empty
    for i in range(35):
        _opportunity(org, CustomerFactory(name=f"客户{i}", owner=org.rep), title=f"商机{i}")
    won = Opportunity.objects.order_by("pk").first()
    svc.update(org.rep, won, stage=OpportunityStage.WON)
    url = reverse("followups:opportunities")
    with django_assert_max_num_queries(15):
        page = rep.get(url)
    assert page.status_code == 200 and page.context["page"].paginator.count == 35
    assert len(page.context["page"].object_list) == 30
    assert rep.get(url, {"stage": "won"}).context["page"].paginator.count == 1
    assert rep.get(url, {"state": "open"}).context["page"].paginator.count == 34
    assert rep.get(url, {"customer": won.customer_id}).context["page"].paginator.count == 1
    far = (TODAY() + dt.timedelta(days=31)).isoformat()
    assert rep.get(url, {"close_from": far}).context["page"].paginator.count == 0
    assert client_for(org.outsider).get(url).context["page"].paginator.count == 0


def test_r_fu_5_lose_page_with_the_report(org, customer, product):
    rep = client_for(org.rep)
    opportunity = _opportunity(org, customer)
    lose = reverse("followups:opportunity_lose", args=[opportunity.pk])
    assert "datalist" in rep.get(lose).content.decode()
    refused = rep.post(lose, {"lost_on": TODAY().isoformat(), "reason": reason().pk, "lessons": "  "})
    assert refused.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.stage == "contact" and not LostOrder.objects.exists()
    answer = rep.post(
        lose,
        {"lost_on": TODAY().isoformat(), "reason": reason().pk, "competitor": "农夫山泉", "product": product.pk,
         "amount": "45000", "lessons": "价格没有优势"},
    )  # fmt: skip
    assert answer.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.stage == "lost" and opportunity.lost_order.amount == Decimal("45000")
    assert "价格没有优势" in rep.get(opportunity.get_absolute_url()).content.decode()
    standalone = reverse("followups:lost_order_new", args=[customer.pk])
    assert "农夫山泉" in rep.get(standalone).content.decode()  # autocomplete from earlier reports
    answer = rep.post(
        standalone, {"lost_on": TODAY().isoformat(), "reason": reason("service").pk, "lessons": "响应慢"}
    )
    assert answer.status_code == 302 and LostOrder.objects.count() == 2


def test_r_fu_5_analysis_page_chart_and_export(org, month_of_losses, django_assert_max_num_queries):
    first, _last = month_of_losses
    manager = client_for(org.manager)
    url = reverse("followups:lost_orders")
    with django_assert_max_num_queries(25):
        page = manager.get(url, {"month": f"{first:%Y-%m}"})
    body = page.content.decode()
    assert page.status_code == 200 and "bar-chart.js" in body and 'id="lost-reason-chart"' in body
    assert (
        page.context["reason_chart"]["labels"][0] == "价格" and page.context["reason_chart"]["values"][0] == 2
    )
    assert "农夫山泉" in body and "服务响应慢" in body
    assert manager.get(url, {"month": "2026-13"}).status_code == 200  # a bad month shows this month
    export = manager.get(reverse("followups:lost_orders_export"), {"month": f"{first:%Y-%m}"})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    summary, rows = book.worksheets
    values = [[c for c in row] for row in summary.iter_rows(values_only=True)]
    assert values[1][:3] == ["合计", 4, 2000]
    assert any(row[0] == "价格" and row[1] == 2 for row in values if row)
    assert rows.max_row == 5  # header and four reports
    assert AuditLog.objects.filter(action="export", object_type="followups.lostorder").count() == 1
    outsider = client_for(org.outsider).get(
        reverse("followups:lost_orders_export"), {"month": f"{first:%Y-%m}"}
    )
    assert load_workbook(io.BytesIO(outsider.content)).worksheets[1].max_row == 2  # their one report


def test_r_fu_5_r_fu_6_outsiders_get_404_on_every_page(org, customer):
    """R-SEC-1: every page of another's customer answers 404; a reader's change 403."""
    opportunity = _opportunity(org, customer)
    record = _visit_record(org.rep, customer)
    outsider = client_for(org.outsider)
    for url in (
        opportunity.get_absolute_url(),
        reverse("followups:opportunity_edit", args=[opportunity.pk]),
        reverse("followups:opportunity_lose", args=[opportunity.pk]),
        reverse("followups:opportunity_new", args=[customer.pk]),
        reverse("followups:lost_order_new", args=[customer.pk]),
        reverse("followups:opportunity_from_visit", args=[record.touch_id]),
    ):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {}).status_code == 404, url
    approved_grant(org.manager2, customer=customer, approver=org.leader)
    reader = client_for(org.manager2)
    assert reader.get(opportunity.get_absolute_url()).status_code == 200
    assert reader.get(reverse("followups:opportunity_new", args=[customer.pk])).status_code == 403
    assert reader.get(reverse("followups:lost_order_new", args=[customer.pk])).status_code == 403
    leader = client_for(org.leader)
    assert leader.get(reverse("followups:opportunity_lose", args=[opportunity.pk])).status_code == 403
    assert (
        client_for(org.manager)
        .get(reverse("followups:opportunity_from_visit", args=[record.touch_id]))
        .status_code
        == 404
    )  # someone else's visit
    assert Client().get(reverse("followups:opportunities")).status_code == 302


# -- API ----------------------------------------------------------------------------------------------------


def test_r_fu_6_api_create_update_lose(org, customer, product):
    api = api_for(org.rep)
    record = _visit_record(org.rep, customer)
    made = api.post(
        "/api/v1/opportunities/",
        {"customer": customer.pk, "title": "配送合同", "expected_amount": "12000.00", "expected_close_on": "2026-12-31",
         "record": record.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="opp-1",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    again = api.post(
        "/api/v1/opportunities/",
        {"customer": customer.pk, "title": "配送合同", "expected_amount": "12000.00", "expected_close_on": "2026-12-31",
         "record": record.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="opp-1",
    )  # fmt: skip
    assert again.json()["id"] == pk and Opportunity.objects.count() == 1
    assert made.json()["owner"] == org.rep.pk and made.json()["history"][0]["new_status"] == "contact"
    moved = api.patch(
        f"/api/v1/opportunities/{pk}/", {"stage": "proposal", "record": record.pk}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["history"][-1]["record"] == record.pk
    refused = api.patch(f"/api/v1/opportunities/{pk}/", {"stage": "lost"}, format="json")
    assert refused.status_code == 400 and "report_required" in refused.content.decode()
    negative = api.patch(f"/api/v1/opportunities/{pk}/", {"expected_amount": "-5"}, format="json")
    assert negative.status_code == 400
    no_lessons = api.post(
        f"/api/v1/opportunities/{pk}/lose/", {"reason": reason().pk, "lessons": " "}, format="json"
    )
    assert no_lessons.status_code == 400
    assert Opportunity.objects.get(pk=pk).stage == "proposal"
    lost = api.post(
        f"/api/v1/opportunities/{pk}/lose/",
        {"reason": reason().pk, "lessons": "对手低价", "competitor": "农夫山泉", "product": product.pk},
        format="json",
    )
    assert lost.status_code == 201, lost.content
    assert lost.json()["amount"] == "12000.00" and lost.json()["opportunity"] == pk
    detail = api.get(f"/api/v1/opportunities/{pk}/").json()
    assert detail["stage"] == "lost" and detail["lost_order"]["lessons"] == "对手低价"
    twice = api.post(
        f"/api/v1/opportunities/{pk}/lose/", {"reason": reason().pk, "lessons": "x"}, format="json"
    )
    assert twice.status_code == 400 and "invalid_transition" in twice.content.decode()
    assert api.get("/api/v1/lost-orders/reasons/").json()[0]["name"] == "价格"


def test_r_fu_5_api_lists_and_analysis(org, month_of_losses, django_assert_max_num_queries):
    first, _last = month_of_losses
    api = api_for(org.manager)
    for i in range(5):
        _opportunity(org, CustomerFactory(name=f"客户{i}", owner=org.rep), title=f"商机{i}")
    with django_assert_max_num_queries(8):
        listing = api.get("/api/v1/opportunities/")
    assert listing.status_code == 200 and listing.json()["count"] == 5
    with django_assert_max_num_queries(8):
        reports = api.get("/api/v1/lost-orders/")
    assert reports.json()["count"] == 5  # four this month, one last month
    assert api.get("/api/v1/lost-orders/", {"lost_from": first.isoformat()}).json()["count"] == 4
    with django_assert_max_num_queries(8):
        figures = api.get("/api/v1/lost-orders/analysis/", {"month": f"{first:%Y-%m}"})
    data = figures.json()
    assert data["count"] == 4 and data["by_reason"][0] == {"key": str(reason().pk), "label": "价格", "count": 2,
                                                         "amount": "1500.00"}  # fmt: skip
    assert api.get("/api/v1/lost-orders/analysis/", {"month": "2026-13"}).status_code == 400
    assert api.get("/api/v1/lost-orders/analysis/", {"unit": 999999}).status_code == 400
    made = api.post(
        "/api/v1/lost-orders/",
        {"customer": month_of_losses and Opportunity.objects.first().customer_id, "reason": reason().pk,
         "lessons": "再总结"},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["lost_on"] == TODAY().isoformat()


def test_r_fu_5_r_fu_6_api_outsiders(org, customer):
    """R-SEC-1: 404 for what one cannot see, 403 for a reader's change, on every endpoint."""
    opportunity = _opportunity(org, customer)
    report = svc.record_lost_order(org.rep, customer, lost_on=TODAY(), reason=reason(), lessons="x")
    outsider = api_for(org.outsider)
    assert outsider.get("/api/v1/opportunities/").json()["count"] == 0
    assert outsider.get(f"/api/v1/opportunities/{opportunity.pk}/").status_code == 404
    assert (
        outsider.patch(
            f"/api/v1/opportunities/{opportunity.pk}/", {"stage": "needs"}, format="json"
        ).status_code
        == 404
    )
    lose = {"reason": reason().pk, "lessons": "x"}
    assert (
        outsider.post(f"/api/v1/opportunities/{opportunity.pk}/lose/", lose, format="json").status_code == 404
    )
    made = {"customer": customer.pk, "title": "x", "expected_close_on": "2026-12-31"}
    assert outsider.post("/api/v1/opportunities/", made, format="json").status_code == 404
    assert outsider.get("/api/v1/lost-orders/").json()["count"] == 0
    assert outsider.get(f"/api/v1/lost-orders/{report.pk}/").status_code == 404
    assert (
        outsider.post("/api/v1/lost-orders/", {**lose, "customer": customer.pk}, format="json").status_code
        == 404
    )
    assert outsider.get("/api/v1/lost-orders/analysis/").json()["count"] == 0
    leader = api_for(org.leader)
    assert leader.get(f"/api/v1/opportunities/{opportunity.pk}/").status_code == 200
    assert (
        leader.patch(
            f"/api/v1/opportunities/{opportunity.pk}/", {"stage": "needs"}, format="json"
        ).status_code
        == 403
    )
    assert (
        leader.post(f"/api/v1/opportunities/{opportunity.pk}/lose/", lose, format="json").status_code == 403
    )
    approved_grant(org.manager2, customer=customer, approver=org.leader)
    reader = api_for(org.manager2)
    assert reader.post("/api/v1/opportunities/", made, format="json").status_code == 403
    assert (
        reader.post("/api/v1/lost-orders/", {**lose, "customer": customer.pk}, format="json").status_code
        == 403
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == "contact"


def test_r_fu_5_api_analysis_refuses_months_out_of_range(org):
    api = api_for(org.manager)
    for month in ("0000-01", "9999-12", "1899-12"):
        answer = api.get("/api/v1/lost-orders/analysis/", {"month": month})
        assert answer.status_code == 400 and answer.json()["errors"][0]["attr"] == "month", month
    assert api.get("/api/v1/lost-orders/analysis/", {"month": "2099-12"}).status_code == 200


def test_r_freq_9_a_lost_order_owes_the_return_visit_its_rule_asks(
    org, customer, django_capture_on_commit_callbacks
):
    """R-FREQ-9 / R-FU-5: with an "order lost" return-visit rule, losing an opportunity owes the rep a
    visit within 5 working days, once, even when the report is announced twice."""
    from baifang.core.calendar import add_workdays
    from baifang.rules.choices import EventKind, SpecialTrigger
    from baifang.rules.models import ReturnVisitRule, SpecialVisit

    rule = ReturnVisitRule(
        code="lost",
        name="丢单回访",
        event=EventKind.ORDER_LOST,
        channel="visit",
        offset=5,
        offset_unit="workdays",
    )
    rule.full_clean()
    rule.save()
    opportunity = _opportunity(org, customer)
    with django_capture_on_commit_callbacks(execute=True):
        report = svc.lose(org.rep, opportunity, lost_on=TODAY(), reason=reason(), lessons="价格没谈拢")
    owed = SpecialVisit.objects.filter(customer=customer, trigger=SpecialTrigger.RETURN_VISIT)
    assert [(v.responsible, v.due_on) for v in owed] == [(org.rep, add_workdays(TODAY(), 5))]
    order_lost.send(sender=LostOrder, instance=report)  # announced again: nothing more owed
    assert owed.count() == 1
