"""Importing the archive from Excel/CSV (R-ARCH-10) with duplicate handling (R-ARCH-9), on core.intake.

Every way in (page, API, CLI) goes through the same pipeline; each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from baifang.core import imports
from baifang.core.choices import AuditAction, ImportStatus
from baifang.core.models import AuditLog, ImportBatch
from baifang.customers.exports import customers_xlsx
from baifang.customers.intake import KIND
from baifang.customers.models import ColumnMapping, Contact, Customer
from baifang.customers.services import export_rows
from tests.conftest import api_for, client_for
from tests.factories import ContactFactory, CustomerFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db

HEADER = "客户名称,客户类型,城市,区县,联系电话,统一社会信用代码,负责人,联系人,联系人职务,联系人手机"


def sheet(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def run(user, data: bytes, name="archive.csv", *, dry_run=False, **options) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = imports.start(
                KIND, by=user, upload=SimpleUploadedFile(name, data), dry_run=dry_run, options=options
            )
        batch.refresh_from_db()
        return batch

    return run


def _codes(batch) -> list[tuple[int, str]]:
    return [(e["row"], e["code"]) for e in batch.errors]


def _two_shops(org) -> bytes:
    return sheet(
        f"西湖便利店,零售商,杭州市,西湖区,13900000001,{make_credit_code(1)},rep,王老板,店主,13900000011",
        "西湖便利店,,,,,,,王老板娘,店员,13900000012",
        "滨江超市有限公司,retailer,杭州市,滨江区,,,,李经理,经理,13900000013",
    )


def test_archive_sheet_imports_customers_with_their_contacts_r_arch_10(org, run_import):
    batch = run_import(org.market, _two_shops(org))
    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.documents_new, batch.lines_written, batch.total_rows) == (2, 3, 3)
    shop = Customer.objects.get(name="西湖便利店")
    assert shop.owner == org.rep and shop.unit == org.team1  # the 负责人 column, unit from the owner
    assert shop.customer_type == "retailer" and shop.code.startswith("KH")
    assert shop.normalized_name == "西湖便利店"
    assert sorted(shop.contacts.values_list("name", "is_primary")) == [("王老板", True), ("王老板娘", False)]
    other = Customer.objects.get(name="滨江超市有限公司")
    assert other.owner == org.market  # no 负责人: the importer
    assert shop.history.count() == 1  # the import is in the customer's history
    log = AuditLog.objects.get(action=AuditAction.IMPORT)
    assert log.user == org.market and log.object_id == str(batch.pk)


def test_a_rerun_changes_nothing_r_arch_10(org, run_import):
    run_import(org.market, _two_shops(org))
    before = (Customer.objects.count(), Contact.objects.count())
    again = run_import(org.market, _two_shops(org))
    assert again.status == ImportStatus.DONE, again.errors
    assert (again.documents_new, again.documents_unchanged) == (0, 2)
    assert (Customer.objects.count(), Contact.objects.count()) == before


def test_one_bad_row_writes_nothing_and_names_row_and_column(org, run_import):
    data = sheet(
        "好店,零售商,杭州市,西湖区,13900000001,,,,,",
        "坏店,火星人,杭州市,西湖区,12345,,nobody,,,",
        ",零售商,,,,,,,,",
    )
    batch = run_import(org.market, data)
    assert batch.status == ImportStatus.FAILED
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0
    assert (3, "invalid_choice") in _codes(batch)
    assert (3, "invalid_phone") in _codes(batch)
    assert (3, "unknown_owner") in _codes(batch)
    assert (4, "required") in _codes(batch)
    messages = " ".join(e["message"] for e in batch.errors)
    assert "火星人" in messages and "nobody" in messages
    assert "不是" in messages or "必填" in messages  # the report is in Chinese


@pytest.fixture
def stored(org):
    customer = CustomerFactory(
        name="杭州华联超市有限公司", owner=org.rep, phone="13800000001", credit_code=make_credit_code(7)
    )
    ContactFactory(customer=customer, name="老周", mobile="13800000099")
    return customer


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("杭州 华联超市,零售商,杭州市,西湖区,,,,,,", "名称"),  # same name after normalisation
        ("华联西湖店,零售商,杭州市,西湖区,13800000001,,,,,", "电话"),
        (f"另一个名字,零售商,杭州市,西湖区,,{make_credit_code(7)},,,,", "统一社会信用代码"),
    ],
)
def test_a_duplicate_of_the_archive_is_refused_by_default_r_arch_9(org, stored, run_import, line, reason):
    batch = run_import(org.market, sheet(line.replace(",零售商,杭州市,西湖区,", ",零售商,上海市,浦东新区,")))
    assert batch.status == ImportStatus.FAILED
    assert _codes(batch) == [(2, "duplicate")]
    assert stored.code in batch.errors[0]["message"] and reason in batch.errors[0]["message"]
    assert Customer.objects.count() == 1


def test_skip_leaves_the_archive_as_it_was_r_arch_9(org, stored, run_import):
    batch = run_import(
        org.market, sheet("杭州华联超市,零售商,上海市,浦东新区,,,,新人,,13900000077"), on_duplicate="skip"
    )
    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.documents_new, batch.documents_unchanged) == (0, 1)
    stored.refresh_from_db()
    assert stored.city == "杭州市" and stored.contacts.count() == 1


def test_merge_per_row_fills_the_record_and_adds_new_contacts_once_r_arch_9(org, stored, run_import):
    data = sheet(
        "杭州华联超市,零售商,上海市,浦东新区,,,,新人,采购,13900000077,合并",
        "杭州华联超市,,,,,,,老周,,13800000099,",
        header=HEADER + ",重复处理",
    )
    batch = run_import(org.market, data)
    assert batch.status == ImportStatus.DONE, batch.errors
    stored.refresh_from_db()
    assert stored.city == "上海市" and stored.name == "杭州华联超市有限公司"  # name and owner stay
    assert stored.owner == org.rep
    assert sorted(stored.contacts.values_list("name", flat=True)) == ["新人", "老周"]
    again = run_import(org.market, data)
    assert (again.documents_new, again.documents_unchanged) == (0, 1)
    assert stored.contacts.count() == 2 and Customer.objects.count() == 1


def test_the_same_customer_twice_in_a_file_is_an_error_r_arch_9(org, run_import):
    data = sheet(
        "东站便利店,零售商,杭州市,上城区,13900000001,,,,,",
        "东站便利店（有限公司）,零售商,杭州市,上城区,,,,,,",
        "南站便利店,零售商,杭州市,上城区,13900000001,,,,,",
    )
    batch = run_import(org.market, data)
    assert batch.status == ImportStatus.FAILED
    assert _codes(batch) == [(3, "duplicate_in_file"), (4, "duplicate_in_file")]
    assert Customer.objects.count() == 0


def test_the_archives_own_export_reads_back_unchanged_r_arch_10(org, run_import):
    CustomerFactory.create_batch(3, owner=org.rep)
    columns, rows = export_rows(org.market, Customer.objects.order_by("code"))
    data = customers_xlsx(rows, columns)
    batch = run_import(org.market, data, "customers.xlsx")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert (batch.documents_new, batch.documents_unchanged) == (0, 3)
    Customer.objects.all().delete()  # an empty archive takes the export as new customers
    batch = run_import(org.market, data, "customers.xlsx")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.documents_new == 3
    assert set(Customer.objects.values_list("owner", flat=True)) == {org.rep.pk}
    assert set(Customer.objects.values_list("code", flat=True)) == {r[0] for r in rows}


def test_a_saved_column_mapping_reads_a_companys_own_headers(org, run_import):
    mapping = ColumnMapping.objects.create(
        name="县局档案表", headers={"门店名称": "name", "店主": "contact_name", "店主手机": "contact_mobile"}
    )
    data = sheet("老街烟酒店,张老板,13900000055", header="门店名称,店主,店主手机")
    assert run_import(org.market, data).status == ImportStatus.FAILED  # without the mapping: no name column
    batch = run_import(org.market, data, headers=mapping.headers)
    assert batch.status == ImportStatus.DONE, batch.errors
    assert Customer.objects.get(name="老街烟酒店").contacts.get().mobile == "13900000055"


def test_the_dry_run_writes_nothing_and_the_page_confirms_once(org, django_capture_on_commit_callbacks):
    client = client_for(org.market)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customers:import"),
            {"upload": SimpleUploadedFile("a.csv", _two_shops(org)), "on_duplicate": "refuse"},
        )
    assert response.status_code == 302
    checked = ImportBatch.objects.get()
    assert checked.dry_run and checked.status == ImportStatus.CHECKED, checked.errors
    assert Customer.objects.count() == 0
    page = client.get(reverse("customers:import_batch", args=[checked.pk])).content.decode()
    assert reverse("customers:import_confirm", args=[checked.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("customers:import_confirm", args=[checked.pk]))
        second = client.post(reverse("customers:import_confirm", args=[checked.pk]))  # a double click
    assert first.url == second.url
    assert ImportBatch.objects.filter(dry_run=False).count() == 1
    assert ImportBatch.objects.get(dry_run=False).status == ImportStatus.DONE
    assert Customer.objects.count() == 2 and Contact.objects.count() == 3
    history = client.get(reverse("customers:import"))
    assert history.status_code == 200 and "a.csv" in history.content.decode()


def test_the_error_report_downloads_as_chinese_excel(org, run_import):
    batch = run_import(org.market, sheet("坏店,火星人,,,,,,,,"), dry_run=True)
    response = client_for(org.market).get(reverse("customers:import_errors", args=[batch.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("行", "列", "原因")
    assert rows[1][0] == 2 and rows[1][1] == "客户类型" and "火星人" in rows[1][2]


def test_saving_a_column_mapping_from_the_page(org):
    client = client_for(org.market)
    response = client.post(
        reverse("customers:import"),
        {"save_mapping": "1", "name": "档案表", "lines": "门店名称 = name\n店主=contact_name"},
    )
    assert response.status_code == 302
    assert ColumnMapping.objects.get().headers == {"门店名称": "name", "店主": "contact_name"}
    bad = client.post(
        reverse("customers:import"), {"save_mapping": "1", "name": "坏", "lines": "门店 = 不存在"}
    )
    assert bad.status_code == 200 and ColumnMapping.objects.count() == 1


def test_outsiders_get_no_import_page_api_or_batch(org, run_import):
    batch = run_import(org.market, _two_shops(org), dry_run=True)
    for user in (org.rep, org.manager):
        client = client_for(user)
        assert client.get(reverse("customers:import")).status_code == 403
        assert client.get(reverse("customers:import_batch", args=[batch.pk])).status_code == 403
        assert client.get(reverse("customers:import_errors", args=[batch.pk])).status_code == 403
        assert client.post(reverse("customers:import_confirm", args=[batch.pk])).status_code == 403
        answer = api_for(user).post("/api/v1/customers/import/", {"rows": [{"name": "x"}]}, format="json")
        assert answer.status_code == 403
    assert Customer.objects.count() == 0
    client = client_for(org.market)
    assert client.get(reverse("customers:import_batch", args=[batch.pk + 999])).status_code == 404


def test_another_market_users_batch_is_not_found(org, run_import):
    colleague = UserFactory(username="market2", unit=org.market_dept, position="market_staff")
    batch = run_import(org.market, _two_shops(org), dry_run=True)
    client = client_for(colleague)
    assert client.get(reverse("customers:import_batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("customers:import_errors", args=[batch.pk])).status_code == 404
    assert client.post(reverse("customers:import_confirm", args=[batch.pk])).status_code == 404
    assert Customer.objects.count() == 0


def test_api_import_checks_then_writes_r_arch_10(org, django_capture_on_commit_callbacks):
    api = api_for(org.market)
    rows = [
        {
            "name": "API便利店",
            "customer_type": "零售商",
            "contact_name": "甲",
            "contact_mobile": "13900000001",
        },
        {"name": "API超市", "phone": "057188886666"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        dry = api.post("/api/v1/customers/import/", {"rows": rows, "dry_run": True}, format="json")
    assert dry.status_code == 202 and Customer.objects.count() == 0
    assert ImportBatch.objects.get(pk=dry.json()["id"]).status == ImportStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post("/api/v1/customers/import/", {"rows": rows}, format="json")
    assert ImportBatch.objects.get(pk=done.json()["id"]).status == ImportStatus.DONE
    assert Customer.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        bad = api.post(
            "/api/v1/customers/import/", {"rows": [*rows, {"name": "", "city": "杭州市"}]}, format="json"
        )
    assert ImportBatch.objects.get(pk=bad.json()["id"]).status == ImportStatus.FAILED
    assert Customer.objects.count() == 2


def test_cli_import_dry_run_then_write(org, tmp_path, capsys):
    path = tmp_path / "archive.csv"
    path.write_bytes(_two_shops(org))
    call_command("customers", "import", str(path), "--dry-run", "--owner", "market")
    assert Customer.objects.count() == 0
    call_command("customers", "import", str(path), "--owner", "market")
    assert Customer.objects.count() == 2
    assert Customer.objects.get(name="滨江超市有限公司").owner == org.market
    bad = tmp_path / "bad.csv"
    bad.write_bytes(sheet("坏店,火星人,,,,,,,,"))
    with pytest.raises(CommandError):
        call_command("customers", "import", str(bad), "--owner", "market")
    assert Customer.objects.count() == 2
    call_command("customers", "import", str(path))  # all already there: nothing needs an owner
    new = tmp_path / "new.csv"
    new.write_bytes(sheet("新来的店,零售商,,,,,,,,"))
    with pytest.raises(CommandError):
        call_command("customers", "import", str(new))  # a new customer, no 负责人, no --owner, no importer
    assert Customer.objects.count() == 2


def test_commerce_imports_still_refuse_a_changed_document(org):
    """The generic hook (sort_documents) keeps commerce's rule: same number, other content → error."""
    from baifang.core import intake

    schema = intake.schema_for("commerce.orders")
    assert type(schema).sort_documents is intake.RowSchema.sort_documents


def test_the_import_history_lists_in_a_fixed_number_of_queries(
    org, run_import, django_assert_max_num_queries
):
    for _ in range(4):
        run_import(org.market, _two_shops(org), dry_run=True)
    client = client_for(org.market)
    client.get(reverse("customers:import"))  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:import"))
    assert response.content.decode().count("archive.csv") == 4


def test_a_merge_leaves_the_stored_owner_even_when_the_file_names_someone_unknown(org, stored, run_import):
    data = sheet("杭州华联超市,零售商,宁波市,,,,无此人,,,", header=HEADER)
    batch = run_import(org.market, data, on_duplicate="merge")
    assert batch.status == ImportStatus.DONE, batch.errors
    stored.refresh_from_db()
    assert stored.city == "宁波市" and stored.owner == org.rep
