"""Admin: the categories and their routing are data (R-COMP-4); complaints are read here, handled on
their pages (the flow and its history go through the workflow, never through a bare status edit)."""

from django.contrib import admin

from baifang.complaints.models import Complaint, ComplaintCategory, ComplaintHandOn, ComplaintStatusChange


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "department_names",
        "to_customer_department",
        "sort_order",
        "is_active",
    ]
    list_editable = ["unit", "sort_order", "is_active"]
    search_fields = ["code", "name"]


class StatusChangeInline(admin.TabularInline):
    model = ComplaintStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "transition", "changed_by", "comment", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False


class HandOnInline(admin.TabularInline):
    model = ComplaintHandOn
    extra = 0
    can_delete = False
    readonly_fields = ["from_user", "to_user", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "customer", "category", "channel", "status", "owner", "received_at"]
    list_filter = ["status", "channel", "category", "is_valid"]
    search_fields = ["subject", "customer__name", "complainant"]
    list_select_related = ["customer", "category", "owner"]
    raw_id_fields = ["customer", "touch", "special_visit"]
    readonly_fields = ["status", "owner", "received_by", "is_valid", "decided_at", "rechecked_by", "rechecked_at",
                       "closed_at", "intake_key"]  # fmt: skip
    inlines = [StatusChangeInline, HandOnInline]

    def has_add_permission(self, request):
        return False  # intake is the page or the API: it raises the special visit (R-OBL-3)
