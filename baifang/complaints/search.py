"""The complaint search: subject, complainant, customer name (``icontains``) or the complaint's number.

Two paths give the same rows (tests/complaints/test_search.py holds it on both databases):

- ``plain_condition`` — the reference: one ``Q`` of ``icontains`` over the join, as a reader expects.
  SQLite runs it as is (no index can serve ``LIKE '%x%'`` there; the tables are small).
- ``indexed_matches`` — PostgreSQL: the complaint ids of each branch, each branch served by a GIN index
  over *search grams* (migration 0004) and then checked by the very same ``icontains``; the branches
  are united, so the planner never has to OR across the customer join (which read every complaint and
  every customer: about 500 ms at 50,000 complaints and 200,000 customers).

Why grams and not pg_trgm: pg_trgm takes trigrams of each word of a ``LIKE`` pattern, and a
2-character term (质量, 破损) has none, so its index reads every entry (docs/complaints.md, "Search").
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Q

_TRIGRAM = re.compile(r"[^\W_]{3}")
# ids are BigAutoField on both databases; a longer number is no complaint's.
_MAX_ID = 2**63 - 1


def reference_pk(text: str) -> int | None:
    """The complaint id a term names: ``TS2026-000123`` (any case, with or without TS), ``-123``, or ``123``."""
    reference = text.upper().removeprefix("TS")
    if "-" in reference:
        digits = reference.rsplit("-", 1)[1]
    elif text.isdigit() and len(text) < 18:
        digits = text
    else:
        return None
    if not digits.isdecimal():
        return None  # "TS-" or "TS-²" (a digit int() refuses) name no complaint; "１２３" is 123
    pk = int(digits)
    return pk if pk <= _MAX_ID else None


def plain_condition(text: str) -> Q:
    """The search as one condition over the join: the reference both paths must agree with."""
    condition = (
        Q(subject__icontains=text) | Q(customer__name__icontains=text) | Q(complainant__icontains=text)
    )
    pk = reference_pk(text)
    if pk is not None:
        condition |= Q(pk=pk)
    return condition


class HasSearchGrams(models.Func):
    """``baifang_search_grams(UPPER(column)) @> baifang_search_keys(UPPER(term))`` (PostgreSQL only).

    True for every row whose upper-cased column contains the upper-cased term (and for a few more,
    which the ``icontains`` beside it removes). The left side is the expression the GIN index holds.
    """

    output_field = models.BooleanField()

    def __init__(self, column: str, term: str):
        super().__init__(models.F(column), models.Value(term, output_field=models.TextField()))

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        term_sql, term_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"baifang_search_grams(UPPER({column_sql}::text)) @> baifang_search_keys(UPPER({term_sql}::text))"
        )
        return sql, (*column_params, *term_params)


class IsShortTerm(models.Func):
    """``length(UPPER(term)) <= 2``: the term's grams alone decide (PostgreSQL folds it to a constant)."""

    output_field = models.BooleanField()

    def __init__(self, term: str):
        super().__init__(models.Value(term, output_field=models.TextField()))

    def as_sql(self, compiler, connection, **extra_context):
        term_sql, term_params = compiler.compile(self.source_expressions[0])
        return f"length(UPPER({term_sql}::text)) <= 2", term_params


def _contains(column: str, text: str) -> Q:
    """The grams of ``column`` hold the term's, and (unless the grams alone decide) ``icontains``."""
    return Q(HasSearchGrams(column, text)) & (Q(IsShortTerm(text)) | Q(**{f"{column}__icontains": text}))


def has_trigram(text: str) -> bool:
    """Whether pg_trgm's ``customers_name_trgm`` can serve ``LIKE '%text%'``: a run of 3 word characters.

    Only speed rides on it (both indexes find every match and the ``icontains`` decides): pg_trgm
    splits a pattern into words and takes trigrams inside each, so "便利店" has one and "质量" or
    "A-B" have none. Where it has one, the trigram index beats the grams on a common name (便利店 is in
    a quarter of the names: heap rows rechecked by LIKE, not by recomputing the grams)."""
    return _TRIGRAM.search(text) is not None


def customers_named(text: str):
    """Customers whose name contains ``text``: pg_trgm's index for a term with a trigram, else the grams."""
    from baifang.customers.models import Customer

    customers = Customer.objects.order_by()
    if has_trigram(text):
        return customers.filter(name__icontains=text)
    return customers.filter(_contains("name", text))


def branches(text: str) -> list:
    """One complaint queryset per way a complaint can match, each served by its own index (PostgreSQL)."""
    from baifang.complaints.models import Complaint

    complaints = Complaint.objects.order_by()
    found = [
        complaints.filter(_contains("subject", text)),
        complaints.filter(_contains("complainant", text)),
        complaints.filter(customer__in=customers_named(text).values("pk")),
    ]
    pk = reference_pk(text)
    if pk is not None:
        found.append(complaints.filter(pk=pk))
    return found


def indexed_matches(text: str):
    """The ids of the complaints the search finds: the branches united (PostgreSQL)."""
    first, *others = (branch.values("pk") for branch in branches(text))
    return first.union(*others, all=True)
