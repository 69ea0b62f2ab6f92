"""Scheduled jobs of operations; thin and idempotent, each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.ops import backup, jobs


@db_periodic_task(crontab(hour="1", minute="30"))
def nightly_backup() -> dict:
    """Nightly 01:30: one archive a day into BAIFANG_BACKUP_DIR, then retention (issue 18)."""
    return backup.scheduled_backup()


@db_periodic_task(crontab(hour="7", minute="0"))
def missed_runs_check() -> int:
    """Every morning 07:00: flag the nightly jobs that should have run in the last day and did not (issue 18)."""
    return jobs.flag_missed()
