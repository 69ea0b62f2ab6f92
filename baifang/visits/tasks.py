"""Scheduled jobs of visits; thin and idempotent, each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from baifang.visits.models import Touch


@db_periodic_task(crontab(hour="0", minute="10"))
def touch_count_states() -> int:
    """Nightly, before the compliance windows are rebuilt: what counts as done under today's settings (R-VISIT-8)."""
    return Touch.objects.recount_states()
