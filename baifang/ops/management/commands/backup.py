"""`baifang backup [--to DIR]`: one archive of the database and the uploaded files (R-SEC-1, issue 18)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from baifang.ops import backup


class Command(BaseCommand):
    help = (
        "Write one archive (database + uploaded files + manifest with versions and checksums) into DIR "
        "(default BAIFANG_BACKUP_DIR). Safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, default=None, help="folder for the archive")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="afterwards apply retention (BAIFANG_BACKUP_KEEP_DAILY / _WEEKLY)",
        )

    def handle(self, *args, to, prune, **options):
        folder = to or Path(settings.BAIFANG["BACKUP_DIR"])
        try:
            archive = backup.backup(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written: %(file)s") % {"file": archive})
        if prune:
            deleted = backup.prune(
                folder,
                daily=settings.BAIFANG["BACKUP_KEEP_DAILY"],
                weekly=settings.BAIFANG["BACKUP_KEEP_WEEKLY"],
            )
            self.stdout.write(_("Older archives deleted: %(n)d") % {"n": len(deleted)})
