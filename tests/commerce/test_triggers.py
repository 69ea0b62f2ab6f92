"""R-OBL-3 automatic special visits, R-FU-3 purchase reminders, R-TIER-2 computed facts: on the DB."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from baifang.commerce import reminders, tasks, triggers
from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine, ReminderThreshold, SalesBand
from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import SpecialVisit
from baifang.tiers.facts import customer_facts, field_specs
from baifang.visits import stock
from baifang.visits.models import VisitRecord
from tests.rules.conftest import put_in_tier, seed001, touch  # noqa: F401  (seed001 is a fixture)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)


def order(customer, number, day, lines):
    """An order with lines {product: quantity}, 10 yuan a unit."""
    o = Order.objects.create(
        customer=customer,
        number=number,
        ordered_on=day,
        quantity=sum(lines.values(), Decimal(0)),
        amount=sum(lines.values(), Decimal(0)) * 10,
        fingerprint=number,
    )
    for product, qty in lines.items():
        OrderLine.objects.create(order=o, product=product, quantity=qty, price=10, amount=qty * 10)
    return o


def deliver(o, number, day, lines):
    d = Delivery.objects.create(
        customer=o.customer,
        order=o,
        number=number,
        delivered_on=day,
        quantity=sum(lines.values()),
        fingerprint=number,
    )
    for product, qty in lines.items():
        DeliveryLine.objects.create(delivery=d, product=product, quantity=qty)
    return d


@pytest.fixture
def history(catalogue, shops):
    """Shop a: 200 a month Aug–Oct, 100 in November (−50 %); shop b: steady 200."""
    zh = catalogue["zh"]
    catalogue["ls"].new_from = None  # no new product here: only the band speaks
    catalogue["ls"].save(update_fields=["new_from"])
    for shop in ("a", "b"):
        for month in (8, 9, 10):
            order(shops[shop], f"{shop}-{month}", dt.date(2026, month, 10), {zh: Decimal(200)})
    order(shops["a"], "a-11", dt.date(2026, 11, 10), {zh: Decimal(100)})
    order(shops["b"], "b-11", dt.date(2026, 11, 10), {zh: Decimal(210)})
    SalesBand.objects.create(percent=Decimal(20), trailing_months=3)
    return shops


def test_r_obl_3_sales_out_of_band_raise_a_special_visit_with_its_numbers(history, org):
    run = triggers.raise_automatic_special_visits(TODAY)
    visits = list(SpecialVisit.objects.filter(trigger=SpecialTrigger.SALES_DEVIATION))
    assert [v.customer for v in visits] == [history["a"]]
    visit = visits[0]
    assert visit.responsible == org.rep
    assert visit.due_on == add_workdays(timezone.localdate(), 2)
    assert visit.dedup_key == "band:2026-11"
    for number in ("2026-11", "100", "200", "160", "240", "20"):
        assert number in visit.note
    assert run.raised[SpecialTrigger.SALES_DEVIATION] == 1
    assert Notification.objects.filter(user=org.rep, kind="special_visit").count() == 1


def test_r_obl_3_a_customer_band_overrides_the_default(history):
    SalesBand.objects.create(customer=history["a"], percent=Decimal(60), trailing_months=3)
    SalesBand.objects.create(customer=history["b"], percent=Decimal(1), trailing_months=3)
    triggers.raise_automatic_special_visits(TODAY)
    assert list(SpecialVisit.objects.values_list("customer", flat=True)) == [history["b"].pk]


def test_r_obl_3_running_twice_raises_nothing_twice(history):
    triggers.raise_automatic_special_visits(TODAY)
    tasks.automatic_special_visits.call_local()
    triggers.raise_automatic_special_visits(TODAY)
    assert SpecialVisit.objects.count() == 1
    assert Notification.objects.filter(kind="special_visit").count() == 1


def test_r_obl_3_new_product_missing_from_two_orders(catalogue, shops):
    ls, zh = catalogue["ls"], catalogue["zh"]  # 利群(新版) is new since 2026-01-01
    order(shops["a"], "a1", dt.date(2026, 9, 1), {ls: Decimal(5), zh: Decimal(5)})
    a2 = order(shops["a"], "a2", dt.date(2026, 10, 1), {zh: Decimal(5)})
    order(shops["b"], "b1", dt.date(2026, 9, 1), {zh: Decimal(5)})
    order(shops["b"], "b2", dt.date(2026, 10, 1), {ls: Decimal(1)})
    triggers.raise_automatic_special_visits(TODAY)
    assert not SpecialVisit.objects.exists()  # a: one cycle missed; b: bought it last time
    order(shops["a"], "a3", dt.date(2026, 11, 1), {zh: Decimal(5)})
    triggers.raise_automatic_special_visits(TODAY)
    visit = SpecialVisit.objects.get()
    assert (visit.customer, visit.trigger) == (shops["a"], SpecialTrigger.PRODUCT_NOT_ORDERED)
    assert "a2" in visit.note and "a3" in visit.note and "利群" in visit.note
    order(shops["a"], "a4", dt.date(2026, 11, 20), {zh: Decimal(5)})  # a third miss: still the same streak
    triggers.raise_automatic_special_visits(TODAY)
    assert SpecialVisit.objects.get().dedup_key.endswith(f":{a2.pk}")  # the streak began at a2


def test_r_obl_3_delivery_that_differs_from_its_order(catalogue, shops):
    zh, hhl = catalogue["zh"], catalogue["hhl"]
    same = order(shops["b"], "o1", dt.date(2026, 11, 20), {zh: Decimal(10)})
    deliver(same, "d1", dt.date(2026, 11, 21), {zh: Decimal(10)})
    short = order(shops["a"], "o2", dt.date(2026, 11, 20), {zh: Decimal(10), hhl: Decimal(4)})
    deliver(short, "d2", dt.date(2026, 11, 21), {zh: Decimal(8), hhl: Decimal(4)})
    triggers.raise_automatic_special_visits(TODAY)
    visit = SpecialVisit.objects.get()
    assert (visit.customer, visit.trigger, visit.dedup_key) == (
        shops["a"],
        SpecialTrigger.ORDER_MISMATCH,
        "order:o2",
    )
    assert "o2" in visit.note and "10" in visit.note and "8" in visit.note


def test_r_obl_3_delivery_differences_summed_over_split_deliveries_and_extra_products(catalogue, shops):
    """The database pre-filter (ordered minus delivered per order and product) finds exactly the
    orders the exact comparison finds: two deliveries that add up are no difference, a product
    delivered but never ordered is one, and so is a later delivery that overshoots."""
    zh, hhl = catalogue["zh"], catalogue["hhl"]
    split = order(shops["b"], "s1", dt.date(2026, 11, 20), {zh: Decimal("10.5")})
    deliver(split, "s1-a", dt.date(2026, 11, 21), {zh: Decimal("4.25")})
    deliver(split, "s1-b", dt.date(2026, 11, 22), {zh: Decimal("6.25")})
    extra = order(shops["a"], "e1", dt.date(2026, 11, 20), {zh: Decimal(3)})
    deliver(extra, "e1-a", dt.date(2026, 11, 21), {zh: Decimal(3), hhl: Decimal(1)})
    over = order(shops["a"], "v1", dt.date(2026, 11, 20), {hhl: Decimal(2)})
    deliver(over, "v1-a", dt.date(2026, 11, 21), {hhl: Decimal(2)})
    deliver(over, "v1-b", dt.date(2026, 11, 23), {hhl: Decimal("0.001")})
    triggers.raise_automatic_special_visits(TODAY)
    mismatches = SpecialVisit.objects.filter(trigger=SpecialTrigger.ORDER_MISMATCH)
    assert set(mismatches.values_list("dedup_key", flat=True)) == {"order:e1", "order:v1"}


def test_r_obl_3_the_special_visit_shows_its_numbers_on_the_due_list(client, history, org):
    triggers.raise_automatic_special_visits(TODAY)
    client.force_login(org.rep)
    from django.urls import reverse

    page = client.get(reverse("rules:due")).content.decode()
    assert "160" in page and "240" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_r_obl_3_two_concurrent_runs_raise_each_visit_once(catalogue, shops, org):
    """Two nightly jobs at once on PostgreSQL (threads, real connections): one visit per finding."""
    zh = catalogue["zh"]
    catalogue["ls"].new_from = None
    catalogue["ls"].save(update_fields=["new_from"])
    for month in (8, 9, 10):
        order(shops["a"], f"a-{month}", dt.date(2026, month, 10), {zh: Decimal(200)})
    order(shops["a"], "a-11", dt.date(2026, 11, 10), {zh: Decimal(10)})
    o = order(shops["b"], "b-11", dt.date(2026, 11, 20), {zh: Decimal(10)})
    deliver(o, "d-b", dt.date(2026, 11, 21), {zh: Decimal(9)})
    SalesBand.objects.create(percent=Decimal(20), trailing_months=3)
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait(5)
            triggers.raise_automatic_special_visits(TODAY)
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
    assert sorted(SpecialVisit.objects.values_list("trigger", flat=True)) == [
        SpecialTrigger.ORDER_MISMATCH,
        SpecialTrigger.SALES_DEVIATION,
    ]
    assert Notification.objects.filter(kind="special_visit").count() == 2


def test_r_fu_3_reminders_not_purchased_never_purchased_once_each(catalogue, shops, org):
    order(shops["a"], "a1", dt.date(2026, 10, 1), {catalogue["zh"]: Decimal(5)})  # 62 days ago
    order(shops["b"], "b1", dt.date(2026, 11, 25), {catalogue["zh"]: Decimal(5)})  # 7 days ago
    ReminderThreshold.objects.create(days=30)
    result = reminders.send_purchase_reminders(TODAY)
    assert result["not_purchased"] == 1
    texts = sorted(
        Notification.objects.filter(kind="purchase_reminder").values_list("user__username", "text")
    )
    assert len(texts) == 2  # 西湖便利店 idle 62 days (rep); 外区超市 never purchased (outsider)
    assert any("西湖便利店" in t and "62" in t for _u, t in texts)
    assert any(u == "outsider" and "外区超市" in t for u, t in texts)
    tasks.purchase_reminders.call_local()
    reminders.send_purchase_reminders(TODAY)
    assert Notification.objects.filter(kind="purchase_reminder").count() == 2


def test_r_fu_3_threshold_per_tier(catalogue, shops, seed001):  # noqa: F811
    """20 days without an order: no reminder at the default 30 days, one at tier A's 14 days."""
    a_only = type(shops["a"]).objects.filter(pk=shops["a"].pk)
    order(shops["a"], "a1", dt.date(2026, 11, 12), {catalogue["zh"]: Decimal(5)})
    ReminderThreshold.objects.create(days=30)
    reminders.send_purchase_reminders(TODAY, customers=a_only)
    assert not Notification.objects.exists()
    put_in_tier(shops["a"], seed001.a)
    ReminderThreshold.objects.create(tier=seed001.a, days=14)
    reminders.send_purchase_reminders(TODAY, customers=a_only)
    assert "20" in Notification.objects.get(kind="purchase_reminder").text


