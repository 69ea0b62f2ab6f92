"""Scheduled receivables jobs; thin and idempotent (seed 004)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.receivables import services


@db_periodic_task(crontab(hour="7", minute="50"))
def payment_due_reminders() -> int:
    """Every morning: tell owners of the invoices due within 3 days (each invoice once)."""
    return services.due_reminders()
