"""Scheduled jobs for obligations; thin and idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.rules import services


@db_periodic_task(crontab(minute="*/30"))
def special_visit_fulfilment() -> int:
    """Every 30 minutes: mark special visits fulfilled by a later on-site visit (R-OBL-3)."""
    return services.fulfil_special_visits()
