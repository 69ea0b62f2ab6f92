"""What rules does when the apps below it signal (connected in ``RulesConfig.ready``)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from baifang.customers.signals import detail_tab_context, work_handed_over
from baifang.rules.compliance import Scope, obligations
from baifang.rules.models import SpecialVisit


@receiver(work_handed_over, dispatch_uid="rules.special_visits_handed_over")
def hand_over_special_visits(sender, *, leaver, successor, **kwargs) -> None:
    """A leaver's open special visits go to the successor (R-ARCH-7)."""
    SpecialVisit.objects.open().filter(responsible=leaver).update(responsible=successor)


@receiver(detail_tab_context, dispatch_uid="rules.customer_obligations_tab")
def obligations_tab(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's obligations and special visits on its page's obligations tab (R-OBL-1)."""
    if tab != "obligations":
        return {}
    return {
        "obligations": obligations(timezone.localdate(), scope=Scope(customer_id=customer.pk)),
        "specials": customer.special_visits.select_related("responsible", "raised_by").order_by(
            "-created_at"
        )[:20],
    }
