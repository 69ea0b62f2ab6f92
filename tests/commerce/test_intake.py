"""Intake from the ERP: every row checked first, all or nothing, idempotent on the document number.

The three ways in (admin upload with dry run, bulk API, CLI) share ``core.intake``; each is tested
here on the commerce order and delivery files. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from baifang.commerce.intake import order_totals_match
from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine
from baifang.core import imports, intake
from baifang.core.choices import ImportStatus
from baifang.core.models import ImportBatch
from tests.commerce.conftest import order_csv
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db

GOOD = order_csv(
    "DD001,2026-11-02,KH100,P001,20,250",
    "DD001,2026-11-02,KH100,P002,5,",
    "DD002,2026/11/09,KH101,P001,12.5,250",
)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the jobs a call queues "after the commit" (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run_import(committed):
    def run(user, data: bytes, name="orders.csv", *, dry_run=False, kind="commerce.orders") -> ImportBatch:
        with committed():
            batch = imports.start(kind, by=user, upload=SimpleUploadedFile(name, data), dry_run=dry_run)
        batch.refresh_from_db()
        return batch

    return run


def _codes(batch) -> list[tuple[int, str]]:
    return [(e["row"], e["code"]) for e in batch.errors]


def test_orders_import_writes_documents_with_exact_decimals(org, shops, catalogue, run_import):
    batch = run_import(org.admin, GOOD)
    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.documents_new, batch.lines_written, batch.total_rows) == (2, 3, 3)
    first = Order.objects.get(number="DD001")
    assert first.customer == shops["a"]
    assert first.amount == Decimal("8250.00")  # 20 × 250 + 5 × 650 (the list price when none is given)
    assert order_totals_match(first)
    second = Order.objects.get(number="DD002")
    assert second.quantity == Decimal("12.500") and second.amount == Decimal("3125.00")
    assert second.batch == batch


def test_a_rerun_of_the_same_file_changes_nothing(org, shops, catalogue, run_import):
    run_import(org.admin, GOOD)
    lines = list(OrderLine.objects.values_list("pk", "quantity", "amount"))
    again = run_import(org.admin, GOOD)
    assert again.status == ImportStatus.DONE
    assert (again.documents_new, again.documents_unchanged, again.lines_written) == (0, 2, 0)
    assert list(OrderLine.objects.values_list("pk", "quantity", "amount")) == lines


def test_every_bad_row_is_reported_and_nothing_is_written(org, shops, catalogue, run_import):
    data = order_csv(
        "DD010,2026-11-02,KH100,P001,20,250",  # row 2: fine
        "DD011,2026-11-02,KH999,P001,3,250",  # row 3: unknown customer
        "DD012,2026-11-02,KH100,P404,3,250",  # row 4: unknown product
        "DD013,2026-11-02,KH100,P001,-2,250",  # row 5: negative quantity
        "DD010,2026-11-02,KH100,P001,1,250",  # row 6: P001 twice on DD010
        "DD014,2026-13-02,KH100,P001,abc,250",  # row 7: bad date and bad number
    )
    batch = run_import(org.admin, data)
    assert batch.status == ImportStatus.FAILED
    assert _codes(batch) == [
        (3, "unknown_customer"),
        (4, "unknown_product"),
        (5, "negative_quantity"),
        (6, "duplicate_line"),
        (7, "invalid"),
        (7, "invalid"),
    ]
    assert all(e["message"] for e in batch.errors)
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0


def test_errors_are_in_chinese(org, shops, catalogue, run_import):
    batch = run_import(org.admin, order_csv("DD011,2026-11-02,KH999,P001,3,250"))
    assert batch.errors[0]["message"] == "未知的客户编码“KH999”。"
    assert batch.errors[0]["column"] == "客户编码"


def test_a_document_sent_again_with_other_lines_is_refused(org, shops, catalogue, run_import):
    run_import(org.admin, GOOD)
    changed = order_csv("DD001,2026-11-02,KH100,P001,21,250", "DD001,2026-11-02,KH100,P002,5,")
    batch = run_import(org.admin, changed)
    assert batch.status == ImportStatus.FAILED
    assert _codes(batch) == [(2, "document_changed")]
    assert Order.objects.get(number="DD001").quantity == Decimal(25)


def test_lines_of_one_order_must_agree(org, shops, catalogue, run_import):
    batch = run_import(
        org.admin, order_csv("DD020,2026-11-02,KH100,P001,1,", "DD020,2026-11-03,KH101,P002,1,")
    )
    assert _codes(batch) == [(3, "inconsistent_document"), (3, "inconsistent_document")]


def test_missing_column_is_reported_on_the_header(org, shops, catalogue, run_import):
    batch = run_import(org.admin, "订单号,客户编码,商品编码,数量\nDD1,KH100,P001,1\n".encode())
    assert _codes(batch) == [(1, "required")]
    assert "订单日期" in batch.errors[0]["message"]


def test_dry_run_checks_and_writes_nothing_then_confirms(org, shops, catalogue, run_import, committed):
    checked = run_import(org.admin, GOOD, dry_run=True)
    assert checked.status == ImportStatus.CHECKED
    assert checked.documents_new == 2 and checked.lines_written == 0
    assert Order.objects.count() == 0
    client = client_for(org.admin)
    with committed():
        response = client.post(f"/admin/core/importbatch/{checked.pk}/confirm/")
    assert response.status_code == 302
    assert Order.objects.count() == 2
    done = ImportBatch.objects.exclude(pk=checked.pk).get()
    assert done.status == ImportStatus.DONE and not done.dry_run


def test_xlsx_and_gb18030_csv_read_the_same(org, shops, catalogue, run_import):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["订单号", "订单日期", "客户编码", "商品编码", "数量"])
    import datetime as dt

    sheet.append(["DD030", dt.datetime(2026, 11, 2), "KH100", "P001", 20])
    sheet.append(["DD030", dt.datetime(2026, 11, 2), "KH100", "P002", 2.5])
    buffer = io.BytesIO()
    book.save(buffer)
    assert run_import(org.admin, buffer.getvalue(), "orders.xlsx").status == ImportStatus.DONE
    gbk = "订单号,订单日期,客户编码,商品编码,数量\nDD031,2026-11-03,KH101,P003,4\n".encode("gb18030")
    assert run_import(org.admin, gbk, "orders.csv").status == ImportStatus.DONE
    assert Order.objects.get(number="DD030").quantity == Decimal("22.5")
    assert Order.objects.get(number="DD031").lines.get().product == catalogue["ls"]


def test_an_unreadable_file_is_refused_at_once(org, shops, catalogue):
    with pytest.raises(Exception) as exc:
        imports.start("commerce.orders", by=org.admin, upload=SimpleUploadedFile("x.pdf", b"%PDF"))
    assert "CSV" in str(exc.value)
    assert ImportBatch.objects.count() == 0


def test_deliveries_link_to_their_order(org, shops, catalogue, run_import):
    run_import(org.admin, GOOD)
    data = "送货单号,送货日期,订单号,商品编码,数量\nSH1,2026-11-03,DD001,P001,18\nSH1,2026-11-03,DD001,P002,5\nSH2,2026-11-03,DD404,P001,1\n"
    batch = run_import(org.admin, data.encode(), kind="commerce.deliveries")
    assert _codes(batch) == [(4, "unknown_order")]
    assert Delivery.objects.count() == 0
    ok = run_import(org.admin, data.encode().rsplit(b"SH2", 1)[0], kind="commerce.deliveries")
    assert ok.status == ImportStatus.DONE
    delivery = Delivery.objects.get()
    assert delivery.order.number == "DD001" and delivery.customer == shops["a"]
    assert delivery.quantity == Decimal(23) and DeliveryLine.objects.count() == 2


def test_only_those_allowed_may_import(org, shops, catalogue):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imports.start("commerce.orders", by=org.rep, upload=SimpleUploadedFile("o.csv", GOOD))
    response = api_for(org.rep).post("/api/v1/orders/bulk/", {"rows": [{"order_number": "X"}]}, format="json")
    assert response.status_code == 403
    assert client_for(org.rep).get("/admin/core/importbatch/upload/").status_code == 302  # to the admin login


API_ROWS = [
    {
        "order_number": "API1",
        "order_date": "2026-11-05",
        "customer_code": "KH100",
        "product_code": "P001",
        "quantity": "10",
    },
    {
        "order_number": "API1",
        "order_date": "2026-11-05",
        "customer_code": "KH100",
        "product_code": "P003",
        "quantity": "4",
        "price": "180",
    },
]


def test_bulk_api_is_all_or_nothing_and_idempotent(org, shops, catalogue, committed):
    api = api_for(org.admin)
    with committed():
        bad = api.post(
            "/api/v1/orders/bulk/",
            {"rows": [*API_ROWS, {**API_ROWS[0], "product_code": "P404"}]},
            format="json",
        )
    assert bad.status_code == 202 and bad.json()["status"] == "queued"
    report = api.get(f"/api/v1/import-batches/{bad.json()['id']}/").json()
    assert report["status"] == "failed"
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(4, "unknown_product")]
    assert Order.objects.count() == 0
    with committed():
        first = api.post("/api/v1/orders/bulk/", {"rows": API_ROWS}, format="json").json()
    first = api.get(f"/api/v1/import-batches/{first['id']}/").json()
    assert (first["status"], first["documents_new"], first["lines_written"]) == ("done", 1, 2)
    with committed():
        again = api.post("/api/v1/orders/bulk/", {"rows": API_ROWS}, format="json").json()
    again = api.get(f"/api/v1/import-batches/{again['id']}/").json()
    assert (again["status"], again["documents_new"], again["documents_unchanged"]) == ("done", 0, 1)
    assert Order.objects.get().amount == Decimal("3220.00")
    batch = api.get(f"/api/v1/import-batches/{first['id']}/")
    assert batch.status_code == 200 and batch.json()["progress_percent"] == 100


def test_someone_elses_batch_is_not_found(org, shops, catalogue, run_import):
    batch = run_import(org.admin, GOOD)
    assert api_for(org.rep).get(f"/api/v1/import-batches/{batch.pk}/").status_code == 404
    assert client_for(org.rep).get(f"/imports/{batch.pk}/").status_code == 404
    page = client_for(org.admin).get(f"/imports/{batch.pk}/")
    assert page.status_code == 200 and "orders.csv" in page.content.decode()


def test_the_job_runs_a_batch_once(org, shops, catalogue):
    batch = intake.create_batch("commerce.orders", upload=SimpleUploadedFile("o.csv", GOOD))
    assert intake.run(batch.pk).status == ImportStatus.DONE
    assert intake.run(batch.pk) is None  # already claimed: a second worker does nothing
    assert Order.objects.count() == 2


def test_command_imports_and_reports(org, shops, catalogue, tmp_path):
    good, bad = tmp_path / "orders.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD)
    bad.write_bytes(order_csv("DD011,2026-11-02,KH999,P001,3,250"))
    out = io.StringIO()
    call_command("commerce", "import", str(good), "--dry-run", stdout=out)
    assert Order.objects.count() == 0 and "2" in out.getvalue()
    call_command("commerce", "import", str(good), stdout=io.StringIO())
    call_command("commerce", "import", str(good), stdout=io.StringIO())
    assert Order.objects.count() == 2
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("commerce", "import", str(bad), stdout=io.StringIO(), stderr=err)
    assert "KH999" in err.getvalue()
    deliveries = tmp_path / "deliveries.csv"
    deliveries.write_text(
        "送货单号,送货日期,订单号,商品编码,数量\nSH9,2026-11-03,DD002,P001,12.5\n", encoding="utf-8"
    )
    call_command("commerce", "import", str(deliveries), stdout=io.StringIO())
    assert Delivery.objects.get().number == "SH9"


def test_admin_upload_page_checks_first(org, shops, catalogue, committed):
    client = client_for(org.admin)
    assert client.get("/admin/core/importbatch/upload/").status_code == 200
    with committed():
        response = client.post(
            "/admin/core/importbatch/upload/",
            {"kind": "commerce.orders", "upload": SimpleUploadedFile("o.csv", GOOD), "dry_run": "on"},
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportStatus.CHECKED
    page = client.get(f"/admin/core/importbatch/{batch.pk}/change/")
    assert page.status_code == 200 and f"/admin/core/importbatch/{batch.pk}/confirm/" in page.content.decode()
    assert Order.objects.count() == 0
