"""Scheduled jobs for plans; thin and idempotent (each reminder has a deduplication key)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.plans import reminders


@db_periodic_task(crontab(hour="7", minute="40"))
def plan_deadline_reminders() -> int:
    """Every morning 07:40 Beijing time: plans due soon, and late plans to rep and supervisor (R-PLAN-3)."""
    return reminders.deadline_reminders(timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="45"))
def plan_rhythm_reminders() -> int:
    """Every morning 07:45: the month rhythm — summaries, focus days, next month's plan (R-PLAN-5)."""
    return reminders.rhythm_reminders(timezone.localdate())
