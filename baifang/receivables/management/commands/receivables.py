"""``baifang receivables import FILE [--dry-run] [--kind invoices|payments]``: take in an ERP file now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from baifang.core import intake_cli
from baifang.receivables import services

KINDS = {"invoices": "receivables.invoices", "payments": "receivables.payments"}


class Command(BaseCommand):
    help = (
        "Receivables tasks. import FILE: check every row, then write the invoices or payments all or "
        "nothing. remind: send today's payment-due reminders."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import an invoice or payment file (CSV or XLSX).")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        imp.add_argument(
            "--kind",
            choices=sorted(KINDS),
            default=None,
            help="invoices or payments (default: payments when the header has a payment number).",
        )
        sub.add_parser("remind", help="Remind owners of invoices due within 3 days (idempotent).")

    def handle(self, *args, **options):
        if options["action"] == "remind":
            self.stdout.write(f"{services.due_reminders()} reminders offered")
            return
        path = intake_cli.existing_file(options["file"])
        kind = (
            KINDS[options["kind"]]
            if options["kind"]
            else intake_cli.kind_by_header(path, KINDS["payments"], KINDS["invoices"])
        )
        intake_cli.import_file(self, path, kind, dry_run=options["dry_run"])
