"""Readable field history of a customer from django-simple-history rows (R-ARCH-4)."""

from __future__ import annotations

from dataclasses import dataclass, field

IGNORED = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "updated_at",
}


@dataclass
class HistoryEntry:
    when: object
    user: object
    created: bool
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def history_entries(customer, limit: int = 50) -> list[HistoryEntry]:
    """The latest ``limit`` history rows with field-level changes, in two queries."""
    rows = list(
        customer.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    fields = [f for f in customer._meta.concrete_fields if f.attname not in IGNORED and f.name not in IGNORED]
    entries = []
    for newer, older in zip(rows, [*rows[1:], None][: len(rows)], strict=True):
        if len(entries) == limit:
            break
        entry = HistoryEntry(newer.history_date, newer.history_user, older is None)
        if older is not None:
            for f in fields:
                old, new = getattr(older, f.attname, None), getattr(newer, f.attname, None)
                if old != new:
                    entry.changes.append((str(f.verbose_name), old, new))
        entries.append(entry)
    return entries
