from django.contrib import admin

from baifang.commerce.models import (
    Delivery,
    DeliveryLine,
    Order,
    OrderLine,
    Product,
    ProductGroup,
    ReminderThreshold,
    SalesBand,
    ServiceJob,
    StockFactor,
)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "stock_factor"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "brand",
        "group",
        "unit",
        "price",
        "new_from",
        "promoted_from",
        "is_active",
    ]
    list_filter = ["unit", "group", "is_active"]
    search_fields = ["code", "name", "brand"]


@admin.register(StockFactor)
class StockFactorAdmin(admin.ModelAdmin):
    list_display = ["customer", "product", "k"]
    raw_id_fields = ["customer", "product"]
    search_fields = ["customer__code", "customer__name", "product__code"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


class DeliveryLineInline(admin.TabularInline):
    model = DeliveryLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders come from the ERP through the import; the admin reads them."""

    list_display = ["number", "ordered_on", "customer", "quantity", "amount", "batch"]
    date_hierarchy = "ordered_on"
    search_fields = ["number", "customer__code", "customer__name"]
    raw_id_fields = ["customer", "batch"]
    readonly_fields = ["fingerprint", "quantity", "amount"]
    inlines = [OrderLineInline]
    list_select_related = ["customer", "batch"]

    def has_add_permission(self, request):
        return False  # orders come in through the import (Import batches → Import a file)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["number", "delivered_on", "customer", "order", "quantity", "batch"]
    date_hierarchy = "delivered_on"
    search_fields = ["number", "order__number", "customer__code", "customer__name"]
    raw_id_fields = ["customer", "order", "batch"]
    readonly_fields = ["fingerprint", "quantity"]
    inlines = [DeliveryLineInline]
    list_select_related = ["customer", "order", "batch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SalesBand)
class SalesBandAdmin(admin.ModelAdmin):
    """The warning bands of R-OBL-3: per customer, per tier, or company-wide (neither)."""

    list_display = ["__str__", "customer", "tier", "percent", "trailing_months"]
    list_select_related = ["customer", "tier"]
    autocomplete_fields = ["customer"]


@admin.register(ReminderThreshold)
class ReminderThresholdAdmin(admin.ModelAdmin):
    """The purchase-reminder thresholds of R-FU-3: per tier, or the default (no tier)."""

    list_display = ["__str__", "tier", "days", "run_out_days", "remind_never_purchased"]
    list_select_related = ["tier"]


@admin.register(ServiceJob)
class ServiceJobAdmin(admin.ModelAdmin):
    """A job added here owes its return visits like one recorded on the page or through the API."""

    list_display = ["number", "kind", "customer", "done_on", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["number", "customer__name"]
    raw_id_fields = ["customer", "recorded_by", "batch"]
    list_select_related = ["customer", "recorded_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            from baifang.commerce.services import service_job_owes

            service_job_owes(obj, by=request.user)
