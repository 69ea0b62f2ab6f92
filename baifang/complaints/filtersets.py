"""The complaint list's filters, shared by the page and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.complaints.choices import Ageing, ComplaintChannel, ComplaintStatus
from baifang.complaints.forms import RemoteSelect
from baifang.complaints.models import Complaint, ComplaintCategory
from baifang.core.filtersets import BaseFilterSet
from baifang.org.models import OrgUnit, User

# Days since receipt: the lower and upper bound (inclusive) of each ageing band.
AGEING_BANDS = {
    Ageing.WITHIN_3: (0, 3),
    Ageing.WITHIN_7: (4, 7),
    Ageing.WITHIN_30: (8, 30),
    Ageing.OVER_30: (31, None),
}


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ComplaintFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=(("open", _("Open")), ("closed", _("Closed"))),
        method="filter_state",
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ComplaintStatus.choices, empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Received by way of"), choices=ComplaintChannel.choices, empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ComplaintCategory.objects.all(), empty_label=_("All")
    )
    ageing = django_filters.ChoiceFilter(
        label=_("Days since receipt"), choices=Ageing.choices, method="filter_ageing", empty_label=_("All")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        empty_label=_("All"),
        # A thousand people: the page holds the chosen one and finds others as one types.
        widget=RemoteSelect(source=reverse_lazy("complaints:owner_choices"), find_label=_("Find an owner")),
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"), queryset=OrgUnit.objects.all(), empty_label=_("All")
    )
    valid = django_filters.ChoiceFilter(
        label=_("Found valid"),
        choices=(("1", _("Valid")), ("0", _("Not valid")), ("undecided", _("Not yet decided"))),
        method="filter_valid",
        empty_label=_("All"),
    )
    received_from = django_filters.DateFilter(label=_("Received from"), method="filter_received_from")
    received_to = django_filters.DateFilter(label=_("Received to"), method="filter_received_to")
    customer = django_filters.NumberFilter(field_name="customer", label=_("Customer"))

    class Meta:
        model = Complaint
        fields = ["q", "state", "status", "channel", "category", "ageing", "owner", "responsible_unit", "valid",
                  "received_from", "received_to", "customer"]  # fmt: skip

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.filters["category"].queryset = ComplaintCategory.objects.order_by("sort_order", "code")
        for name in ("received_from", "received_to"):
            self.form.fields[name].widget.input_type = "date"

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.exclude(status=ComplaintStatus.CLOSED)
        if value == "closed":
            return queryset.filter(status=ComplaintStatus.CLOSED)
        return queryset

    def filter_ageing(self, queryset, name, value):
        low, high = AGEING_BANDS[value]
        today = timezone.localdate()
        condition = Q(received_at__lt=_local_midnight(today - dt.timedelta(days=low - 1)))
        if high is not None:
            condition &= Q(received_at__gte=_local_midnight(today - dt.timedelta(days=high)))
        return queryset.filter(condition)

    def filter_valid(self, queryset, name, value):
        if value == "undecided":
            return queryset.filter(is_valid__isnull=True)
        return queryset.filter(is_valid=value == "1")

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=_local_midnight(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=_local_midnight(value + dt.timedelta(days=1)))
