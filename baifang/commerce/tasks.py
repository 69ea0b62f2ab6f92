"""Scheduled jobs of commerce; thin and idempotent (R-OBL-3, R-FU-3)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.commerce import reminders, triggers


@db_periodic_task(crontab(hour="1", minute="10"))
def automatic_special_visits() -> dict:
    """Nightly: raise the special visits the orders and deliveries call for (R-OBL-3)."""
    return triggers.raise_automatic_special_visits(timezone.localdate()).as_dict()


@db_periodic_task(crontab(hour="6", minute="30"))
def purchase_reminders() -> dict:
    """Every morning: remind the reps of customers not buying or about to run out (R-FU-3)."""
    return reminders.send_purchase_reminders(timezone.localdate())
