"""The kept open amount of every invoice (R-AR-1, R-SCALE-1): every path that writes invoices or
payments keeps ``Invoice.open_amount`` equal to what the engine computes from the payments, and the
ageing read from it (the company report, the tier fact 逾期天数) equals ``engine.age``.

SQLite and PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.customers.models import Customer
from baifang.receivables import engine, open_amounts, services
from baifang.receivables.models import AgeingPolicy, Invoice, Payment
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.receivables.conftest import invoice, payment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
FAR = dt.date(2099, 12, 31)  # every document dated before it: the engine sees all of them


def recomputed() -> dict[int, Decimal]:
    """Every invoice's open amount from scratch: the engine over all invoices and payments."""
    out = {}
    for customer in Customer.objects.all():
        items = [
            engine.OpenItem(i.pk, i.invoiced_on, i.amount, due_on=i.due_on, excepted=i.new_products)
            for i in Invoice.objects.filter(customer=customer)
        ]
        paid = [engine.PaidItem(p.amount, p.invoice_id) for p in Payment.objects.filter(customer=customer)]
        ageing = engine.age(items, paid, FAR)
        out.update({item.key: ageing.open_by_invoice.get(item.key, Decimal(0)) for item in items})
    return out


def kept() -> dict[int, Decimal]:
    return dict(Invoice.objects.values_list("pk", "open_amount"))


def assert_kept_is_recomputed():
    assert kept() == recomputed()


amounts = st.integers(1, 50_000).map(lambda cents: Decimal(cents) / 100)
invoice_rows = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(0, 200), amounts, st.integers(0, 60), st.booleans()),
    max_size=8,
)
# A payment: customer, days before today, amount, which invoice (index) or none.
payment_rows = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(0, 150), amounts, st.one_of(st.none(), st.integers(0, 7))),
    max_size=8,
)


def _make(shops, invoices, payments):
    made = []
    for n, (who, back, amount, term, new) in enumerate(invoices):
        day = TODAY - dt.timedelta(days=back)
        made.append(invoice(shops[who], f"F{n}", day, amount, due=day + dt.timedelta(days=term), new=new))
    for n, (who, back, amount, index) in enumerate(payments):
        target = made[index] if index is not None and index < len(made) else None
        payment(shops[who], f"S{n}", TODAY - dt.timedelta(days=back), amount, target)
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    invoices=invoice_rows, payments=payment_rows, except_new=st.booleans(), target=st.sampled_from([30, 90])
)
def test_r_ar_1_kept_amount_ageing_equals_the_engine(org, shops, invoices, payments, except_new, target):
    """Documents dated up to today: the report's SQL over the kept amounts gives ``engine.age``."""
    with transaction.atomic():
        policy = AgeingPolicy.objects.create(except_new_products=except_new, target_days=target)
        _make(shops, invoices, payments)
        assert_kept_is_recomputed()
        rows = {r["customer_id"]: r for r in services.ageing_rows(org.admin, TODAY, policy)}
        for shop in (shops["a"], shops["b"]):
            items = [
                engine.OpenItem(i.pk, i.invoiced_on, i.amount, due_on=i.due_on, excepted=i.new_products)
                for i in Invoice.objects.filter(customer=shop)
            ]
            paid = [engine.PaidItem(p.amount, p.invoice_id) for p in Payment.objects.filter(customer=shop)]
            ref = engine.age(items, paid, TODAY, target_days=target, except_new=except_new)
            if not ref.has_debt:
                assert shop.pk not in rows
                continue
            ours = services._ageing_of_row(rows[shop.pk], TODAY)
            assert ours.buckets == ref.buckets
            assert ours.outstanding == ref.outstanding
            assert ours.over_target == ref.over_target
            assert ours.overdue == ref.overdue
            assert ours.oldest_days == ref.oldest_days
            assert ours.max_days_overdue == ref.max_days_overdue
        transaction.set_rollback(True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invoices=invoice_rows, payments=payment_rows)
