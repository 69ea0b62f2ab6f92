"""Visit filters, one FilterSet per list, shared by the page and the API (R-SEC-1: every value is
bounded by ``BaseFilterSet``). The querysets they filter start at ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseFilterSet
from baifang.core.widgets import DateInput
from baifang.visits.choices import ProposalStatus
from baifang.visits.models import LocationProposal, Touch


class SinceFilter(django_filters.DateFilter):
    """Touches that started on or after a local calendar day."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(started_at__gte=timezone.make_aware(dt.datetime.combine(value, dt.time.min)))


class TouchFilterSet(BaseFilterSet):
    """The visit list of the API and the flagged-visits page (R-VISIT-2): by customer, rep and day."""

    since = SinceFilter(label=_("Since"), field_name="started_at", widget=DateInput())

    class Meta:
        model = Touch
        fields = ["customer", "user", "since"]


class LocationProposalFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProposalStatus.choices)

    class Meta:
        model = LocationProposal
        fields = ["customer", "status"]
