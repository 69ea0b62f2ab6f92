"""What tiers does when the apps below it signal (connected in ``TiersConfig.ready``)."""

from __future__ import annotations

from django.db import models
from django.dispatch import receiver

from baifang.customers.predicates import is_archive_admin
from baifang.customers.querysets import important_when
from baifang.customers.signals import detail_tab_context, open_work_handed_over, open_work_to_hand_over
from baifang.tiers.choices import ScreeningStatus
from baifang.tiers.forms import OverrideForm
from baifang.tiers.models import ClassificationScheme, CustomerTier, Screening


@important_when
def in_important_tier() -> models.Exists:
    """A customer holding a tier marked important is important (R-ARCH-6)."""
    return models.Exists(
        CustomerTier.objects.filter(customer_id=models.OuterRef("pk"), tier__is_important=True)
    )


@receiver(open_work_to_hand_over, dispatch_uid="tiers.screenings_to_hand_over")
def screenings_to_hand_over(sender, *, user, customers=None, **kwargs) -> dict[str, list[int]]:
    """``user``'s draft screenings, that move with their customers (R-ARCH-7)."""
    drafts = Screening.objects.filter(submitted_by=user, status=ScreeningStatus.DRAFT)
    if customers is not None:
        drafts = drafts.filter(customer__in=customers)
    return {"screenings": sorted(drafts.values_list("pk", flat=True))}


@receiver(open_work_handed_over, dispatch_uid="tiers.screenings_handed_over")
def hand_over_draft_screenings(sender, *, ids, from_user, to_user, **kwargs) -> dict[str, list[int]]:
    """The listed draft screenings still with ``from_user`` go to ``to_user`` (R-ARCH-7)."""
    selected = Screening.objects.filter(
        submitted_by=from_user, status=ScreeningStatus.DRAFT, pk__in=ids.get("screenings", [])
    )
    moved = sorted(selected.values_list("pk", flat=True))
    selected.update(submitted_by=to_user)
    return {"screenings": moved}


@receiver(detail_tab_context, dispatch_uid="tiers.customer_obligations_tab")
def tiers_tab(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's tier in each active scheme, the override form and its tier history (R-TIER-3)."""
    if tab != "obligations":
        return {}
    tiers = {
        ct.scheme_id: ct
        for ct in CustomerTier.objects.filter(customer=customer).select_related("tier", "assigned_by")
    }
    schemes = ClassificationScheme.objects.filter(is_active=True).order_by("name")
    can_rate = is_archive_admin(user)
    return {
        "scheme_rows": [
            {"scheme": s, "tier": tiers.get(s.pk), "form": OverrideForm(scheme=s) if can_rate else None}
            for s in schemes
        ],
        "tier_changes": customer.tier_changes.select_related("scheme", "old_tier", "new_tier", "changed_by")[
            :20
        ],
    }