def test_r_tier_2_overdue_days_in_sql_equal_the_engine(shops, invoices, payments):
    with transaction.atomic():
        _make(shops, invoices, payments)
        customers = Customer.objects.filter(pk__in=[s.pk for s in shops.values()])
        reference = services._ageing_by_customer(customers.values("pk"), TODAY, AgeingPolicy.current())
        assert services.overdue_days(customers, TODAY) == {
            pk: a.max_days_overdue for pk, a in reference.items()
        }
        transaction.set_rollback(True)


def test_fifo_by_hand_and_every_change_of_a_payment(org, shops):
    """The engine's docstring example, then a correction of each kind (R-AR-1)."""
    f1 = invoice(shops["a"], "F1", dt.date(2026, 1, 1), "100")
    f2 = invoice(shops["a"], "F2", dt.date(2026, 3, 20), "50")
    s1 = payment(shops["a"], "S1", dt.date(2026, 4, 1), "30")
    assert (f1.open_amount, Invoice.objects.get(pk=f2.pk).open_amount) == (Decimal("100"), Decimal("50"))
    assert kept() == {f1.pk: Decimal("70"), f2.pk: Decimal("50")}
    s1.amount = Decimal("120")  # the amount corrected: F1 settled, 20 of F2
    s1.save()
    assert kept() == {f1.pk: Decimal("0"), f2.pk: Decimal("30")}
    s1.invoice = f2  # allocated to F2 instead: F2 settled, 70 overflow to F1
    s1.save()
    assert kept() == {f1.pk: Decimal("30"), f2.pk: Decimal("0")}
    s1.customer, s1.invoice = shops["b"], None  # booked to the wrong customer: moved away
    s1.save()
    assert kept() == {f1.pk: Decimal("100"), f2.pk: Decimal("50")}
    s1.customer = shops["a"]
    s1.save()
    s1.delete()
    assert kept() == {f1.pk: Decimal("100"), f2.pk: Decimal("50")}
    payment(shops["a"], "S2", dt.date(2026, 4, 1), "130")
    f3 = invoice(shops["a"], "F0", dt.date(2025, 12, 1), "40")  # an older invoice arrives late: FIFO
    assert f3.open_amount == Decimal("0")
    assert kept() == {f3.pk: Decimal("0"), f1.pk: Decimal("10"), f2.pk: Decimal("50")}
    f3.delete()
    assert_kept_is_recomputed()


def test_the_admins_bulk_delete_keeps_the_open_amounts(org, shops):
    f1 = invoice(shops["a"], "F1", dt.date(2026, 1, 1), "100")
    payment(shops["a"], "S1", dt.date(2026, 2, 1), "60")
    payment(shops["a"], "S2", dt.date(2026, 2, 2), "40")
    assert kept() == {f1.pk: Decimal("0")}
    request = RequestFactory().post("/")
    request.user = org.admin
    site._registry[Payment].delete_queryset(request, Payment.objects.filter(number="S2"))
    assert kept() == {f1.pk: Decimal("40")}


