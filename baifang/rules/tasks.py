"""Scheduled jobs for obligations; thin and idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.rules import services, tallies


@db_periodic_task(crontab(minute="*/30"))
def special_visit_fulfilment() -> int:
    """Every 30 minutes: mark special visits fulfilled by a later on-site visit (R-OBL-3)."""
    return services.fulfil_special_visits()


@db_periodic_task(crontab(hour="0", minute="20"))
def compliance_windows_refresh() -> dict:
    """Nightly, after midnight: keep the new periods' windows, rebuild invalid ones, drop old ones (R-OBL-2)."""
    result = tallies.refresh()
    return {"built": result.built, "kept": result.kept, "dropped": result.dropped}
