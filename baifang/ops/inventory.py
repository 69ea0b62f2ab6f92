"""What an installation holds, in a form two installations can be compared by (issue 18: test a restore)."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.utils import timezone

from baifang.ops.backup import media_files, media_root, sha256_of, table_counts


def table_digest(table: str) -> tuple[str, list[str]]:
    """SHA-256 over every row of ``table`` in a fixed order, and its first and last rows (as text)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        order = ", ".join(qn(c) for c in columns)
        cursor.execute(f"SELECT {order} FROM {qn(table)} ORDER BY {order}")  # noqa: S608 (catalogue names)
        digest = hashlib.sha256()
        first = last = None
        for row in cursor:
            text = repr(tuple(row))
            digest.update(text.encode())
            digest.update(b"\n")
            first = text if first is None else first
            last = text
    return digest.hexdigest(), [r[:500] for r in (first, last) if r is not None]


def compliance_today() -> list[list]:
    """Today's compliance per rule, as the pages read it (from the kept windows)."""
    from baifang.rules.compliance import Scope, compliance

    return [
        [cell.rule.code, cell.window.start.isoformat(), cell.due, cell.met, cell.overdue, cell.pending]
        for cell in compliance(timezone.localdate(), scope=Scope())
    ]


def inventory(*, digest: bool = True) -> dict:
    counts = table_counts()
    tables = {}
    for table, count in counts.items():
        entry = {"rows": count}
        if digest:
            entry["digest"], entry["sample"] = table_digest(table)
        tables[table] = entry
    root = media_root()
    return {
        "vendor": connection.vendor,
        "tables": tables,
        "files": {p.relative_to(root).as_posix(): sha256_of(p) for p in media_files(root)},
        "compliance": compliance_today(),
    }
