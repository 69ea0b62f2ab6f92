"""Invoices, payments and ageing on pages and in the API (R-AR-1): scoped by the customer, finance staff
see the company, lists without N+1; the customer page's panel; the payment-due reminder (seed 004)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from baifang.core.models import AuditLog, Notification
from baifang.receivables import services
from baifang.receivables.models import AgeingPolicy, CreditTerms
from tests.conftest import api_for, client_for
from tests.receivables.conftest import invoice, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(shops):
    today = timezone.localdate()
    a, b, far = shops["a"], shops["b"], shops["far"]
    old = invoice(a, "FP1", today - dt.timedelta(days=120), "1000")
    invoice(a, "FP2", today - dt.timedelta(days=45), "500")
    invoice(a, "FP3", today - dt.timedelta(days=100), "300", new=True)
    payment(a, "SK1", today - dt.timedelta(days=10), "400", old)
    invoice(b, "FP4", today - dt.timedelta(days=5), "200")
    invoice(far, "FP9", today - dt.timedelta(days=200), "900")
    return today


def test_customer_ageing_in_buckets_from_the_invoice_date_R_AR_1(shops, ledger):
    ageing = services.customer_ageing(shops["a"])
    assert ageing.buckets == (0, Decimal("500"), 0, Decimal("900"))
    assert ageing.outstanding == Decimal("1400")
    assert ageing.over_target == Decimal("600")  # FP3 is of new products: excepted
    AgeingPolicy.objects.create(except_new_products=False)
    assert services.customer_ageing(shops["a"]).over_target == Decimal("900")


def test_the_rep_sees_own_customers_and_finance_the_company_R_AR_1(org, shops, finance, ledger):
    rep = api_for(org.rep).get("/api/v1/invoices/").json()["results"]
    assert sorted(i["number"] for i in rep) == ["FP1", "FP2", "FP3", "FP4"]
    assert len(api_for(finance).get("/api/v1/invoices/").json()["results"]) == 5
    assert [p["number"] for p in api_for(finance).get("/api/v1/payments/").json()["results"]] == ["SK1"]
    ageing = api_for(org.rep).get("/api/v1/ageing/").json()["results"]
    assert [r["customer_code"] for r in ageing] == ["KH100", "KH101"]
    assert ageing[0]["days_over_90"] == "900.00" and ageing[0]["over_target"] == "600.00"
    company = api_for(finance).get("/api/v1/ageing/").json()["results"]
    assert [r["customer_code"] for r in company] == ["KH100", "KH900", "KH101"]
    page = client_for(finance).get("/receivables/").content.decode()
    assert "外区超市" in page and "西湖便利店" in page
    assert "外区超市" not in client_for(org.rep).get("/receivables/").content.decode()


def test_outsiders_reach_nothing_R_SEC_1(org, shops, ledger):
    fp1 = shops["a"].invoices.get(number="FP1")
    assert api_for(org.outsider).get(f"/api/v1/invoices/{fp1.pk}/").status_code == 404
    assert client_for(org.outsider).get(fp1.get_absolute_url()).status_code == 404
    assert api_for(org.outsider).get(f"/api/v1/ageing/{shops['a'].pk}/").status_code == 404
    numbers = [i["number"] for i in api_for(org.outsider).get("/api/v1/invoices/").json()["results"]]
    assert numbers == ["FP9"]
    assert api_for(org.outsider).get("/api/v1/payments/").json()["results"] == []
    outsider = api_for(org.outsider).get("/api/v1/ageing/").json()["results"]
    assert [r["customer_code"] for r in outsider] == ["KH900"]
    for url in ("/receivables/", "/receivables/invoices/", "/receivables/payments/", "/receivables/credit/"):
        page = client_for(org.outsider).get(url).content.decode()
        assert "西湖便利店" not in page, url
    book = openpyxl.load_workbook(
        io.BytesIO(client_for(org.outsider).get("/receivables/ageing.xlsx").content)
    )
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["KH900", None]
    assert api_for(None).get("/api/v1/invoices/").status_code in (401, 403)


def test_lists_keep_their_query_count(org, shops, finance, ledger, django_assert_max_num_queries):
    for n in range(20):
        invoice(shops["b"], f"FPX{n}", ledger - dt.timedelta(days=n), "10")
        payment(shops["b"], f"SKX{n}", ledger - dt.timedelta(days=n), "1")
        CreditTerms.objects.create(
            customer=shops["b"], credit_limit=1, term_days=1, status="rejected", proposed_by=org.market
        )
    for url in ("/api/v1/invoices/", "/api/v1/payments/", "/api/v1/credit-terms/", "/api/v1/ageing/"):
        with django_assert_max_num_queries(12):
            assert api_for(finance).get(url).status_code == 200
    client = client_for(finance)
    for url in ("/receivables/", "/receivables/invoices/", "/receivables/payments/", "/receivables/credit/"):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_the_ageing_export_is_excel_and_audited(org, finance, ledger):
    answer = client_for(finance).get("/receivables/ageing.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "客户编码"
    assert [r[0] for r in rows[1:-1]] == ["KH100", "KH900", "KH101"]
    assert rows[-1][7] == 2500  # the total outstanding: 1400 + 900 + 200
    assert AuditLog.objects.filter(action="export", object_type="receivables.ageing").count() == 1


def test_the_customer_page_shows_ageing_and_an_exceeded_limit_R_AR_1(org, shops, ledger):
    page = client_for(org.rep).get(shops["a"].get_absolute_url()).content.decode()
    panel = page.split('id="receivables"')[1].split("</section>")[0]
    assert "1400.00" in panel and "900.00" in panel
    assert "banner-warn" not in panel  # no limit yet: nothing exceeded
    CreditTerms.objects.create(
        customer=shops["a"],
        credit_limit=1000,
        term_days=30,
        status="approved",
        proposed_by=org.market,
        decided_at=timezone.now(),
    )
    check = services.credit_check(shops["a"])
    assert check.exceeded and check.excess == Decimal("400")
    page = client_for(org.rep).get(shops["a"].get_absolute_url()).content.decode()
    assert 'class="banner banner-warn"' in page.split('id="receivables"')[1]
    assert api_for(org.rep).get(f"/api/v1/ageing/{shops['a'].pk}/").json()["limit_exceeded"] is True


def test_payment_due_in_3_days_reminds_the_owner_once_seed_004(org, shops):
    today = timezone.localdate()
    due = invoice(shops["a"], "FPD", today - dt.timedelta(days=27), "100", due=today + dt.timedelta(days=3))
    invoice(
        shops["a"], "FPL", today - dt.timedelta(days=10), "100", due=today + dt.timedelta(days=4)
    )  # later
    paid = invoice(shops["b"], "FPP", today - dt.timedelta(days=5), "50", due=today + dt.timedelta(days=2))
    payment(shops["b"], "SKP", today, "50", paid)  # settled: no reminder
    services.due_reminders(today)
    services.due_reminders(today)  # the daily task again: nobody told twice
    notes = list(Notification.objects.filter(kind="receivables.payment_due"))
    assert [(n.user, n.url) for n in notes] == [(org.rep, due.get_absolute_url())]
    assert "FPD" in notes[0].text
    services.due_reminders(today + dt.timedelta(days=1))
    assert Notification.objects.filter(kind="receivables.payment_due").count() == 2  # FPL's turn
