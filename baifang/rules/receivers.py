"""What rules does when the apps below it signal (connected in ``RulesConfig.ready``)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from baifang.customers.signals import detail_tab_context, open_work_handed_over, open_work_to_hand_over
from baifang.rules.compliance import Scope, obligations
from baifang.rules.models import SpecialVisit


@receiver(open_work_to_hand_over, dispatch_uid="rules.special_visits_to_hand_over")
def special_visits_to_hand_over(sender, *, user, customers=None, **kwargs) -> dict[str, list[int]]:
    """The open special visits ``user`` is responsible for, that move with their customers (R-ARCH-7)."""
    specials = SpecialVisit.objects.open().filter(responsible=user)
    if customers is not None:
        specials = specials.filter(customer__in=customers)
    return {"special_visits": sorted(specials.values_list("pk", flat=True))}


@receiver(open_work_handed_over, dispatch_uid="rules.special_visits_handed_over")
def hand_over_special_visits(sender, *, ids, from_user, to_user, **kwargs) -> dict[str, list[int]]:
    """The listed open special visits still with ``from_user`` go to ``to_user`` (R-ARCH-7)."""
    selected = SpecialVisit.objects.open().filter(responsible=from_user, pk__in=ids.get("special_visits", []))
    moved = sorted(selected.values_list("pk", flat=True))
    selected.update(responsible=to_user)
    return {"special_visits": moved}


@receiver(detail_tab_context, dispatch_uid="rules.customer_obligations_tab")
def obligations_tab(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's obligations and special visits on its page's obligations tab (R-OBL-1)."""
    if tab != "obligations":
        return {}
    return {
        "obligations": obligations(timezone.localdate(), scope=Scope(customer_id=customer.pk)),
        "specials": customer.special_visits.select_related(
            "responsible", "raised_by", "return_rule"
        ).order_by("-created_at")[:20],
    }
