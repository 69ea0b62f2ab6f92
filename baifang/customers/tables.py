"""The customer list table (django-tables2)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from baifang.customers.models import Customer

# Phones show code, name, status and flags; the rest is on the detail page.
HIDE_ON_PHONE = {"th": {"class": "hide-sm"}, "td": {"class": "hide-sm"}}


class CustomerTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"), linkify=True, attrs={"td": {"class": "strong"}})
    customer_type = tables.Column(verbose_name=_("Type"), attrs=HIDE_ON_PHONE)
    status = tables.TemplateColumn(
        '<span class="badge badge-{{ record.status }}">{{ record.get_status_display }}</span>',
        verbose_name=_("Status"),
    )
    district = tables.TemplateColumn(
        "{{ record.city }}{% if record.district != record.city %}{{ record.district }}{% endif %}",
        verbose_name=_("Area"),
        order_by=("city", "district"),
        attrs=HIDE_ON_PHONE,
    )
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__username",), attrs=HIDE_ON_PHONE)
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__path",), attrs=HIDE_ON_PHONE)
    flags = tables.TemplateColumn(
        template_name="customers/_flags.html", verbose_name=_("Flags"), orderable=False
    )

    class Meta:
        model = Customer
        fields = ("code", "name", "customer_type", "status", "district", "owner", "unit", "flags")
        attrs = {"class": "table"}
        order_by = "-id"
        empty_text = _("No customers match. Try clearing the filters.")
