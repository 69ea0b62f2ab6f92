"""Survey filters, shared by the pages and the API (one FilterSet per list)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseAPIFilterSet, BaseFilterSet
from baifang.surveys.choices import CampaignStatus, ResponseSource, TemplatePurpose
from baifang.surveys.models import Recipient, SurveyCampaign, SurveyResponse, SurveyTemplate


class CampaignFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)
    template = django_filters.ModelChoiceFilter(label=_("Template"), queryset=SurveyTemplate.objects.all())
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = SurveyCampaign
        fields = ["status", "template", "q"]


RECIPIENT_STATES = (
    ("undistributed", _("Not distributed")),
    ("outstanding", _("Not returned")),
    ("returned", _("Returned")),
)


class RecipientFilterSet(BaseFilterSet):
    state = django_filters.ChoiceFilter(label=_("Show"), choices=RECIPIENT_STATES, method="filter_state")
    q = django_filters.CharFilter(label=_("Customer"), field_name="customer__name", lookup_expr="icontains")

    class Meta:
        model = Recipient
        fields = ["state", "q"]

    def filter_state(self, qs, name, value):
        if value == "undistributed":
            return qs.filter(distributed_at__isnull=True, response__isnull=True)
        if value == "outstanding":
            return qs.filter(response__isnull=True)
        if value == "returned":
            return qs.filter(response__isnull=False)
        return qs


class ResponseFilterSet(BaseFilterSet):
    campaign = django_filters.NumberFilter(label=_("Campaign"), field_name="campaign")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    template = django_filters.ModelChoiceFilter(label=_("Template"), queryset=SurveyTemplate.objects.all())
    source = django_filters.ChoiceFilter(label=_("How it came back"), choices=ResponseSource.choices)
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"), field_name="template__purpose", choices=TemplatePurpose.choices
    )
    answered_after = django_filters.DateFilter(
        label=_("Answered from"), field_name="answered_on", lookup_expr="gte"
    )
    answered_before = django_filters.DateFilter(
        label=_("Answered until"), field_name="answered_on", lookup_expr="lte"
    )

    class Meta:
        model = SurveyResponse
        fields = [
            "campaign",
            "customer",
            "template",
            "source",
            "purpose",
            "answered_after",
            "answered_before",
        ]


class SurveyTemplateFilterSet(BaseAPIFilterSet):
    """Survey templates by purpose and scale (R-SURV-1)."""

    class Meta:
        model = SurveyTemplate
        fields = ["purpose", "scale", "is_active"]
