"""Long ``IN (...)`` lists in slices the database accepts.

SQLite refuses a statement with more bound variables than its limit (32,766 since 3.32, 999 before),
and PostgreSQL plans a very long list slowly. A lookup or update by many keys — an import's product
codes, an ERP batch's order numbers, a survey's recipients — goes through these helpers instead of one
``field__in=values``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator

SLICE = 2000  # keys per IN (...): well under SQLite's variable limit, with room for other parameters


def slices(values: Iterable[Hashable], size: int = SLICE) -> Iterator[list]:
    """The distinct values, sorted, in lists of at most ``size`` (none at all for no values)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def values_in(queryset, field: str, values: Iterable[Hashable], *columns: str, size: int = SLICE):
    """``queryset.filter(field__in=values).values_list(*columns)``, one slice of values at a time."""
    for part in slices(values, size):
        yield from queryset.filter(**{f"{field}__in": part}).values_list(*columns)
