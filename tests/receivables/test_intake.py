"""Invoices and payments from the ERP (R-AR-1): checked first, all or nothing, idempotent on the number.

The same pipeline as orders (``core.intake``): the bulk API, the CLI and uploads. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from baifang.commerce.models import Order, OrderLine, Product
from baifang.core import imports
from baifang.core.choices import ImportStatus
from baifang.receivables.models import CreditTerms, Invoice, Payment
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

INVOICES = (
    "发票号,开票日期,客户编码,金额,到期日,新品\n"
    'FP001,2026-08-01,KH100,"1,200.50",2026-08-31,否\n'
    "FP002,2026-11-01,KH101,800,,\n"
).encode()
PAYMENTS = "收款单号,收款日期,客户编码,金额,发票号\nSK001,2026-09-01,KH100,200.50,FP001\nSK002,2026-11-05,KH101,100,\n".encode()


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def run(user, data: bytes, kind, name="file.csv", *, dry_run=False):
        with django_capture_on_commit_callbacks(execute=True):
            batch = imports.start(kind, by=user, upload=SimpleUploadedFile(name, data), dry_run=dry_run)
        batch.refresh_from_db()
        return batch

    return run


def test_invoices_and_payments_are_imported_with_exact_decimals_R_AR_1(org, shops, run_import):
    batch = run_import(org.admin, INVOICES, "receivables.invoices")
    assert batch.status == ImportStatus.DONE, batch.errors
    first = Invoice.objects.get(number="FP001")
    assert first.amount == Decimal("1200.50") and first.customer == shops["a"] and first.source == "erp"
    assert first.due_on == dt.date(2026, 8, 31)
    # No due date in the file and no approved term: the policy's default term of 30 days.
    assert Invoice.objects.get(number="FP002").due_on == dt.date(2026, 12, 1)
    batch = run_import(org.admin, PAYMENTS, "receivables.payments")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert Payment.objects.get(number="SK001").invoice == first
    assert Payment.objects.get(number="SK002").invoice is None


def test_the_due_date_defaults_to_the_approved_term_R_AR_1(org, shops, run_import):
    CreditTerms.objects.create(
        customer=shops["b"], credit_limit=1000, term_days=15, status="approved", proposed_by=org.market
    )
    run_import(org.admin, INVOICES, "receivables.invoices")
    assert Invoice.objects.get(number="FP002").due_on == dt.date(2026, 11, 16)


def test_a_rerun_changes_nothing_and_a_changed_document_is_refused(org, shops, run_import):
    run_import(org.admin, INVOICES, "receivables.invoices")
    again = run_import(org.admin, INVOICES, "receivables.invoices")
    assert (again.status, again.documents_new, again.documents_unchanged) == (ImportStatus.DONE, 0, 2)
    changed = INVOICES.replace(b"800", b"900")
    refused = run_import(org.admin, changed, "receivables.invoices")
    assert refused.status == ImportStatus.FAILED
    assert [e["code"] for e in refused.errors] == ["document_changed"]
    assert Invoice.objects.get(number="FP002").amount == Decimal("800")


def test_every_bad_row_is_reported_in_chinese_and_nothing_is_written(org, shops, run_import):
    data = (
        "发票号,开票日期,客户编码,金额,到期日,订单号\n"
        "FP010,2026-08-01,KH100,100,,\n"  # 2: fine
        "FP011,2026-08-01,KH999,100,,\n"  # 3: unknown customer
        "FP012,2026-08-01,KH100,0,,\n"  # 4: zero amount
        "FP013,2026-08-01,KH100,-5,,\n"  # 5: negative
        "FP014,2026-08-01,KH100,10,2026-07-01,\n"  # 6: due before invoice
        "FP015,2026-08-01,KH100,10,,DD404\n"  # 7: unknown order
        "FP010,2026-08-02,KH100,10,,\n"  # 8: the same number twice
        "FP016,昨天,KH100,10,,\n"  # 9: not a date
    ).encode()
    batch = run_import(org.admin, data, "receivables.invoices")
    assert batch.status == ImportStatus.FAILED
    assert [(e["row"], e["code"]) for e in batch.errors] == [
        (3, "unknown_customer"),
        (4, "not_positive"),
        (5, "not_positive"),
        (6, "due_before_invoice"),
        (7, "unknown_order"),
        (8, "duplicate_line"),
        (9, "invalid"),
    ]
    assert "未知" in batch.errors[0]["message"] or "KH999" in batch.errors[0]["message"]
    assert not Invoice.objects.exists()


def test_a_payment_for_an_unknown_invoice_or_another_customers_is_refused(org, shops, run_import):
    run_import(org.admin, INVOICES, "receivables.invoices")
    data = "收款单号,收款日期,客户编码,金额,发票号\nSK010,2026-09-01,KH100,5,FP404\nSK011,2026-09-01,KH101,5,FP001\n"
    batch = run_import(org.admin, data.encode(), "receivables.payments")
    assert [e["code"] for e in batch.errors] == ["unknown_invoice", "other_customer"]
    assert not Payment.objects.exists()


def test_an_invoice_of_an_order_of_new_products_only_is_excepted_R_AR_1(org, shops, run_import):
    new = Product.objects.create(code="N1", name="新品", price=10, new_from=dt.date(2026, 1, 1))
    old = Product.objects.create(code="O1", name="老品", price=10)
    for number, product in (("DDN", new), ("DDO", old)):
        order = Order.objects.create(
            customer=shops["a"], number=number, ordered_on=dt.date(2026, 8, 1), fingerprint="x"
        )
        OrderLine.objects.create(order=order, product=product, quantity=1, price=10, amount=10)
    data = "发票号,开票日期,客户编码,金额,订单号\nFPN,2026-08-01,KH100,10,DDN\nFPO,2026-08-01,KH100,10,DDO\n"
    assert run_import(org.admin, data.encode(), "receivables.invoices").status == ImportStatus.DONE
    assert Invoice.objects.get(number="FPN").new_products is True
    assert Invoice.objects.get(number="FPO").new_products is False


def test_a_dry_run_writes_nothing(org, shops, run_import):
    batch = run_import(org.admin, INVOICES, "receivables.invoices", dry_run=True)
    assert (batch.status, batch.documents_new) == (ImportStatus.CHECKED, 2)
    assert not Invoice.objects.exists()


def test_the_bulk_api_needs_the_permission_and_a_resend_is_a_no_op(
    org, shops, django_capture_on_commit_callbacks
):
    rows = [
        {"invoice_number": "FP100", "invoice_date": "2026-10-01", "customer_code": "KH100", "amount": "50"}
    ]
    assert api_for(org.rep).post("/api/v1/invoices/bulk/", {"rows": rows}, format="json").status_code == 403
    for expected_new in (1, 0):
        with django_capture_on_commit_callbacks(execute=True):
            answer = api_for(org.admin).post("/api/v1/invoices/bulk/", {"rows": rows}, format="json")
        assert answer.status_code == 202
        batch = api_for(org.admin).get(f"/api/v1/import-batches/{answer.json()['id']}/").json()
        assert batch["documents_new"] == expected_new
    assert Invoice.objects.count() == 1
    pay = [
        {"payment_number": "SK100", "payment_date": "2026-10-05", "customer_code": "KH100", "amount": "20"}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api_for(org.admin).post("/api/v1/payments/bulk/", {"rows": pay}, format="json").status_code == 202
        )
    assert Payment.objects.get().amount == Decimal("20")


def test_the_command_imports_and_reports(org, shops, tmp_path, capsys):
    path = tmp_path / "fp.csv"
    path.write_bytes(INVOICES)
    call_command("receivables", "import", str(path), "--dry-run")
    assert not Invoice.objects.exists()
    call_command("receivables", "import", str(path))
    assert Invoice.objects.count() == 2
    payments = tmp_path / "sk.csv"
    payments.write_bytes(PAYMENTS)
    call_command("receivables", "import", str(payments))  # the kind read from the header
    assert Payment.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes("发票号,开票日期,客户编码,金额\nFP9,2026-01-01,KH999,1\n".encode())
    with pytest.raises(CommandError):
        call_command("receivables", "import", str(bad))
    assert "KH999" in capsys.readouterr().err
