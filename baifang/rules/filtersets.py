"""FilterSets of the rules lists, shared by the pages and the API (one FilterSet per list)."""

from __future__ import annotations

from baifang.core.filtersets import BaseAPIFilterSet
from baifang.rules.models import ReturnVisitRule, SpecialVisit, VisitRule


class VisitRuleFilterSet(BaseAPIFilterSet):
    """Visit rules by scheme, tier, responsible position, channel and period (R-FREQ-1)."""

    class Meta:
        model = VisitRule
        fields = ["scheme", "tier", "responsible", "channel", "period", "is_active"]


class SpecialVisitFilterSet(BaseAPIFilterSet):
    """Special visits by customer, trigger and responsible person (R-OBL-3)."""

    class Meta:
        model = SpecialVisit
        fields = ["customer", "trigger", "responsible", "cancelled", "return_rule"]


class ReturnVisitRuleFilterSet(BaseAPIFilterSet):
    """Return-visit rules by event, channel, responsible position and whether active (R-FREQ-9)."""

    class Meta:
        model = ReturnVisitRule
        fields = ["event", "channel", "responsible", "is_active"]
