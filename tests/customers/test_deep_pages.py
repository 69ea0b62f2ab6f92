"""Deep list pages: the list columns are computed for the page's rows only (R-SCALE-1, issue 17).

``co_owner_count`` and ``in_important_tier`` are correlated subqueries. Added to the paginated
query, PostgreSQL evaluates them for every row it skips on ``OFFSET`` (issue 17 measured 25,000
executions for ``?page=500``). ``with_list_data()`` fetches a page as the page's ids (filters, order,
OFFSET, LIMIT; no subquery) and then the columns for those ids only.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baifang.customers.models import Customer
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

CO_OWNERS = "customers_customer_co_owners"
TIERS = "tiers_customertier"
PAGED = re.compile(r"\bOFFSET\b|\bLIMIT 5\b")  # pages of 5; EXISTS adds a LIMIT 1 of its own


@pytest.fixture
def archive(org):
    """23 customers of org.rep: every third co-owned (some by two people), every fourth key, every
    fifth in an important tier; so the two columns differ from row to row."""
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    important = Tier.objects.create(scheme=scheme, code="A", name="A类", rank=1, is_important=True)
    plain = Tier.objects.create(scheme=scheme, code="C", name="C类", rank=3)
    customers = []
    for i in range(23):
        customer = CustomerFactory(owner=org.rep, name=f"深页客户{i:02d}", is_key=i % 4 == 0)
        if i % 3 == 0:
            customer.co_owners.add(org.teammate)
        if i % 6 == 0:
            customer.co_owners.add(org.manager)
        CustomerTier.objects.create(
            customer=customer,
            scheme=scheme,
            tier=important if i % 5 == 0 else plain,
            source="manual",
            assigned_at=timezone.now(),
        )
        customers.append(customer)
    return customers


def _expected(customer: Customer) -> tuple:
    """The two columns worked out one customer at a time, without the list queryset."""
    important = CustomerTier.objects.filter(customer=customer, tier__is_important=True).exists()
    return customer.pk, customer.co_owners.count(), important


def _columns(rows) -> list[tuple]:
    return [(row.pk, row.co_owner_count, row.in_important_tier) for row in rows]


def test_every_page_carries_the_same_columns_as_the_whole_list(org, archive):
    """Sliced or not, each row has its true co-owner count and important-tier flag, in list order."""
    listed = Customer.objects.visible_to(org.rep).with_list_data().order_by("name")
    whole = _columns(listed)
    assert whole == [_expected(c) for c in sorted(archive, key=lambda c: c.name)]
    assert {count for _pk, count, _imp in whole} == {0, 1, 2}
    assert {imp for _pk, _count, imp in whole} == {True, False}
    pages = [_columns(listed[start : start + 5]) for start in range(0, 25, 5)]
    assert [row for page in pages for row in page] == whole
    assert listed.count() == 23 and listed[7].pk == whole[7][0]


def test_the_paged_query_has_no_subquery_and_the_columns_run_for_the_page_only(org, archive):
    """The query with OFFSET/LIMIT reads no co-owner or tier table; the one that does has no OFFSET
    and asks for exactly the page's ids, whatever the page's depth."""
    listed = Customer.objects.visible_to(org.rep).with_list_data().order_by("-id")
    for start in (0, 10, 15):
        with CaptureQueriesContext(connection) as captured:
            rows = list(listed[start : start + 5])
        assert [row.pk for row in rows] == sorted((c.pk for c in archive), reverse=True)[start : start + 5]
        paged = [q["sql"] for q in captured if PAGED.search(q["sql"])]
        annotated = [q["sql"] for q in captured if CO_OWNERS in q["sql"]]
        assert len(paged) == 1 and len(annotated) == 1, captured.captured_queries
        assert CO_OWNERS not in paged[0] and TIERS not in paged[0]
        assert not PAGED.search(annotated[0]) and TIERS in annotated[0]
        asked = re.search(r'"customers_customer"\."id" IN \(([^)]*)\)', annotated[0])
        assert sorted(int(pk) for pk in asked.group(1).split(",")) == sorted(row.pk for row in rows)


@pytest.mark.parametrize(
    "path", ["/api/v1/customers/?page_size=5&page={page}", "/customers/?per_page=5&page={page}"]
)
def test_api_and_page_compute_the_columns_for_the_rows_shown(org, archive, path):
    """API and HTML list: no request's COUNT or OFFSET query carries a subquery, at page 1 or 4."""
    client = api_for(org.rep) if path.startswith("/api/") else client_for(org.rep)
    for page in (1, 4):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path.format(page=page))
        assert response.status_code == 200
        customer_sql = [q["sql"] for q in captured if 'FROM "customers_customer"' in q["sql"]]
        counts = [sql for sql in customer_sql if "COUNT(" in sql.upper() and CO_OWNERS not in sql]
        paged = [sql for sql in customer_sql if PAGED.search(sql)]
        assert counts and paged
        for sql in counts + paged:
            assert CO_OWNERS not in sql and TIERS not in sql, sql
    data = api_for(org.rep).get("/api/v1/customers/?page_size=5&page=2").json()["results"]
    shown = {c.pk: c for c in archive if c.pk in {row["id"] for row in data}}
    assert [(row["id"], row["co_owner_count"]) for row in data] == [
        (row["id"], _expected(shown[row["id"]])[1]) for row in data
    ]


def test_the_html_list_flags_one_knower_on_a_deep_page(org):
    """The "One knower" badge still reads the page rows' columns on page 2 (R-ARCH-6)."""
    lonely = CustomerFactory(owner=org.rep, name="孤单的重点客户", is_key=True)
    known = CustomerFactory(owner=org.rep, name="有人陪的重点客户", is_key=True)
    known.co_owners.add(org.teammate)
    for i in range(30):
        CustomerFactory(owner=org.rep, name=f"后来的客户{i:02d}")
    html = client_for(org.rep).get("/customers/", {"page": 2}).content.decode()
    rows = {name: row for row in html.split("<tr") for name in (lonely.name, known.name) if name in row}
    badge = 'class="badge badge-bad" title='
    assert badge in rows[lonely.name] and badge not in rows[known.name]
