"""`baifang compliance_rebuild [--date D] [--force] [--check]`: rebuild the kept compliance windows (R-OBL-2)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.rules import tallies


class Command(BaseCommand):
    help = (
        "Build the kept compliance windows for a date (the current window of every rule in force): "
        "missing, invalid or stale ones are rebuilt, others dropped. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )
        parser.add_argument("--force", action="store_true", help="rebuild every window, even exact ones")
        parser.add_argument(
            "--check",
            action="store_true",
            help="afterwards, compare every kept window with a live count; exit 1 on any difference",
        )

    def handle(self, *args, date, force, check, **options):
        day = date or timezone.localdate()
        result = tallies.refresh(day, force=force)
        self.stdout.write(
            _("Kept compliance windows for %(day)s: %(built)d built, %(kept)d kept, %(dropped)d dropped.")
            % {"day": day, "built": result.built, "kept": result.kept, "dropped": result.dropped}
        )
        if check:
            differing = tallies.drift(day)
            for code, customers in differing:
                self.stdout.write(
                    _("%(rule)s: %(n)d customers differ from the live count") % {"rule": code, "n": customers}
                )
            if differing:
                raise CommandError(_("Kept windows differ from the live count; rebuild with --force."))
            self.stdout.write(_("Every kept window equals the live count."))
