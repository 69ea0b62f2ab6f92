"""FilterSets of the org lists, shared by the pages and the API (one FilterSet per list)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from baifang.core.filtersets import BaseAPIFilterSet
from baifang.org.models import OrgUnit, User


class OrgUnitFilterSet(BaseAPIFilterSet):
    """The organisation tree: by kind of unit and parent (R-ORG-1)."""

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent"]


class UserFilterSet(BaseAPIFilterSet):
    """Colleagues by unit, kind of position and whether active (R-ORG-2)."""

    unit = filters.NumberFilter(field_name="unit_id")
    position_kind = filters.CharFilter(field_name="assignments__position__kind", distinct=True)

    class Meta:
        model = User
        fields = ["unit", "position_kind", "is_active"]
