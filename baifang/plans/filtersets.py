"""Plan filters, shared by the plan list page and the API (one FilterSet per list)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from baifang.core.filtersets import BaseFilterSet
from baifang.customers.filtersets import OWNER_CHOICES_LIMIT, people_in_scope
from baifang.org.models import OrgUnit, User
from baifang.plans import periods
from baifang.plans.choices import ItemChannel, ItemSource, PlanKind, PlanStatus
from baifang.plans.models import Plan, PlanItem
from baifang.plans.models.plans import late_condition


def plan_owners_for(user):
    """People whose plans ``user`` may see and filter by: the same people as Plan.objects.visible_to."""
    return User.objects.filter(
        Q(pk__in=people_in_scope(user).values("pk")) | Q(supervisor_override=user), is_active=True
    ).order_by("username")


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.DateFilter):
    """``YYYY-MM``: plans whose period overlaps that month (the month plan, its weeks and days)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(
            period_start__lte=periods.month_end(value), period_end__gte=periods.month_start(value)
        )


class PlanFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)
    owner = django_filters.ModelChoiceFilter(
        label=_("Rep"), queryset=User.objects.none(), empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"),
        queryset=OrgUnit.objects.all(),
        field_name="owner__unit",
        method="filter_unit",
        empty_label=_("All"),
    )
    month = MonthFilter(label=_("Month"), help_text=_("YYYY-MM"))
    period_start = django_filters.DateFromToRangeFilter(label=_("Starts between"))
    is_late = django_filters.BooleanFilter(
        label=_("Submitted late"),
        method="filter_late",
        widget=forms.Select(choices=(("", _("All")), ("true", _("Yes")), ("false", _("No")))),
        help_text=_("Late: submitted after the deadline, or still not submitted once it has passed."),
    )

    class Meta:
        model = Plan
        fields = ["kind", "status", "owner", "unit", "month", "period_start", "is_late"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Only people in the viewer's scope can be chosen (R-ORG-4): others are "not a valid choice".
            self.filters["owner"].queryset = plan_owners_for(user)

    @property
    def form(self):
        form = super().form
        if not getattr(self, "_owner_widget_set", False):
            self._owner_widget_set = True
            # A company-wide scope has a thousand reps: filter by unit instead (owner stays usable by URL).
            if self.request is not None and self.filters["owner"].queryset.count() > OWNER_CHOICES_LIMIT:
                form.fields["owner"].widget = forms.HiddenInput()
        return form

    def filter_late(self, queryset, name, value):
        """Plans past their deadline count as late whether or not they were submitted (R-PLAN-3)."""
        if value is None:
            return queryset
        return queryset.filter(late_condition()) if value else queryset.exclude(late_condition())

    def filter_unit(self, queryset, name, value):
        return queryset.filter(owner__unit__path__startswith=value.path) if value else queryset


class PlanItemFilterSet(BaseFilterSet):
    # Plain numbers, not model choices: an id outside the caller's scope just matches nothing.
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("Plan"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))
    day = django_filters.DateFromToRangeFilter(label=_("Date"))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=ItemChannel.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=ItemSource.choices)

    class Meta:
        model = PlanItem
        fields = ["plan", "customer", "day", "channel", "source"]
