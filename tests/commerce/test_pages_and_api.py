"""Products, orders and deliveries on pages and in the API: scoped by the customer, no N+1 (R-SEC-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db


def make_order(customer, number, day, lines, product_map):
    order = Order.objects.create(customer=customer, number=number, ordered_on=day, fingerprint="x")
    for code, quantity in lines:
        product = product_map[code]
        amount = (Decimal(quantity) * product.price).quantize(Decimal("0.01"))
        OrderLine.objects.create(
            order=order, product=product, quantity=quantity, price=product.price, amount=amount
        )
        order.quantity += Decimal(quantity)
        order.amount += amount
    order.save()
    return order


def make_delivery(order, number, day, lines, product_map):
    delivery = Delivery.objects.create(
        customer=order.customer, order=order, number=number, delivered_on=day, fingerprint="x"
    )
    for code, quantity in lines:
        DeliveryLine.objects.create(delivery=delivery, product=product_map[code], quantity=quantity)
    return delivery


@pytest.fixture
def book(shops, catalogue):
    orders = [
        make_order(shops["a"], "DD1", dt.date(2026, 10, 5), [("hhl", 20), ("zh", 5)], catalogue),
        make_order(shops["b"], "DD2", dt.date(2026, 11, 5), [("hhl", 10)], catalogue),
        make_order(shops["far"], "DD9", dt.date(2026, 11, 6), [("ls", 3)], catalogue),
    ]
    make_delivery(orders[0], "SH1", dt.date(2026, 10, 6), [("hhl", 20), ("zh", 4)], catalogue)
    make_delivery(orders[2], "SH9", dt.date(2026, 11, 7), [("ls", 3)], catalogue)
    return orders


def test_rep_sees_orders_of_own_customers_only(org, book):
    numbers = [o["number"] for o in api_for(org.rep).get("/api/v1/orders/").json()["results"]]
    assert numbers == ["DD2", "DD1"]
    assert [o["number"] for o in api_for(org.outsider).get("/api/v1/orders/").json()["results"]] == ["DD9"]
    assert api_for(org.outsider).get(f"/api/v1/orders/{book[0].pk}/").status_code == 404
    assert client_for(org.outsider).get(f"/orders/{book[0].pk}/").status_code == 404
    page = client_for(org.rep).get("/orders/").content.decode()
    assert "DD1" in page and "DD9" not in page


def test_order_api_has_exact_decimals_and_lines(org, book):
    order = api_for(org.rep).get(f"/api/v1/orders/{book[0].pk}/").json()
    assert order["amount"] == "8250.00" and order["quantity"] == "25.000"
    assert [(line["product_code"], line["quantity"]) for line in order["lines"]] == [
        ("P001", "20.000"),
        ("P002", "5.000"),
    ]


def test_the_page_and_the_api_share_the_filters(org, book, shops):
    api = api_for(org.rep)
    assert [o["number"] for o in api.get("/api/v1/orders/?customer_code=kh101").json()["results"]] == ["DD2"]
    assert [
        o["number"] for o in api.get("/api/v1/orders/?ordered_on_after=2026-11-01").json()["results"]
    ] == ["DD2"]
    page = client_for(org.rep).get("/orders/?customer_code=KH101").content.decode()
    assert "DD2" in page and "DD1" not in page
    assert api.get("/api/v1/orders/?ordered_on_after=9999-01-01").status_code == 400


def test_deliveries_scoped_and_linked(org, book):
    rows = api_for(org.rep).get("/api/v1/deliveries/").json()["results"]
    assert [(d["number"], d["order_number"]) for d in rows] == [("SH1", "DD1")]
    assert api_for(org.outsider).get(f"/api/v1/deliveries/{rows[0]['id']}/").status_code == 404
    page = client_for(org.outsider).get("/orders/deliveries/").content.decode()
    assert "SH9" in page and "SH1" not in page


def test_products_are_the_company_catalogue(org, catalogue):
    rows = api_for(org.outsider).get("/api/v1/products/?q=黄鹤楼").json()["results"]
    assert [p["code"] for p in rows] == ["P001"]
    assert client_for(org.rep).get("/orders/products/").status_code == 200


def test_anonymous_is_refused(client, book):
    assert client.get("/orders/").status_code == 302
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/orders/").status_code in (401, 403)


def test_purchase_history_api_and_customer_page(org, book, shops):
    data = api_for(org.rep).get(f"/api/v1/purchases/{shops['a'].pk}/").json()
    assert data["last_order"]["number"] == "DD1"
    assert data["orders_12m"] == 1 and data["amount_12m"] == "8250.00"
    assert len(data["months"]) == 12
    assert data["top_products"][0]["product_code"] == "P001"
    assert api_for(org.outsider).get(f"/api/v1/purchases/{shops['a'].pk}/").status_code == 404
    page = client_for(org.rep).get(shops["a"].get_absolute_url()).content.decode()
    assert 'id="purchases"' in page and "DD1" in page and "vendor/echarts/echarts.min.js" in page


@pytest.mark.parametrize(
    "url", ["/api/v1/orders/", "/api/v1/deliveries/", "/api/v1/products/", "/orders/", "/orders/deliveries/"]
)
def test_lists_do_not_grow_queries_with_rows(org, shops, catalogue, url, django_assert_max_num_queries):
    for i in range(12):
        order = make_order(
            shops["a" if i % 2 else "b"], f"N{i}", dt.date(2026, 9, 1 + i), [("hhl", 1), ("zh", 2)], catalogue
        )
        make_delivery(order, f"S{i}", dt.date(2026, 9, 2 + i), [("hhl", 1)], catalogue)
    client = api_for(org.rep) if url.startswith("/api/") else client_for(org.rep)
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_customer_page_purchases_in_bounded_queries(org, shops, catalogue, django_assert_max_num_queries):
    for i in range(10):
        make_order(
            shops["a"], f"N{i}", dt.date(2026, 1 + i, 3), [("hhl", 1), ("zh", 2), ("ls", 1)], catalogue
        )
    client = client_for(org.rep)
    client.get(shops["a"].get_absolute_url())
    with django_assert_max_num_queries(40):
        assert client.get(shops["a"].get_absolute_url()).status_code == 200
