"""What visits tells the apps below it (connected in ``VisitsConfig.ready``)."""

from __future__ import annotations

from django.db import models

from baifang.rules.obligation_sql import counts_touches_of
from baifang.rules.services import fulfilled_by
from baifang.visits.choices import Channel
from baifang.visits.models import Touch

# Obligations count these touches (R-VISIT-8, R-OBL-1).
counts_touches_of(Touch)


@fulfilled_by
def visits_fulfilling_a_special_visit() -> models.QuerySet:
    """An on-site visit by the responsible person at the customer, after it was raised (R-OBL-3)."""
    return Touch.objects.filter(
        customer_id=models.OuterRef("customer_id"),
        user_id=models.OuterRef("responsible_id"),
        channel=Channel.VISIT,
        started_at__gte=models.OuterRef("created_at"),
    )
