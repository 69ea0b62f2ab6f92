"""`baifang inventory`: what this installation holds, as JSON, to compare two installations (issue 18).

Run it on the old server and on the restored one: every table's row count and a digest of its rows,
the uploaded files with their checksums, and today's compliance per rule. Equal outputs, equal data.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from baifang.ops import inventory


class Command(BaseCommand):
    help = "Print every table's row count and row digest, the uploaded files and today's compliance, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--no-digest", action="store_true", help="row counts only (faster on big tables)")

    def handle(self, *args, no_digest, **options):
        self.stdout.write(
            json.dumps(
                inventory.inventory(digest=not no_digest), ensure_ascii=False, indent=1, sort_keys=True
            )
        )