def test_every_intake_path_keeps_the_open_amounts_and_a_resend_is_a_no_op(
    org, shops, tmp_path, django_capture_on_commit_callbacks
):
    """REST bulk, the CLI (and so uploads: the same ``core.intake``), re-sent batches (R-AR-1)."""
    rows = [
        {"invoice_number": "FP1", "invoice_date": "2026-08-01", "customer_code": "KH100", "amount": "100"},
        {"invoice_number": "FP2", "invoice_date": "2026-09-01", "customer_code": "KH100", "amount": "80"},
        {"invoice_number": "FP3", "invoice_date": "2026-09-01", "customer_code": "KH101", "amount": "10"},
    ]
    pay = [
        {"payment_number": "SK1", "payment_date": "2026-10-05", "customer_code": "KH100", "amount": "120"},
        {
            "payment_number": "SK2",
            "payment_date": "2026-10-05",
            "customer_code": "KH101",
            "amount": "4",
            "invoice_number": "FP3",
        },
    ]
    for _ in range(2):  # the second time: a re-sent batch, nothing changes
        with django_capture_on_commit_callbacks(execute=True):
            api_for(org.admin).post("/api/v1/invoices/bulk/", {"rows": rows}, format="json")
            api_for(org.admin).post("/api/v1/payments/bulk/", {"rows": pay}, format="json")
        assert dict(Invoice.objects.values_list("number", "open_amount")) == {
            "FP1": Decimal("0"),
            "FP2": Decimal("60"),
            "FP3": Decimal("6"),
        }
        assert_kept_is_recomputed()
    path = tmp_path / "fp.csv"
    path.write_bytes("发票号,开票日期,客户编码,金额\nFP0,2026-07-01,KH100,30\n".encode())
    call_command("receivables", "import", str(path))  # older than FP1: the 120 settles it first
    opened = dict(Invoice.objects.values_list("number", "open_amount"))
    assert (opened["FP0"], opened["FP1"], opened["FP2"]) == (Decimal("0"), Decimal("10"), Decimal("80"))
    path = tmp_path / "sk.csv"
    path.write_bytes("收款单号,收款日期,客户编码,金额\nSK9,2026-11-01,KH100,90\n".encode())
    call_command("receivables", "import", str(path))
    assert Invoice.objects.filter(customer=shops["a"], open_amount__gt=0).count() == 0
    assert_kept_is_recomputed()


def test_the_backfill_gives_every_invoice_its_open_amount(shops):
    """The data migration's statement: kept amounts lost (bulk SQL, an old database) come back."""
    f1 = invoice(shops["a"], "F1", dt.date(2026, 1, 1), "100")
    payment(shops["a"], "S1", dt.date(2026, 2, 1), "30")
    Invoice.objects.update(open_amount=Decimal("999"))
    assert open_amounts.refresh(None) == 1
    assert kept() == {f1.pk: Decimal("70")}
    assert open_amounts.refresh(None) == 0  # nothing left to change


def test_the_report_is_paged_with_totals_over_every_page_and_fixed_queries(org, shops, finance):
    def page_queries(url, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    invoice(shops["a"], "F1", TODAY - dt.timedelta(days=10), "5")
    client, api = client_for(finance), api_for(finance)
    page_queries("/receivables/", client), page_queries("/api/v1/ageing/", api)  # sessions, tokens warm
    few = (page_queries("/receivables/", client), page_queries("/api/v1/ageing/", api))
    for n in range(60):
        customer = CustomerFactory(code=f"KZ{n:03d}", owner=org.rep)
        invoice(customer, f"FX{n}", TODAY - dt.timedelta(days=n * 3), str(100 + n))
    many = (page_queries("/receivables/", client), page_queries("/api/v1/ageing/", api))
    assert few == many  # the same number of queries for 1 or 61 customers owing
    assert many[0] <= 11 and many[1] <= 6
    report = services.ageing_report(finance, TODAY)
    assert report.count == 61 and len(report.rows) == services.PAGE_SIZE
    assert report.outstanding == Decimal(5) + sum(Decimal(100 + n) for n in range(60))
    second = services.ageing_report(finance, TODAY, page=2)
    assert len(second.rows) == 11 and second.outstanding == report.outstanding
    answer = api.get("/api/v1/ageing/?page=2").json()
    assert answer["count"] == 61 and len(answer["results"]) == 11
    assert "page=2" in client.get("/receivables/").content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get("/receivables/ageing.xlsx").content))
    sheet_rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(sheet_rows) == 62  # every customer, not one page, and the total
    assert sheet_rows[-1][7] == float(report.outstanding)
    # The rep sees own customers only (R-SEC-1); an outsider nothing of theirs.
    assert services.ageing_report(org.outsider, TODAY).count == 0
    assert api_for(org.outsider).get("/api/v1/ageing/").json()["count"] == 0
