"""R-INV-1 on the visit: stock counts on the record, corrections kept, guidance before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baifang.commerce.models import StockFactor
from baifang.visits import stock
from baifang.visits.models import StockCount, VisitRecord
from tests.commerce.test_pages_and_api import make_order
from tests.conftest import client_for
from tests.rules.conftest import touch

pytestmark = pytest.mark.django_db


def _visit(customer, user, day: dt.date, hour=10):
    return touch(customer, user, "visit", dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def history(org, shops, catalogue):
    """Last visit counted 20 条 黄鹤楼 and 8 中华; then 50 黄鹤楼 were ordered (the docs' example)."""
    first = _visit(shops["a"], org.rep, dt.date(2026, 11, 2))
    record = VisitRecord.objects.create(touch=first)
    stock.save_counts(org.rep, record, {catalogue["hhl"].pk: "20", catalogue["zh"].pk: "8"})
    make_order(shops["a"], "DD1", dt.date(2026, 11, 2), [("hhl", 50)], catalogue)  # placed at that visit
    make_order(
        shops["a"], "DD0", dt.date(2026, 11, 1), [("hhl", 99)], catalogue
    )  # before the count: not "since"
    second = _visit(shops["a"], org.rep, dt.date(2026, 11, 16))
    return first, second


def test_hand_worked_example_on_the_record(org, shops, catalogue, history):
    _first, second = history
    record = VisitRecord.objects.create(touch=second)
    stock.save_counts(org.rep, record, {catalogue["hhl"].pk: "15", catalogue["zh"].pk: "10"})
    rows = {r.product.code: r for r in stock.guidance_for_record(record)}
    hhl = rows["P001"]
    assert (hhl.last_stock, hhl.ordered_since, hhl.current_stock) == (20, 50, 15)
    # the 黄鹤楼 family has k = 2: reasonable 55 × 2 = 110, order 110 − 15 = 95
    assert (hhl.guidance.actual_sales, hhl.guidance.k, hhl.guidance.suggested_order) == (55, 2, 95)
    assert rows["P002"].guidance.impossible  # 8 + 0 − 10 < 0: stock grew without an order


def test_k_per_customer_and_per_product(org, shops, catalogue, history):
    _first, second = history
    record = VisitRecord.objects.create(touch=second)
    stock.save_counts(org.rep, record, {catalogue["hhl"].pk: "15"})
    StockFactor.objects.create(customer=shops["a"], k=Decimal("1.2"))
    assert stock.guidance_for_record(record)[0].guidance.k == Decimal("1.2")
    StockFactor.objects.create(customer=shops["a"], product=catalogue["hhl"], k=Decimal("3"))
    assert stock.guidance_for_record(record)[0].guidance.suggested_order == 55 * 3 - 15


def test_a_changed_count_is_a_correction_with_history(org, shops, catalogue, history):
    _first, second = history
    record = VisitRecord.objects.create(touch=second)
    pid = catalogue["hhl"].pk
    assert stock.save_counts(org.rep, record, {pid: "15"}) == 1
    assert stock.save_counts(org.rep, record, {pid: "15"}) == 0  # the same count again changes nothing
    assert stock.save_counts(org.rep, record, {pid: "12"}, reason="漏数一层") == 1
    rows = list(StockCount.objects.filter(record=record).order_by("id"))
    assert [(r.quantity, r.is_current) for r in rows] == [(15, False), (12, True)]
    assert rows[1].corrects == rows[0] and rows[1].reason == "漏数一层"
    assert stock.save_counts(org.rep, record, {pid: ""}) == 0  # an emptied field removes nothing


def test_negative_and_garbage_counts_are_refused(org, shops, catalogue, history):
    record = VisitRecord.objects.create(touch=history[1])
    from django.core.exceptions import ValidationError

    for bad in ("-1", "abc", "1e30"):
        with pytest.raises(ValidationError):
            stock.save_counts(org.rep, record, {catalogue["hhl"].pk: bad})
    assert not StockCount.objects.filter(record=record).exists()


def test_record_form_takes_counts_and_detail_shows_guidance(org, shops, catalogue, history):
    _first, second = history
    client = client_for(org.rep)
    form = client.get(f"/visits/{second.pk}/record/").content.decode()
    assert f'name="stock-{catalogue["hhl"].pk}"' in form
    response = client.post(
        f"/visits/{second.pk}/record/",
        {
            "action": "save",
            f"stock-{catalogue['hhl'].pk}": "15",
            "stock_new_product": catalogue["ls"].pk,
            "stock_new_quantity": "3",
        },
    )
    assert response.status_code == 302
    record = VisitRecord.objects.get(touch=second)
    assert dict(record.stock_counts.current().values_list("product__code", "quantity")) == {
        "P001": Decimal(15),
        "P003": Decimal(3),
    }
    page = client.get(f"/visits/{second.pk}/").content.decode()
    assert 'id="stock-guidance"' in page and "95" in page
    bad = client.post(
        f"/visits/{second.pk}/record/", {"action": "save", f"stock-{catalogue['hhl'].pk}": "-4"}
    )
    assert bad.status_code == 200  # the form again, with the error; nothing changed
    assert record.stock_counts.current().get(product=catalogue["hhl"]).quantity == 15


def test_before_the_visit_the_last_count_and_purchases_show(org, shops, catalogue, history):
    page = client_for(org.rep).get(f"/visits/customers/{shops['a'].pk}/check-in/").content.decode()
    assert 'id="stock-before"' in page and 'id="purchases"' in page
    assert "DD1" in page  # the last order
    rows = stock.before_visit(shops["a"], now=timezone.make_aware(dt.datetime(2026, 11, 16, 9)))["stock_rows"]
    assert {(r.product.code, r.last_stock, r.ordered_since) for r in rows} == {
        ("P001", 20, 50),
        ("P002", 8, 0),
    }


def test_outsider_sees_no_stock_of_the_visit(org, shops, catalogue, history):
    assert client_for(org.outsider).get(f"/visits/{history[1].pk}/").status_code == 404
    assert client_for(org.outsider).get(f"/visits/customers/{shops['a'].pk}/check-in/").status_code == 404
