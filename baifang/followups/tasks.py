"""Scheduled jobs of follow-ups; thin and idempotent, each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.followups import services


@db_periodic_task(crontab(hour="8", minute="10"))
def follow_up_reminders() -> int:
    """Every morning 08:10 Beijing time: open questions (R-VISIT-7) and commitments (R-FU-1) due or overdue."""
    return services.send_reminders()


@db_periodic_task(crontab(hour="8", minute="20"))
def touch_reminders() -> int:
    """Every morning 08:20: customers never touched or not touched for their tier's N days (R-FU-3)."""
    from baifang.followups import recording

    return recording.send_touch_reminders()
