"""`baifang bootstrap`: what `make run` does after migrating — demo data on first run, then the logins."""

from __future__ import annotations

import datetime as dt
import io
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from baifang.demo.generator import demo_data_exists
from baifang.demo.management.commands.demo import personas_table


class Command(BaseCommand):
    help = "Load demo data into an empty database (first run) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=600)
        parser.add_argument("--reps", type=int, default=12)

    def handle(self, *args, customers, reps, **options):
        from baifang.org.models import User

        if not demo_data_exists() and not User.objects.exists():
            self.stdout.write(
                "First run: creating a demo company (杭州) with its customer archive — 首次运行：创建演示公司…"
            )
            from baifang.demo import steps
            from baifang.rules import tallies

            today = timezone.localdate()
            first_run = [
                (
                    f"demo company: people, {customers} customers and their contacts",
                    lambda: _quiet("demo", customers=customers, reps=reps, seed=1, verbosity=0),
                ),
                ("distribution preset and every customer rated", lambda: f"{load_rules_and_rate()} rated"),
                ("a month of recent visits and calls", lambda: f"{record_recent_touches()} touches"),
                ("kept compliance windows (the nightly job)", tallies.refresh),
                ("next month's plans for rep and rep2", lambda: f"{draft_next_month_plans()} plans"),
                *((f"demo data: {name.rsplit('.', 1)[-1]}", steps.step(name, today)) for name in steps.STEPS),
            ]
            started = time.monotonic()
            for number, (label, run) in enumerate(first_run, 1):
                self.stdout.write(f"[{number:2}/{len(first_run)}] {label} …", ending="")
                self.stdout.flush()
                began = time.monotonic()
                result = run()
                said = f" {result}" if isinstance(result, str) and result else ""
                self.stdout.write(f" done in {time.monotonic() - began:.1f} s.{said}")
            self.stdout.write(f"Demo data ready in {time.monotonic() - started:.0f} s — 演示数据已就绪。")
        self.stdout.write(personas_table())
        self.stdout.write(
            "\nOpen http://127.0.0.1:8000/ and log in — 打开浏览器访问 http://127.0.0.1:8000/ 登录。\n"
        )


def _quiet(command: str, **options) -> str:
    """Run a management command and return what it printed, as one line."""
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return " ".join(out.getvalue().split())


def load_rules_and_rate() -> int:
    """The seed-001 preset, and every customer rated by the market department through a real batch."""
    from baifang.customers.models import Customer
    from baifang.org.models import User
    from baifang.presets import loader
    from baifang.tiers import services
    from baifang.tiers.models import ClassificationScheme

    loader.load("distribution")
    market = User.objects.get(username="market")
    batch = services.propose_rerating(
        ClassificationScheme.objects.get(code="importance"), Customer.objects.all(), by=market
    )
    return services.apply_batch(batch, by=market)


def record_recent_touches(days: int = 30, seed: int = 1) -> int:
    """A few weeks of visits and calls by the owners, so due lists and compliance have something to show."""
    from baifang.customers.models import Customer
    from baifang.visits.models import Touch

    rng = random.Random(seed)
    now = timezone.now()
    touches = []
    for customer_id, owner_id in Customer.objects.values_list("pk", "owner_id"):
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            start = now - dt.timedelta(days=rng.randrange(days), hours=rng.randrange(8))
            minutes = rng.randint(5, 40)
            touches.append(
                Touch(
                    customer_id=customer_id,
                    user_id=owner_id,
                    channel=rng.choice(("visit", "visit", "phone")),
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=minutes),
                    duration_seconds=minutes * 60,
                )
            )
    Touch.objects.bulk_create(touches, batch_size=2000)
    return len(touches)


def draft_next_month_plans() -> int:
    """Next month's plan for the demo reps: rep's is submitted (the manager has one to approve), rep2's a draft."""
    from baifang.org.models import User
    from baifang.plans import periods, services
    from baifang.plans.choices import PlanKind

    month = periods.next_month(timezone.localdate())
    count = 0
    for username, submit in (("rep", True), ("rep2", False)):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        plan = services.get_or_create_plan(user, PlanKind.MONTH, month)
        services.generate_month(plan, by=user, lock_version=plan.lock_version)
        plan.refresh_from_db()
        if submit and plan.items.exists():
            services.submit(plan, by=user, lock_version=plan.lock_version, comment="演示：下月拜访计划")
        count += 1
    return count
