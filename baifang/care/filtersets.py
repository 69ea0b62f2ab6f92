"""FilterSets shared by the care pages and the API (R-CARE-4, R-INFO-1)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from baifang.care.choices import CareAction, Delivery, Occasion, TaskStatus
from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate, OptOut
from baifang.care.services import month_span
from baifang.core.filtersets import BaseAPIFilterSet, BaseFilterSet
from baifang.org.models import OrgUnit


class MonthFilter(django_filters.DateFilter):
    """``YYYY-MM``: rows dated in that month."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        first, last = month_span(value)
        return qs.filter(**{f"{self.field_name}__range": (first, last)})


class CareTaskFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices, empty_label=_("All"))
    occasion = django_filters.ChoiceFilter(
        label=_("Occasion"), choices=Occasion.choices, empty_label=_("All")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=CareAction.choices, empty_label=_("All"))
    occasion_date = django_filters.DateFromToRangeFilter(label=_("Date of the occasion"))
    customer = django_filters.NumberFilter(
        field_name="customer_id", label=_("Customer"), widget=forms.HiddenInput
    )
    mine = django_filters.BooleanFilter(
        label=_("Only mine"),
        method="filter_mine",
        widget=forms.Select(choices=(("", _("All in my scope")), ("true", _("Yes")), ("false", _("No")))),
    )

    class Meta:
        model = CareTask
        fields = ["status", "occasion", "action", "occasion_date", "customer", "mine"]

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        user = self.request.user
        return queryset.filter(assignee=user) if value else queryset.exclude(assignee=user)


class GiftFilterSet(BaseFilterSet):
    given_on = django_filters.DateFromToRangeFilter(label=_("Given on"))
    customer = django_filters.NumberFilter(
        field_name="customer_id", label=_("Customer"), widget=forms.HiddenInput
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Gift
        fields = ["given_on", "customer", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(item__icontains=value) | queryset.filter(customer__name__icontains=value)


class MessageFilterSet(BaseFilterSet):
    delivery = django_filters.ChoiceFilter(
        label=_("Delivery"), choices=Delivery.choices, empty_label=_("All")
    )
    batch = django_filters.NumberFilter(field_name="batch_id", label=_("Batch"), widget=forms.HiddenInput)

    class Meta:
        model = Message
        fields = ["delivery", "batch"]


class FeedbackFilterSet(BaseFilterSet):
    month = MonthFilter(field_name="filed_on", label=_("Month"), help_text=_("YYYY-MM"))
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=OrgUnit.objects.all(), empty_label=_("All")
    )
    grade = django_filters.CharFilter(label=_("Customer grade"))
    customer = django_filters.NumberFilter(
        field_name="customer_id", label=_("Customer"), widget=forms.HiddenInput
    )
    unread = django_filters.BooleanFilter(
        label=_("Not yet read by the market department"),
        field_name="read_at",
        lookup_expr="isnull",
        widget=forms.Select(choices=(("", _("All")), ("true", _("Yes")), ("false", _("No")))),
    )

    class Meta:
        model = FeedbackForm
        fields = ["month", "department", "grade", "customer", "unread"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from baifang.care.services import field_departments

        self.filters["department"].queryset = field_departments()


class MessageTemplateFilterSet(BaseAPIFilterSet):
    """Greeting templates by channel (R-CARE-4)."""

    class Meta:
        model = MessageTemplate
        fields = ["channel", "is_active"]


class MessageBatchFilterSet(BaseAPIFilterSet):
    """Message batches by template, care rule and occasion (R-CARE-4)."""

    class Meta:
        model = MessageBatch
        fields = ["template", "rule", "occasion_key"]


class OptOutFilterSet(BaseAPIFilterSet):
    """Greeting opt-outs by contact (R-CARE-4)."""

    class Meta:
        model = OptOut
        fields = ["contact"]
