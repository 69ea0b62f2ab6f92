"""Follow-up filters, one FilterSet per list, shared by the page and the API (R-SEC-1: every value is
bounded by ``BaseFilterSet``). The querysets they filter start at ``visible_to(user)``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseFilterSet
from baifang.followups.choices import AppointmentStatus, CommitmentStatus, FollowUpMethod, QuestionStatus
from baifang.followups.models import Appointment, Commitment, FollowUpRecord, OpenQuestion


class AppointmentFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AppointmentStatus.choices)

    class Meta:
        model = Appointment
        fields = ["customer", "rep", "status"]


class OpenQuestionFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=QuestionStatus.choices)

    class Meta:
        model = OpenQuestion
        fields = ["customer", "owner", "status", "touch"]


class CommitmentFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CommitmentStatus.choices)

    class Meta:
        model = Commitment
        fields = ["customer", "owner", "status", "record"]


class FollowUpRecordFilterSet(BaseFilterSet):
    method = django_filters.ChoiceFilter(label=_("Method"), choices=FollowUpMethod.choices)

    class Meta:
        model = FollowUpRecord
        fields = ["customer", "follower", "method", "stage"]
