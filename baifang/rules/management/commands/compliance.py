"""`baifang compliance --date D [--unit CODE] [--group-by rule|owner|unit|responsible] [--json]` (R-OBL-2)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from baifang.org.models import OrgUnit
from baifang.rules import compliance


class Command(BaseCommand):
    help = "Visit-rule compliance for the periods containing a date: due, met, pending review, unmet, overdue per rule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )
        parser.add_argument("--unit", help="org unit code: limit to its subtree")
        parser.add_argument("--group-by", choices=list(compliance.GROUP_COLUMNS), default="rule")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, date, unit, group_by, **options):
        from django.utils import timezone

        day = date or timezone.localdate()
        unit_path = None
        if unit:
            try:
                unit_path = OrgUnit.objects.get(code=unit).path
            except OrgUnit.DoesNotExist as exc:
                raise CommandError(f"No org unit with code {unit!r}.") from exc
        cells = compliance.compliance(day, scope=compliance.Scope(unit_path=unit_path), group_by=group_by)
        if options["json"]:
            self.stdout.write(_json(cells, day))
            return
        self.stdout.write(f"Compliance for the periods containing {day} ({len(cells)} rows)")
        self.stdout.write(
            f"{'rule':<40} {'key':>8} {'due':>8} {'met':>8} {'pending':>8} {'unmet':>8} {'overdue':>8} {'rate':>7}"
        )
        for c in cells:
            rate = f"{c.rate:.1%}" if c.rate is not None else "—"
            self.stdout.write(
                f"{c.rule.code:<40} {c.key or '':>8} {c.due:>8} {c.met:>8} {c.pending:>8} {c.unmet:>8} {c.overdue:>8} {rate:>7}"
            )


def _json(cells, day) -> str:
    return json.dumps(
        {
            "date": day.isoformat(),
            "rows": [
                {
                    "rule": c.rule.code,
                    "key": c.key,
                    "window": [c.window.start.isoformat(), c.window.end.isoformat()],
                    "due": c.due,
                    "met": c.met,
                    "pending": c.pending,
                    "unmet": c.unmet,
                    "overdue": c.overdue,
                }
                for c in cells
            ],
        },
        ensure_ascii=False,
    )
