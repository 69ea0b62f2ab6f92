"""One FilterSet per list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from baifang.core.filtersets import BaseFilterSet
from baifang.receivables.choices import CreditStatus
from baifang.receivables.models import CreditTerms, Invoice, Payment


class InvoiceFilterSet(BaseFilterSet):
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="iexact")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    customer_code = django_filters.CharFilter(
        label=_("Customer code"), field_name="customer__code", lookup_expr="iexact"
    )
    invoiced_on = django_filters.DateFromToRangeFilter(label=_("Invoice date"))
    due_on = django_filters.DateFromToRangeFilter(label=_("Due date"))

    class Meta:
        model = Invoice
        fields = ["number", "customer", "customer_code", "invoiced_on", "due_on"]


class PaymentFilterSet(BaseFilterSet):
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="iexact")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    customer_code = django_filters.CharFilter(
        label=_("Customer code"), field_name="customer__code", lookup_expr="iexact"
    )
    invoice = django_filters.NumberFilter(label=_("Invoice"), field_name="invoice")
    paid_on = django_filters.DateFromToRangeFilter(label=_("Payment date"))

    class Meta:
        model = Payment
        fields = ["number", "customer", "customer_code", "invoice", "paid_on"]


class CreditTermsFilterSet(BaseFilterSet):
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CreditStatus.choices)

    class Meta:
        model = CreditTerms
        fields = ["customer", "status"]
