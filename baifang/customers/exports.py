"""Excel export of the customer list (xlsxwriter): headers are the fields' names, choices their labels (R-UX-1)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from baifang.customers.models import Customer
from baifang.customers.services import EXPORT_FIELDS

# export_rows() adds the owner's display name and the unit's name after EXPORT_FIELDS.
_RELATED = ("owner", "unit")


def headers(fields=EXPORT_FIELDS) -> list[str]:
    """Column titles in the active language: each field's verbose name."""
    return [capfirst(str(Customer._meta.get_field(name).verbose_name)) for name in (*fields, *_RELATED)]


def _labellers(fields) -> list[dict]:
    """Per column, the choice value → label map ({} for columns without choices)."""
    columns = []
    for name in (*fields, *_RELATED):
        field = Customer._meta.get_field(name)
        columns.append({value: str(label) for value, label in field.flatchoices} if field.choices else {})
    return columns


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


def customers_xlsx(rows: list[list], fields=EXPORT_FIELDS) -> bytes:
    """The export workbook; ``fields`` are the columns ``export_rows`` gave (personal ones may be left out)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Customers"))
    header = book.add_format({"bold": True, "bg_color": "#EEF2F7"})
    sheet.write_row(0, 0, headers(fields), header)
    labellers = _labellers(fields)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, [cell(labels.get(v, v)) for labels, v in zip(labellers, row, strict=True)])
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 28)
    book.close()
    return buffer.getvalue()
