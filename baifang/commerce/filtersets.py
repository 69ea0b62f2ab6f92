"""One FilterSet per list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baifang.commerce.choices import ServiceKind, Unit
from baifang.commerce.models import Delivery, Order, Product, ProductGroup, ServiceJob
from baifang.core.filtersets import BaseFilterSet


class ProductFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    group = django_filters.ModelChoiceFilter(label=_("Group"), queryset=ProductGroup.objects.all())
    unit = django_filters.ChoiceFilter(label=_("Unit"), choices=Unit.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "group", "unit", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value) | Q(brand__icontains=value))


class _DocumentFilterSet(BaseFilterSet):
    """What orders and deliveries share; the filters are declared on each (BaseFilterSet bounds them
    per model, so a filter instance is never shared between two FilterSets)."""

    def filter_product(self, queryset, name, value):
        return queryset.filter(lines__product=value).distinct()


class OrderFilterSet(_DocumentFilterSet):
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="iexact")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    customer_code = django_filters.CharFilter(
        label=_("Customer code"), field_name="customer__code", lookup_expr="iexact"
    )
    product = django_filters.NumberFilter(
        label=_("Product"), field_name="lines__product", method="filter_product"
    )
    ordered_on = django_filters.DateFromToRangeFilter(label=_("Order date"))

    class Meta:
        model = Order
        fields = ["number", "customer", "customer_code", "product", "ordered_on"]


class DeliveryFilterSet(_DocumentFilterSet):
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="iexact")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    customer_code = django_filters.CharFilter(
        label=_("Customer code"), field_name="customer__code", lookup_expr="iexact"
    )
    product = django_filters.NumberFilter(
        label=_("Product"), field_name="lines__product", method="filter_product"
    )
    order = django_filters.NumberFilter(label=_("Order"), field_name="order")
    delivered_on = django_filters.DateFromToRangeFilter(label=_("Delivery date"))

    class Meta:
        model = Delivery
        fields = ["number", "customer", "customer_code", "product", "order", "delivered_on"]


class ServiceJobFilterSet(BaseFilterSet):
    """Service jobs by kind, number, customer and date (R-FREQ-9)."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceKind.choices)
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="iexact")
    done_from = django_filters.DateFilter(label=_("From"), field_name="done_on", lookup_expr="gte")
    done_to = django_filters.DateFilter(label=_("To"), field_name="done_on", lookup_expr="lte")

    class Meta:
        model = ServiceJob
        fields = ["kind", "number", "done_from", "done_to"]
