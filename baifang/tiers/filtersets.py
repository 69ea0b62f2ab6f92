"""FilterSets of the tiers lists, shared by the pages and the API (one FilterSet per list)."""

from __future__ import annotations

from baifang.core.filtersets import BaseAPIFilterSet
from baifang.tiers.models import CustomerTier, RatingBatch, Screening, TierChange


class CustomerTierFilterSet(BaseAPIFilterSet):
    """Customers" current tiers by customer, scheme, tier and source (R-TIER-1)."""

    class Meta:
        model = CustomerTier
        fields = ["customer", "scheme", "tier", "source"]


class TierChangeFilterSet(BaseAPIFilterSet):
    """Tier history by customer, scheme, source and rating batch (R-TIER-3)."""

    class Meta:
        model = TierChange
        fields = ["customer", "scheme", "source", "batch"]


class RatingBatchFilterSet(BaseAPIFilterSet):
    """Rating batches by scheme and status (R-TIER-3)."""

    class Meta:
        model = RatingBatch
        fields = ["scheme", "status"]


class ScreeningFilterSet(BaseAPIFilterSet):
    """Screenings by customer, status and stage (R-TIER-4)."""

    class Meta:
        model = Screening
        fields = ["customer", "status", "stage"]
