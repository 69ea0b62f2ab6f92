"""Keyset ("load more") pages and capped counts for large lists (R-SCALE-1, issue 17).

An OFFSET page makes the database walk every skipped row; a keyset page starts after the last row
shown, found through the ordering's index, so page 4,000 costs what page 1 costs. The position is a
**cursor**: the ordering values of the last row shown, signed (``django.core.signing``) so a client
can keep it but not forge one into a different query shape; it carries nothing the caller could not
see, and the rows after it are still filtered by ``visible_to``.

Only orderings over non-null fields can be walked this way (``NULL`` breaks the ``<``/``>`` chain):
``keyset_ordering`` says whether a queryset's ordering qualifies and appends the primary key as the
tie-break that makes the order total.

A **capped count** counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``): an
exact number for small sets, and "more than ``cap``" for large ones, where PostgreSQL's planner
estimate is offered as an approximate figure ("约 20 万"), always labelled as such.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from django.core import signing
from django.db import connections, models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SALT = "baifang.keyset"


class BadCursor(ValueError):
    """A cursor that was not made by us, or not for this ordering."""


@dataclass(frozen=True)
class Count:
    """How many rows a list holds: exact up to the cap, else at least ``cap + 1`` with an estimate."""

    value: int
    exact: bool
    estimate: int | None = None

    @property
    def shown(self) -> int:
        """The number to show: the exact count, or the estimate (never below what was counted)."""
        if self.exact:
            return self.value
        return max(self.value, self.estimate or 0)


def capped_count(queryset: models.QuerySet, cap: int) -> Count:
    """Count up to ``cap`` rows exactly; past it, say so and estimate on PostgreSQL."""
    counted = queryset.order_by()[: cap + 1].count()
    if counted <= cap:
        return Count(counted, True)
    return Count(counted, False, planner_estimate(queryset))


def planner_estimate(queryset: models.QuerySet) -> int | None:
    """PostgreSQL's estimate of the query's rows (EXPLAIN, nothing is read); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def about(count: Count) -> str:
    """The count as a person reads it: "1,234", or "约 20 万" / "10,000 以上" when not exact."""
    if count.exact:
        return f"{count.value:,}"
    if count.estimate and count.estimate > count.value:
        return _("about %(n)s") % {"n": _rounded(count.estimate)}
    return _("more than %(n)s") % {"n": f"{count.value - 1:,}"}


def _rounded(n: int) -> str:
    """Two significant figures: "20 万" in Chinese, "200,000" elsewhere."""
    digits = len(str(n))
    rounded = round(n, -(digits - 2)) if digits > 2 else n
    if rounded >= 10_000 and (get_language() or "").startswith("zh"):
        return f"{rounded / 10_000:g} 万"
    return f"{rounded:,}"


def keyset_ordering(model, ordering: Sequence[str]) -> tuple[str, ...] | None:
    """The ordering with the primary key appended as tie-break, or None when a field in it is
    nullable, a relation or an expression (such an ordering is paged by number instead)."""
    names: list[str] = []
    for term in ordering:
        if not isinstance(term, str):
            return None
        name = term.lstrip("-")
        if name == "pk":
            name = model._meta.pk.name
        try:
            field = model._meta.get_field(name)
        except Exception:  # a lookup through a relation, an annotation
            return None
        if field.null or field.is_relation:
            return None
        names.append(("-" if term.startswith("-") else "") + field.attname)
        if field.primary_key:
            return tuple(names)
    pk = model._meta.pk.attname
    direction = "-" if names and names[-1].startswith("-") else ""
    return (*names, direction + pk)


def encode(values: Sequence, ordering: Sequence[str]) -> str:
    return signing.dumps({"o": list(ordering), "v": [_plain(v) for v in values]}, salt=SALT, compress=True)


def decode(cursor: str, model, ordering: Sequence[str]) -> list:
    """The ordering values a cursor holds, converted to the fields' Python types."""
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature as exc:
        raise BadCursor(
            _("This position in the list is not valid; start again from the first page.")
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("o") != list(ordering)
        or len(data.get("v", ())) != len(ordering)
    ):
        raise BadCursor(_("This position belongs to another sort order; start again from the first page."))
    values = []
    for term, raw in zip(ordering, data["v"], strict=True):
        field = model._meta.get_field(term.lstrip("-"))
        try:
            values.append(field.to_python(raw))
        except Exception as exc:
            raise BadCursor(
                _("This position in the list is not valid; start again from the first page.")
            ) from exc
    return values


def after(queryset: models.QuerySet, ordering: Sequence[str], values: Sequence) -> models.QuerySet:
    """The rows strictly after ``values`` in ``ordering``: (a > x) OR (a = x AND b > y) OR …"""
    branches = []
    for i, term in enumerate(ordering):
        name = term.lstrip("-")
        equal = {o.lstrip("-"): v for o, v in zip(ordering[:i], values[:i], strict=True)}
        lookup = f"{name}__lt" if term.startswith("-") else f"{name}__gt"
        branches.append(models.Q(**equal, **{lookup: values[i]}))
    return queryset.filter(reduce(lambda a, b: a | b, branches))


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None


def page(queryset: models.QuerySet, ordering: Sequence[str], cursor: str | None, size: int) -> KeysetPage:
    """``size`` rows in ``ordering`` after ``cursor`` (from the start when None), and the next cursor."""
    model = queryset.model
    ordered = queryset.order_by(*ordering)
    if cursor:
        ordered = after(ordered, ordering, decode(cursor, model, ordering))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode([getattr(last, term.lstrip("-")) for term in ordering], ordering)
    return KeysetPage(rows, next_cursor)


def _plain(value):
    """A JSON-safe form of an ordering value (dates and decimals as strings)."""
    if value is None or isinstance(value, int | str | bool | float):
        return value
    return str(value)