def test_r_fu_3_stock_expected_to_run_out(catalogue, shops, org):
    """Counted 30 中华 ten days ago, nothing ordered since; 270 ordered over 90 days = 3 a day:
    30 − 3 × 10 = 0 left, it runs out within the 7 days; 黄鹤楼 (nothing sold) never runs out."""
    zh, hhl = catalogue["zh"], catalogue["hhl"]
    order(shops["a"], "a1", dt.date(2026, 9, 15), {zh: Decimal(270), hhl: Decimal(0)})
    visit = touch(shops["a"], org.rep, "visit", dt.datetime(2026, 11, 22, 10))
    stock.save_counts(org.rep, VisitRecord.objects.create(touch=visit), {zh.pk: "30", hhl.pk: "40"})
    a_only = type(shops["a"]).objects.filter(pk=shops["a"].pk)
    result = reminders.send_purchase_reminders(TODAY, customers=a_only)
    assert result["runs_out"] == 1
    note = Notification.objects.get(kind="purchase_reminder", dedup_key__startswith="purchase:runout:")
    assert "中华" in note.text and "30" in note.text and note.user == org.rep
    reminders.send_purchase_reminders(TODAY, customers=a_only)
    assert Notification.objects.filter(dedup_key__startswith="purchase:runout:").count() == 1


