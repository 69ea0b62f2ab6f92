"""The customer list table (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baifang.customers.models import Customer

# Phones show code, name, status and flags; the rest is on the detail page.
HIDE_ON_PHONE = {"th": {"class": "hide-sm"}, "td": {"class": "hide-sm"}}


class CustomerTable(tables.Table):
    tbody_id = "customer-rows"  # "load more" appends rows here (issue 17)

    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(
        verbose_name=_("Name"), linkify=True, attrs={"td": {"class": "strong"}}, order_by=("name", "id")
    )
    customer_type = tables.Column(verbose_name=_("Type"), attrs=HIDE_ON_PHONE)
    # Cells render in Python, not as TemplateColumns: django-tables2 compiles a TemplateColumn's
    # template for every cell, which made the 25-row page spend ~100 ms in the template engine.
    status = tables.Column(verbose_name=_("Status"))
    district = tables.Column(
        verbose_name=_("Area"), order_by=("city", "district"), attrs=HIDE_ON_PHONE, empty_values=()
    )
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__username",), attrs=HIDE_ON_PHONE)
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__path",), attrs=HIDE_ON_PHONE)
    flags = tables.Column(verbose_name=_("Flags"), orderable=False, empty_values=(), accessor="pk")

    class Meta:
        model = Customer
        fields = ("code", "name", "customer_type", "status", "district", "owner", "unit", "flags")
        attrs = {"class": "table"}
        order_by = "-id"
        empty_text = _("No customers match. Try clearing the filters.")

    @classmethod
    def ordering_for(cls, sort: str) -> tuple[str, ...]:
        """The model ordering a ``?sort=`` value stands for (a column's ``order_by``, reversed for
        ``-``); an unknown column is the default, newest first."""
        descending = sort.startswith("-")
        column = cls.base_columns.get(sort.lstrip("-"))
        if column is None or column.orderable is False:  # None: the table's default (orderable)
            return ("-id",)
        fields = column.order_by or (sort.lstrip("-"),)
        if not descending:
            return tuple(fields)
        return tuple(f[1:] if f.startswith("-") else "-" + f for f in fields)

    def show_ordered(self, sort: str) -> None:
        """Mark the header of the sort in force on rows already ordered by the database (a keyset page
        is a list: django-tables2 would re-sort it in Python, under another collation)."""
        name = sort.lstrip("-")
        if name in self.columns and self.columns[name].orderable:
            self._order_by = tables.utils.OrderByTuple([sort])

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_district(self, record):
        return record.city if record.district == record.city else f"{record.city}{record.district}"

    def render_flags(self, record):
        """Key, potential key, registration and the one-knower warning (R-ARCH-6, R-ARCH-8)."""
        badges = []
        if record.is_key:
            badges.append(("badge-ok", "", gettext("Key")))
        if record.is_potential_key:
            badges.append(("", "", gettext("Potential key")))
        if record.awaiting_registration:
            badges.append(("badge-warn", "", gettext("Not registered")))
        if record.registered_late:
            badges.append(("badge-bad", "", gettext("Registered late")))
        important = record.is_key or record.is_potential_key or getattr(record, "in_important_tier", False)
        if important and not getattr(record, "co_owner_count", 0):
            title = gettext("Important customers need at least two people who know them.")
            badges.append(("badge-bad", title, gettext("One knower")))
        return format_html_join(
            " ",
            '<span class="{}"{}>{}</span>',
            (
                (f"badge {cls}".strip(), format_html(' title="{}"', title) if title else "", text)
                for cls, title, text in badges
            ),
        )
