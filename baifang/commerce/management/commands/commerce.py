"""``baifang commerce import FILE [--dry-run] [--kind orders|deliveries]``: take in an ERP file now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from baifang.core import intake_cli

KINDS = {"orders": "commerce.orders", "deliveries": "commerce.deliveries"}


class Command(BaseCommand):
    help = "Commerce tasks. import FILE: check every row, then write the orders or deliveries all or nothing."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import an order or delivery file (CSV or XLSX).")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        imp.add_argument(
            "--kind",
            choices=sorted(KINDS),
            default=None,
            help="orders or deliveries (default: deliveries when the header has a delivery number).",
        )

    def handle(self, *args, **options):
        path = intake_cli.existing_file(options["file"])
        kind = (
            KINDS[options["kind"]]
            if options["kind"]
            else intake_cli.kind_by_header(path, KINDS["deliveries"], KINDS["orders"])
        )
        intake_cli.import_file(self, path, kind, dry_run=options["dry_run"])
