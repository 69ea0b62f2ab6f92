"""Excel export of the monthly lost-order analysis (丢单汇总分析报告, R-FU-5; openpyxl): the figures
by reason, competitor, product and rep on the first sheet, the reports on the second."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

_HEAD = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="EEF2F7")}


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    value = value if isinstance(value, int | float) else str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a cell become a formula (CSV/Excel injection)
    return value


def _head(sheet, row: list) -> None:
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = _HEAD["font"]
        cell.fill = _HEAD["fill"]


def row_columns():
    """(header, value of a lost order) per column of the rows sheet, in the active language."""
    return [
        (_("Lost on"), lambda r: r.lost_on),
        (_("Customer"), lambda r: r.customer.name),
        (_("Opportunity"), lambda r: r.opportunity.title if r.opportunity else ""),
        (_("Reason"), lambda r: r.reason.name),
        (_("Lost to (competitor)"), lambda r: r.competitor),
        (_("Product"), lambda r: r.product.name if r.product else ""),
        (_("Amount (yuan)"), lambda r: r.amount),
        (_("Rep"), lambda r: str(r.rep)),
        (_("Lessons learned"), lambda r: r.lessons),
    ]


def lost_orders_xlsx(figures: dict, rows) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("Analysis")
    summary.append(
        [_("Lost orders %(first)s – %(last)s") % {"first": figures["first"], "last": figures["last"]}]
    )
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([_("Total"), figures["count"], _cell(figures["amount"])])
    for title, key in (
        (_("By reason"), "by_reason"),
        (_("By competitor"), "by_competitor"),
        (_("By product"), "by_product"),
        (_("By rep"), "by_rep"),
    ):
        summary.append([])
        _head(summary, [title, _("Lost orders"), _("Amount (yuan)")])
        for group in figures[key]:
            summary.append([_cell(group["label"]), group["count"], _cell(group["amount"])])
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["C"].width = 16

    sheet = book.create_sheet(_("Lost-order reports"))
    columns = row_columns()
    _head(sheet, [header for header, _value in columns])
    for row in rows:
        sheet.append([_cell(value(row)) for _header, value in columns])
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 12), ("B", 28), ("C", 24), ("I", 50)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
