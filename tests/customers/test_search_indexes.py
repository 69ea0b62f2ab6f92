"""Search indexes: created on PostgreSQL, absent (and unneeded) on SQLite; search works on both (R-SCALE-1)."""

from django.db import connection

from baifang.customers.models import Customer
from tests.factories import CustomerFactory


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers_customer'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_search_indexes_per_database(db):
    names = _indexes()
    if connection.vendor == "postgresql":
        assert {"customers_name_trgm", "customers_short_name_trgm", "customers_phone_prefix"} <= names
    else:
        assert "customers_name_trgm" not in names


def test_search_by_name_code_and_phone(org):
    hit = CustomerFactory(owner=org.rep, name="西湖区文三路便利店", phone="13912345678")
    CustomerFactory(owner=org.rep, name="滨江区江南大道超市", phone="13800000000")
    assert list(Customer.objects.search("文三路")) == [hit]
    assert list(Customer.objects.search(hit.code.lower())) == [hit]
    assert list(Customer.objects.search("1391234")) == [hit]
