"""One FilterSet per list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseAPIFilterSet, BaseFilterSet
from baifang.customers.choices import (
    BusinessFormat,
    CustomerStatus,
    CustomerType,
    MarketType,
    RegistrationStatus,
)
from baifang.customers.models import (
    AccessRequest,
    Competitor,
    Contact,
    Customer,
    MajorChange,
    RegionDistributionLimit,
)
from baifang.org.models import OrgUnit, User

FLAG_CHOICES = (
    ("needs_second_knower", _("Important, known by fewer than two people")),
    ("registration_overdue", _("Registration overdue")),
    ("registered_late", _("Registered late")),
    ("no_location", _("No location")),
)


OWNER_CHOICES_LIMIT = 200


def people_in_scope(user):
    """Owners a user may filter by: colleagues whose customers they can see (R-ORG-4)."""
    from baifang.org.choices import DataScope

    people = User.objects.filter(is_active=True).order_by("username")
    if user.data_scope == DataScope.ALL:
        return people
    condition = Q(pk=user.pk)
    for unit in user.managed_units:
        condition |= Q(unit__path__startswith=unit.path)
    return people.filter(condition)


class CustomerFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CustomerStatus.choices)
    customer_type = django_filters.ChoiceFilter(label=_("Customer type"), choices=CustomerType.choices)
    market_type = django_filters.ChoiceFilter(label=_("Market type"), choices=MarketType.choices)
    business_format = django_filters.ChoiceFilter(label=_("Business format"), choices=BusinessFormat.choices)
    registration_status = django_filters.ChoiceFilter(
        label=_("Registration"), choices=RegistrationStatus.choices
    )
    is_key = django_filters.ChoiceFilter(
        label=_("Key customer"), choices=(("1", _("Yes")), ("0", _("No"))), method="filter_is_key"
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=User.objects.all(), empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=OrgUnit.objects.all(), method="filter_unit", empty_label=_("All")
    )
    city = django_filters.CharFilter(label=_("City"))
    district = django_filters.CharFilter(label=_("District"))
    flag = django_filters.ChoiceFilter(label=_("Flag"), choices=FLAG_CHOICES, method="filter_flag")
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("name", "name"),
            ("code", "code"),
            ("id", "created"),
            ("annual_value", "annual_value"),
            ("first_contact_on", "first_contact_on"),
        ),
    )

    class Meta:
        model = Customer
        fields = [
            "q",
            "status",
            "customer_type",
            "market_type",
            "business_format",
            "registration_status",
            "is_key",
            "owner",
            "unit",
            "city",
            "district",
            "flag",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.owner_hidden = False
        if user is not None and user.is_authenticated:
            people = people_in_scope(user)
            self.filters["owner"].queryset = people
            # A company-wide scope has a thousand owners: filter by unit instead (owner stays usable by URL).
            self.owner_hidden = people.count() > OWNER_CHOICES_LIMIT

    @property
    def form(self):
        form = super().form
        if self.owner_hidden:
            form.fields["owner"].widget = forms.HiddenInput()
        return form

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_is_key(self, queryset, name, value):
        return queryset.filter(is_key=value == "1")

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_flag(self, queryset, name, value):
        if value == "needs_second_knower":
            return queryset.needing_second_knower()
        if value == "registration_overdue":
            return queryset.registration_overdue(timezone.localdate())
        if value == "registered_late":
            return queryset.filter(registered_late=True)
        if value == "no_location":
            return queryset.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        return queryset


class ContactFilterSet(BaseFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Contact
        fields = ["customer", "q", "audience_class", "decision_power"]


class MajorChangeFilterSet(BaseFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = MajorChange
        fields = ["customer", "kind", "reported_late"]


class AccessRequestFilterSet(BaseFilterSet):
    class Meta:
        model = AccessRequest
        fields = ["status", "scope"]


class CompetitorFilterSet(BaseAPIFilterSet):
    """Competitors at a customer (R-ARCH-3)."""

    class Meta:
        model = Competitor
        fields = ["customer"]


class DistributionLimitFilterSet(BaseAPIFilterSet):
    """Regional distribution limits by region and kind (R-TIER-5)."""

    class Meta:
        model = RegionDistributionLimit
        fields = ["province", "city", "district", "kind"]
