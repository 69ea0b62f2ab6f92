"""The statistics as an Excel workbook (R-SURV-3), with the definitions on the sheet."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from baifang.surveys.engine import Summary


def _percent(rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


def letter_workbook(campaign, summary: Summary) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Statistics")[:31]
    sheet.append([campaign.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Questionnaires returned"), summary.returned])
    sheet.append(
        [
            _("Overall satisfaction"),
            _percent(summary.overall),
            summary.overall.satisfied,
            summary.overall.answered,
        ]
    )
    sheet.append([])
    sheet.append([_("Item"), _("Satisfaction rate"), _("Satisfied"), _("Answered (not blank)")])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for item in campaign.template.items.all():
        rate = summary.items[item.code]
        sheet.append([item.label, _percent(rate), rate.satisfied, rate.answered])
    sheet.append([])
    sheet.append(
        [_("Satisfaction rate = satisfied answers ÷ answered answers (blanks excluded) for that item.")]
    )
    sheet.append([_("Overall = all satisfied answers ÷ all answered answers.")])
    sheet.column_dimensions["A"].width = 28
    out = BytesIO()
    book.save(out)
    return out.getvalue()
