import datetime as dt

from django.core.management.base import BaseCommand

from baifang.care import services


class Command(BaseCommand):
    help = "Run the daily care job now: care tasks and greetings for the coming occasions, then send."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )

    def handle(self, *args, date=None, **options):
        result = services.run_daily(date)
        self.stdout.write(
            f"care: {result.tasks} tasks, {result.messages} messages, {result.sent} sent, {result.failed} failed"
        )