def test_r_tier_2_computed_facts_win_over_typed_ones_where_orders_exist(catalogue, shops):
    shops["a"].annual_value = Decimal(5_000_000)
    shops["a"].save(update_fields=["annual_value"])
    shops["b"].annual_value = Decimal(123)
    shops["b"].save(update_fields=["annual_value"])
    order(shops["a"], "a1", dt.date(2026, 6, 30), {catalogue["zh"]: Decimal(100)})  # 1,000 yuan
    order(shops["a"], "a0", dt.date(2025, 11, 1), {catalogue["zh"]: Decimal(100)})  # older than a year
    facts = customer_facts(type(shops["a"]).objects.filter(pk__in=[shops["a"].pk, shops["b"].pk]), TODAY)
    a, b = facts[shops["a"].pk], facts[shops["b"].pk]
    assert a["annual_value"] == 1000.0 and a["orders_12m"] == 1 and a["months_since_last_order"] == 5
    assert b["annual_value"] == 123.0 and b["orders_12m"] is None  # no orders: the typed value stands
    assert a["overdue_days"] is None  # no receivables source yet: the hook answers nothing
    for name in ("orders_12m", "months_since_last_order", "overdue_days", "annual_value"):
        assert name in field_specs()


def test_r_tier_2_criteria_and_presets_read_the_computed_value(catalogue, shops, org):
    """A tier criterion on 年交易额 rates by what was ordered, not by the typed number."""
    from baifang.tiers.models import ClassificationScheme, Tier
    from baifang.tiers.services import rate_customers

    scheme = ClassificationScheme.objects.create(code="value", name="价值")
    Tier.objects.create(
        scheme=scheme, code="A", name="A", rank=1, criteria="年交易额 >= 2000 且 近12月订单数 >= 2"
    )
    Tier.objects.create(scheme=scheme, code="C", name="C", rank=2, criteria="")
    shops["a"].annual_value = Decimal(9_999_999)
    shops["a"].save(update_fields=["annual_value"])
    order(shops["b"], "b1", dt.date(2026, 10, 1), {catalogue["zh"]: Decimal(150)})
    order(shops["b"], "b2", dt.date(2026, 11, 1), {catalogue["zh"]: Decimal(150)})
    ratings = {
        r.customer_id: r.tier.code
        for r in rate_customers(
            scheme, type(shops["a"]).objects.filter(pk__in=[shops["a"].pk, shops["b"].pk]), TODAY
        )
    }
    assert ratings == {shops["a"].pk: "C", shops["b"].pk: "A"}  # a: no orders, 近12月订单数 unknown


