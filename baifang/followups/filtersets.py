"""Follow-up filters, one FilterSet per list, shared by the page and the API (R-SEC-1: every value is
bounded by ``BaseFilterSet``). The querysets they filter start at ``visible_to(user)``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseFilterSet
from baifang.followups.choices import (
    OPEN_OPPORTUNITY_STAGES,
    AppointmentStatus,
    CommitmentStatus,
    FollowUpMethod,
    OpportunityStage,
    QuestionStatus,
)
from baifang.followups.models import (
    Appointment,
    Commitment,
    FollowUpRecord,
    LostOrder,
    OpenQuestion,
    Opportunity,
)
from baifang.org.models import User


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


class OpportunityFilterSet(BaseFilterSet):
    """The opportunity list (page and API, R-FU-6): stage, open or closed, rep, customer, expected close."""

    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=(("open", _("Open")), ("closed", _("Closed"))),
        method="filter_state",
        empty_label=_("All"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=OpportunityStage.choices, empty_label=_("All")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Rep"), queryset=User.objects.filter(is_active=True), empty_label=_("All")
    )
    customer = django_filters.NumberFilter(field_name="customer", label=_("Customer"))
    close_from = django_filters.DateFilter(
        field_name="expected_close_on", lookup_expr="gte", label=_("Expected close from")
    )
    close_to = django_filters.DateFilter(
        field_name="expected_close_on", lookup_expr="lte", label=_("Expected close to")
    )

    class Meta:
        model = Opportunity
        fields = ["state", "stage", "owner", "customer", "close_from", "close_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        for name in ("close_from", "close_to"):
            self.form.fields[name].widget.input_type = "date"

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(stage__in=OPEN_OPPORTUNITY_STAGES)
        if value == "closed":
            return queryset.exclude(stage__in=OPEN_OPPORTUNITY_STAGES)
        return queryset


class LostOrderFilterSet(BaseFilterSet):
    """The lost-order list of the API (R-FU-5): customer, reason, rep, the day range."""

    lost_from = django_filters.DateFilter(field_name="lost_on", lookup_expr="gte", label=_("Lost from"))
    lost_to = django_filters.DateFilter(field_name="lost_on", lookup_expr="lte", label=_("Lost to"))

    class Meta:
        model = LostOrder
        fields = ["customer", "reason", "rep", "opportunity", "lost_from", "lost_to"]
