from django.core.management.base import BaseCommand

from baifang.care import services


class Command(BaseCommand):
    help = "Load the seed-001 care rules, message templates and feedback quota (idempotent)."

    def handle(self, *args, **options):
        created = services.load_seed()
        self.stdout.write(f"care: {created} rows created")
