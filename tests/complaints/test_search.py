"""The complaint search (R-COMP-1, R-SCALE-1): PostgreSQL's indexed branches find exactly the rows of the
plain ``icontains`` condition — for 1-, 2- and 3+-character Chinese and ASCII terms, LIKE wildcards,
numbers — the indexes exist and can serve it, and the search never widens what a user sees (R-ORG-4)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from baifang.complaints.models import Complaint
from baifang.complaints.search import branches, customers_named, has_trigram, plain_condition, reference_pk
from tests.complaints.conftest import receive
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SUBJECTS = (
    "包装破损（1）",
    "产品质量不稳定",
    "送货晚到",
    "质",
    "Broken PACKAGE",
    "100% 退款_要求",
    "路径 C:\\temp 错误",
    "ＡＢＣ全角",
    "Café déjà vu",
)
COMPLAINANTS = ("张先生", "李女士", "王", "", "Mr Broken", "质检员", "", "", "")


@pytest.fixture
def complaints(org, desk, customer):
    shop = CustomerFactory(name="质量监督站便利店", owner=org.rep)
    alpha = CustomerFactory(name="Alpha 五金 Store", owner=org.rep)
    owners = (customer, shop, alpha)
    return [
        receive(owners[i % 3], desk.cs, subject=subject, complainant=complainant)
        for i, (subject, complainant) in enumerate(zip(SUBJECTS, COMPLAINANTS, strict=True))
    ]


def _searched(term: str, queryset=None) -> set[int]:
    return set((queryset or Complaint.objects).search(term).values_list("pk", flat=True))


def _plain(term: str) -> set[int]:
    return set(Complaint.objects.filter(plain_condition(term.strip())).values_list("pk", flat=True))


def _terms(complaints) -> set[str]:
    """Every 1-, 2- and 3-character piece of every searched text, each text whole, upper and lower."""
    texts = {t for c in complaints for t in (c.subject, c.complainant, c.customer.name) if t}
    terms = set()
    for text in texts:
        terms |= {text, text.upper(), text.lower()}
        for size in (1, 2, 3):
            terms |= {text[i : i + size] for i in range(len(text) - size + 1)}
    return {t for t in terms if t.strip()}


def test_the_search_finds_exactly_the_rows_of_the_plain_condition(complaints):
    """On PostgreSQL the indexed branches, on SQLite the plain path: both equal the icontains rows."""
    terms = _terms(complaints) | {"%", "_", "\\", "0%", "%退", "k_", "C:\\t", "ts", "-", "  质量  ", "不存在"}
    terms |= {c.reference for c in complaints} | {c.reference.lower() for c in complaints}
    terms |= {str(c.pk) for c in complaints} | {f"-{c.pk}" for c in complaints}
    mismatches = {t: (_searched(t), _plain(t)) for t in sorted(terms) if _searched(t) != _plain(t)}
    assert not mismatches


def test_chinese_and_ascii_terms_of_every_length(complaints):
    by_subject = {c.subject: c.pk for c in complaints}
    quality_shop = {c.pk for c in complaints if c.customer.name == "质量监督站便利店"}
    assert _searched("质量") == {by_subject["产品质量不稳定"]} | quality_shop
    assert _searched("破损") == {by_subject["包装破损（1）"]}
    assert _searched("包装破损") == {by_subject["包装破损（1）"]}
    assert _searched("质") == {by_subject["质"], by_subject["产品质量不稳定"]} | quality_shop | {
        c.pk for c in complaints if c.complainant == "质检员"
    }
    assert _searched("broken package") == {by_subject["Broken PACKAGE"]}
    assert _searched("mr b") == {c.pk for c in complaints if c.complainant == "Mr Broken"}
    assert _searched("aLPHA") == {c.pk for c in complaints if c.customer.name.startswith("Alpha")}
    # LIKE wildcards are literal characters here.
    assert _searched("%") == {by_subject["100% 退款_要求"]}
    assert _searched("_") == {by_subject["100% 退款_要求"]}
    assert _searched("C:\\t") == {by_subject["路径 C:\\temp 错误"]}
    assert _searched("  破损 ") == _searched("破损")


def test_a_complaint_number_finds_it(complaints):
    first = complaints[0]
    for term in (first.reference, first.reference.lower(), f"-{first.pk}", str(first.pk)):
        assert first.pk in _searched(term), term
    fullwidth = str(first.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert reference_pk(fullwidth) == first.pk
    # Numbers no complaint can have are no match, not an error (they reached the database before).
    assert reference_pk("TS-²") is None and _searched("TS-²") == set()
    assert reference_pk("TS2026-" + "9" * 40) is None and _searched("TS2026-" + "9" * 40) == set()


def test_the_search_keeps_the_scope(org, desk, complaints, other_customer):
    """A rep searching for another department's customer finds nothing, on the page and in the API."""
    hidden = receive(other_customer, desk.cs, subject="宁波包装破损")
    assert hidden.pk in _searched("宁波")
    assert _searched("宁波", Complaint.objects.visible_to(org.rep)) == set()
    page = client_for(org.rep).get(reverse("complaints:list") + "?state=&q=宁波").content.decode()
    assert "宁波包装破损" not in page
    assert api_for(org.rep).get("/api/v1/complaints/?state=&q=宁波").json()["count"] == 0
    assert api_for(org.rep).get("/api/v1/complaints/?state=&q=破损").json()["count"] == 1


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


GRAM_INDEXES = {
    "complaints_complaint": {"complaints_subject_grams", "complaints_complainant_grams"},
    "customers_customer": {"complaints_customer_name_grams"},
}


def test_the_search_indexes_exist_on_postgresql_only():
    for table, names in GRAM_INDEXES.items():
        if connection.vendor == "postgresql":
            assert names <= _indexes(table)
        else:
            assert not names & _indexes(table)


def test_a_trigram_is_a_run_of_three_word_characters():
    """pg_trgm takes trigrams inside words: a name term without one goes to the grams index."""
    assert has_trigram("便利店") and has_trigram("TS2026-1") and has_trigram("abc")
    assert (
        not has_trigram("质量")
        and not has_trigram("A-B")
        and not has_trigram("便利 店")
        and not has_trigram("a_b")
    )


def _plan(queryset) -> str:
    """The plan with sequential and plain index scans priced out: what an index can serve shows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("term", "customer_index"),
    [
        ("质", "complaints_customer_name_grams"),
        ("质量", "complaints_customer_name_grams"),
        ("ab", "complaints_customer_name_grams"),
        ("包装破损", "customers_name_trgm"),  # a trigram: pg_trgm's index serves the customer's name
        ("TS2026-000001", "customers_name_trgm"),
    ],
)
def test_postgresql_serves_every_branch_from_its_index(complaints, term, customer_index):
    """The expressions of the search are the indexes' expressions (else the plan could not read them)."""
    if connection.vendor != "postgresql":
        pytest.skip("the gram indexes are PostgreSQL's")
    assert has_trigram(term) == (customer_index == "customers_name_trgm")
    subject, complainant, by_customer, *number = branches(term)
    assert "complaints_subject_grams" in _plan(subject)
    assert "complaints_complainant_grams" in _plan(complainant)
    assert customer_index in _plan(customers_named(term))
    assert bool(number) == (reference_pk(term) is not None)
