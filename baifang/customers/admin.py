from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from baifang.customers.models import (
    AccessRequest,
    Anniversary,
    ColumnMapping,
    Competitor,
    Contact,
    Correspondence,
    Customer,
    Handover,
    HandoverNotice,
    MajorChange,
    RegionDistributionLimit,
)
from baifang.customers.regions import REGION_FIELDS, apply_region


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    show_change_link = True


class CustomerAdminForm(forms.ModelForm):
    """The admin keeps region codes and names in step as the services do (customers/regions.py).

    No Meta: the admin makes it with the fields it shows (``modelform_factory``).
    """

    def _post_clean(self):
        super()._post_clean()
        stored = None
        if self.instance.pk:
            stored = Customer.objects.filter(pk=self.instance.pk).values(*REGION_FIELDS).first()
        try:
            apply_region(self.instance, stored)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    form = CustomerAdminForm
    list_display = ["code", "name", "customer_type", "status", "owner", "unit", "registration_status"]
    list_filter = ["status", "customer_type", "registration_status", "market_type", "is_key"]
    search_fields = ["code", "name", "phone", "credit_code"]
    raw_id_fields = ["owner", "unit", "merged_into", "created_by"]
    filter_horizontal = ["co_owners"]
    inlines = [ContactInline]
    list_select_related = ["owner", "unit"]


class AnniversaryInline(admin.TabularInline):
    model = Anniversary
    extra = 0


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "customer", "audience_class", "mobile"]
    search_fields = ["name", "mobile", "customer__name"]
    raw_id_fields = ["customer"]
    inlines = [AnniversaryInline]


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ["name", "customer"]
    raw_id_fields = ["customer"]


@admin.register(MajorChange)
class MajorChangeAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "kind", "occurred_on", "report_due", "reported_late"]
    list_filter = ["kind", "reported_late"]
    raw_id_fields = ["customer", "recorded_by"]


@admin.register(Correspondence)
class CorrespondenceAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "direction", "occurred_on", "subject"]
    raw_id_fields = ["customer", "recorded_by"]


class HandoverNoticeInline(admin.TabularInline):
    model = HandoverNotice
    extra = 0
    raw_id_fields = ["customer", "assignee"]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["created_at", "from_user", "to_user", "performed_by", "customer_count"]
    inlines = [HandoverNoticeInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "requester",
        "scope",
        "customer",
        "unit",
        "approver",
        "status",
        "valid_until",
    ]
    list_filter = ["status", "scope"]
    raw_id_fields = ["customer", "requester", "approver", "decided_by"]


@admin.register(RegionDistributionLimit)
class RegionDistributionLimitAdmin(admin.ModelAdmin):
    list_display = ["province", "city", "district", "kind", "max_distributors"]
    list_filter = ["kind", "province"]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Saved column mappings of a company's 客户档案表 for the archive import (R-ARCH-10)."""

    list_display = ["name", "created_by", "updated_at"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
