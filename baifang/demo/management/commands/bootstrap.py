"""`baifang bootstrap`: what `make run` does after migrating — demo data on first run, then the logins."""

from __future__ import annotations

import datetime as dt
import random

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
            self.stdout.write("First run: creating a demo company (杭州) with its customer archive…")
            call_command("demo", customers=customers, reps=reps, seed=1, verbosity=0)
            rated = load_rules_and_rate()
            touches = record_recent_touches()
            from baifang.rules import tallies

            tallies.refresh()  # kept compliance windows, as the nightly job would build them
            plans = draft_next_month_plans()
            self.stdout.write(
                f"Loaded the distribution preset, rated {rated} customers, recorded {touches} touches, "
                f"drafted {plans} monthly plans for next month."
            )
            from baifang.demo import steps

            steps.run_all(timezone.localdate(), log=self.stdout.write)
        self.stdout.write(personas_table())
        self.stdout.write(
            "\nOpen http://127.0.0.1:8000/ and log in — 打开浏览器访问 http://127.0.0.1:8000/ 登录。\n"
        )


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
