"""Excel export of the customer list (xlsxwriter)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

HEADERS = (
    "Code",
    "Name",
    "Short name",
    "Customer type",
    "Status",
    "Province",
    "City",
    "District",
    "Registered address",
    "Phone",
    "Unified social credit code",
    "Annual value with us (yuan)",
    "Cooperating since",
    "Owner",
    "Unit",
)


def cell(value):
    """An Excel-safe cell value: numbers as numbers, dates as ISO text, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a cell become a formula (CSV/Excel injection)
    return value


def customers_xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Customers"))
    header = book.add_format({"bold": True, "bg_color": "#EEF2F7"})
    sheet.write_row(0, 0, [_(h) for h in HEADERS], header)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, [cell(v) for v in row])
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 28)
    book.close()
    return buffer.getvalue()