def test_r_obl_3_bands_and_thresholds_through_the_api(org, shops, django_assert_max_num_queries):
    """The market department configures; a rep reads; an outsider sees no band of a customer it cannot see."""
    from tests.conftest import api_for

    market, rep, outsider = api_for(org.market), api_for(org.rep), api_for(org.outsider)
    created = market.post("/api/v1/sales-bands/", {"customer": shops["a"].pk, "percent": "25"}, format="json")
    assert created.status_code == 201, created.content
    assert market.post("/api/v1/sales-bands/", {"percent": "30"}, format="json").status_code == 201
    assert rep.post("/api/v1/sales-bands/", {"percent": "10"}, format="json").status_code == 403
    assert SalesBand.objects.count() == 2
    with django_assert_max_num_queries(8):
        assert len(rep.get("/api/v1/sales-bands/").json()["results"]) == 2
    assert len(outsider.get("/api/v1/sales-bands/").json()["results"]) == 1  # the company band only
    assert outsider.get(f"/api/v1/sales-bands/{created.json()['id']}/").status_code == 404
    bad = market.post("/api/v1/sales-bands/", {"percent": "-5"}, format="json")
    assert bad.status_code == 400 and SalesBand.objects.count() == 2
    assert market.post("/api/v1/reminder-thresholds/", {"days": 21}, format="json").status_code == 201
    assert outsider.post("/api/v1/reminder-thresholds/", {"days": 1}, format="json").status_code == 403
    assert rep.get("/api/v1/reminder-thresholds/").json()["results"][0]["days"] == 21
