"""Excel export of the complaint list (openpyxl): Chinese headers, choices as labels, no formulas."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value) if not isinstance(value, int | float) else value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a cell become a formula (CSV/Excel injection)
    return value


def columns():
    """(header, value of a complaint) per column, in the active language."""
    return [
        (pgettext("complaint", "Number"), lambda c: c.reference),
        (_("Received at"), lambda c: c.received_at),
        (_("Customer"), lambda c: c.customer.name),
        (_("Received by way of"), lambda c: c.get_channel_display()),
        (_("Category"), lambda c: c.category.name),
        (_("Subject"), lambda c: c.subject),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Owner"), lambda c: str(c.owner)),
        (_("Information sent to"), lambda c: c.routed_unit.name if c.routed_unit else ""),
        (_("Found valid"), lambda c: "" if c.is_valid is None else (_("Yes") if c.is_valid else _("No"))),
        (_("Responsible unit"), lambda c: c.responsible_unit.name if c.responsible_unit else ""),
        (_("Responsible person"), lambda c: str(c.responsible_person) if c.responsible_person else ""),
        (_("Compensation (yuan)"), lambda c: c.compensation_amount),
        (_("Satisfaction"), lambda c: c.get_satisfaction_display()),
        (_("Days since receipt"), lambda c: c.age_days()),
        (_("Closed at"), lambda c: c.closed_at),
    ]


def complaints_xlsx(complaints) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Complaints")
    cols = columns()
    sheet.append([header for header, _value in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    for complaint in complaints:
        sheet.append([_cell(value(complaint)) for _header, value in cols])
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 16), ("B", 17), ("C", 28), ("F", 30)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
