"""``baifang customers import FILE [--dry-run] [--on-duplicate refuse|skip|merge] [--owner USER] [--mapping NAME]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from baifang.core import intake_cli
from baifang.customers.intake import KIND, ON_DUPLICATE


class Command(BaseCommand):
    help = (
        "Archive tasks. import FILE: check every row, then write the customers and contacts all or nothing."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import customers and contacts (CSV or XLSX).")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        imp.add_argument(
            "--on-duplicate",
            choices=ON_DUPLICATE,
            default="refuse",
            help="A row that duplicates an archive customer: refuse the file (default), skip or merge it.",
        )
        imp.add_argument("--owner", help="User name of the owner of rows without a 负责人.")
        imp.add_argument("--mapping", help="Name of a saved column mapping for a 客户档案表.")

    def handle(self, *args, **options):
        from baifang.customers.models import ColumnMapping
        from baifang.org.models import User

        path = intake_cli.existing_file(options["file"])
        batch_options = {"on_duplicate": options["on_duplicate"]}
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"], is_active=True).first()
            if owner is None:
                raise CommandError(f"No active user {options['owner']!r}.")
            batch_options["owner"] = owner.pk
        if options["mapping"]:
            mapping = ColumnMapping.objects.filter(name=options["mapping"]).first()
            if mapping is None:
                raise CommandError(f"No column mapping {options['mapping']!r}.")
            batch_options["headers"], batch_options["mapping"] = mapping.headers, mapping.name
        intake_cli.import_file(self, path, KIND, dry_run=options["dry_run"], options=batch_options)
