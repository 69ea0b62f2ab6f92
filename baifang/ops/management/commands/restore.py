"""`baifang restore ARCHIVE`: restore a backup into an empty installation (R-SEC-1, issue 18)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from baifang.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `baifang backup` into this installation, which must be empty. "
        "Checks the whole archive before writing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--check-only", action="store_true", help="only read and check the archive; write nothing"
        )

    def handle(self, *args, archive, check_only, **options):
        try:
            if check_only:
                result = backup.verify(archive)
                self.stdout.write(
                    _("The archive is sound: %(n)d members, made by version %(version)s.")
                    % {"n": len(result.members), "version": result.data.get("app_version", "?")}
                )
                return
            result = backup.restore(archive, log=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(
                _("Restore stopped (check: %(check)s): %(error)s") % {"check": exc.check, "error": exc}
            ) from exc
        if result.migrated:
            self.stdout.write(
                _("Migrations applied after the restore: %(names)s") % {"names": ", ".join(result.migrated)}
            )
        self.stdout.write(_("Restore finished."))
