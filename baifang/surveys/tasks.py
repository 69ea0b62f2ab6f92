"""Scheduled jobs for surveys; thin and idempotent (each reminder has a deduplication key)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.surveys import services


@db_periodic_task(crontab(hour="8", minute="10"))
def survey_reminders() -> int:
    """Every morning 08:10: a periodic survey overdue, campaigns short of the return target (R-SURV-2)."""
    return services.daily_reminders(timezone.localdate())
