"""Scheduled care jobs; thin and idempotent (R-CARE-4, R-INFO-1)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.care import services


@db_periodic_task(crontab(hour="6", minute="10"))
def care_daily() -> dict:
    """Every morning: care tasks and greetings for the coming occasions, then send what waits."""
    result = services.run_daily()
    return {"tasks": result.tasks, "messages": result.messages, "sent": result.sent, "failed": result.failed}


@db_periodic_task(crontab(minute="*/15"))
def care_send_pending() -> dict:
    """Every quarter hour: send messages of manual batches and retried ones."""
    result = services.send_pending()
    return {"sent": result.sent, "failed": result.failed}


@db_periodic_task(crontab(hour="8", minute="30"))
def feedback_quota_reminders() -> int:
    """Every morning in the month's last week: remind short field departments (R-INFO-1)."""
    return services.quota_reminders()
