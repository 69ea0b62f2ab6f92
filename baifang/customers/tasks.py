"""Scheduled jobs of the archive; thin and idempotent, each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.customers import services


@db_periodic_task(crontab(hour="8", minute="5"))
def registration_deadline_check() -> int:
    """Every morning 08:05 Beijing time: notify owners of overdue registrations (R-ARCH-5)."""
    return services.notify_overdue_registrations()
