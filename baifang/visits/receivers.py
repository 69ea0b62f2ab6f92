"""What visits tells the apps below it (connected in ``VisitsConfig.ready``)."""

from __future__ import annotations

from django.db import models

from baifang.rules.obligation_sql import counts_touches_of
from baifang.rules.services import fulfilled_by
from baifang.visits.models import Touch

# Obligations count these touches (R-VISIT-8, R-OBL-1).
counts_touches_of(Touch)


@fulfilled_by
def touches_counting_for_special_visits() -> models.QuerySet:
    """Touches that count (R-VISIT-8); rules adds customer, person, channel and window (R-OBL-3, R-FREQ-9)."""
    return Touch.objects.counted()
