from django.contrib import admin
from django.db import transaction

from baifang.receivables import open_amounts
from baifang.receivables.models import AgeingPolicy, CreditTerms, CreditTermsChange, Invoice, Payment


@admin.register(AgeingPolicy)
class AgeingPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "target_days",
        "except_new_products",
        "default_term_days",
        "remind_days_before",
    ]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "source",
        "customer",
        "invoiced_on",
        "due_on",
        "amount",
        "open_amount",
        "new_products",
    ]
    list_filter = ["source", "new_products"]
    search_fields = ["number", "customer__code", "customer__name"]
    raw_id_fields = ["customer", "order", "batch"]
    date_hierarchy = "invoiced_on"
    readonly_fields = ["open_amount"]

    def delete_queryset(self, request, queryset):
        _delete_and_refresh(queryset)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["number", "source", "customer", "paid_on", "amount", "invoice"]
    list_filter = ["source"]
    search_fields = ["number", "customer__code", "customer__name"]
    raw_id_fields = ["customer", "invoice", "batch"]
    date_hierarchy = "paid_on"

    def delete_queryset(self, request, queryset):
        _delete_and_refresh(queryset)


@transaction.atomic
def _delete_and_refresh(queryset) -> None:
    """The admin's bulk delete skips ``Model.delete``: the customers' open amounts are kept here."""
    customers = set(queryset.values_list("customer_id", flat=True))
    queryset.delete()
    open_amounts.refresh(customers)


class CreditTermsChangeInline(admin.TabularInline):
    model = CreditTermsChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "transition", "changed_by", "comment", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditTerms)
class CreditTermsAdmin(admin.ModelAdmin):
    """Read-only here: proposals move through their workflow on the page and in the API (with history)."""

    list_display = [
        "customer",
        "credit_limit",
        "term_days",
        "status",
        "proposed_by",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["customer__code", "customer__name"]
    inlines = [CreditTermsChangeInline]
    readonly_fields = [
        "customer",
        "credit_limit",
        "term_days",
        "reason",
        "status",
        "proposed_by",
        "countersigned_by",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):
        return False
