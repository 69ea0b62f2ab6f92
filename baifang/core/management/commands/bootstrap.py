"""`baifang bootstrap`: what `make run` does after migrating — demo data on first run, then the logins."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from baifang.core.management.commands.demo import personas_table
from baifang.demo.generator import demo_data_exists


class Command(BaseCommand):
    help = "Load demo data into an empty database (first run) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=600)
        parser.add_argument("--reps", type=int, default=12)

    def handle(self, *args, customers, reps, **options):
        from baifang.org.models import User

        if not demo_data_exists() and not User.objects.exists():
            self.stdout.write("First run: creating a demo company (杭州) with its customer archive…")
            call_command("demo", customers=customers, reps=reps, seed=1, verbosity=0)
        self.stdout.write(personas_table())
        self.stdout.write(
            "\nOpen http://127.0.0.1:8000/ and log in — 打开浏览器访问 http://127.0.0.1:8000/ 登录。\n"
        )
