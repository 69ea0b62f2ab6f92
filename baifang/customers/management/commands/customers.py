"""``baifang customers import FILE [--dry-run] [--on-duplicate refuse|skip|merge] [--owner USER] [--mapping NAME]``
and ``baifang customers match-regions [--apply] [--csv FILE] [--sample N]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from baifang.core import intake_cli
from baifang.customers.intake import KIND, ON_DUPLICATE


class Command(BaseCommand):
    help = (
        "Archive tasks. import FILE: check every row, then write the customers and contacts all or nothing. "
        "match-regions: match free-text provinces, cities and districts to division codes (dry run unless "
        "--apply) and report what could not be matched."
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
        match = sub.add_parser(
            "match-regions", help="Match free-text regions to division codes; report what does not match."
        )
        match.add_argument("--apply", action="store_true", help="Write the codes found (default: dry run).")
        match.add_argument(
            "--csv", help="Write every row that could not be (fully) matched to this CSV file."
        )
        match.add_argument("--sample", type=int, default=10, help="How many unmatched rows to print (10).")

    def handle(self, *args, **options):
        if options["action"] == "match-regions":
            self.match_regions(options)
            return
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

    def match_regions(self, options):
        import csv

        from django.db import transaction

        from baifang.customers.models import Customer
        from baifang.customers.regions import failed_label, match_customers

        with transaction.atomic():
            report = match_customers(
                Customer.objects.filter(merged_into__isnull=True), apply=options["apply"]
            )
        self.stdout.write(
            f"Checked {report.checked} customers with a region not yet coded: {report.matched} matched, "
            f"{report.partial} partly (upper levels coded), {report.unmatched} not matched."
        )
        if options["apply"]:
            self.stdout.write(f"Wrote codes to {report.changed} customers.")
        else:
            self.stdout.write(
                f"Would write codes to {report.changed} customers (dry run; --apply writes them)."
            )
        if report.problems:
            shown = report.problems[: max(options["sample"], 0)]
            self.stdout.write(f"Not matched (first {len(shown)} of {len(report.problems)}):")
            for p in shown:
                region = " ".join(v for v in (p.province, p.city, p.district) if v)
                self.stdout.write(f"  {p.code} {p.name}: {region} — {failed_label(p)}")
        if options["csv"]:
            with open(options["csv"], "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "code", "name", "province", "city", "district", "failed", "reason"])
                for p in report.problems:
                    writer.writerow(
                        [p.pk, p.code, p.name, p.province, p.city, p.district, p.failed, p.reason]
                    )
            self.stdout.write(f"Wrote {len(report.problems)} rows to {options['csv']}.")
        return
