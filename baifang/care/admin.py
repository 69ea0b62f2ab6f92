from django.contrib import admin

from baifang.care.models import (
    CareRule,
    CareTask,
    CompanyDate,
    FeedbackForm,
    FeedbackQuota,
    Gift,
    Message,
    MessageBatch,
    MessageTemplate,
    OptOut,
)


@admin.register(CompanyDate)
class CompanyDateAdmin(admin.ModelAdmin):
    list_display = ["name", "month", "day"]


@admin.register(CareRule)
class CareRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "occasion", "festival", "action", "responsible", "lead_days", "is_active"]
    list_filter = ["occasion", "action", "responsible", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["tiers"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "is_active"]
    list_filter = ["channel", "is_active"]


@admin.register(CareTask)
class CareTaskAdmin(admin.ModelAdmin):
    list_display = ["occasion_label", "occasion_date", "contact", "customer", "assignee", "action", "status"]
    list_filter = ["occasion", "action", "status"]
    raw_id_fields = ["customer", "contact", "assignee", "rule"]
    date_hierarchy = "occasion_date"
    readonly_fields = ["status"]  # changes go through the workflow (pages or API)


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ["item", "customer", "contact", "cost", "given_on", "given_by"]
    raw_id_fields = ["customer", "contact", "task", "given_by"]
    date_hierarchy = "given_on"


@admin.register(MessageBatch)
class MessageBatchAdmin(admin.ModelAdmin):
    list_display = ["name", "occasion_label", "template", "rule", "created_by", "created_at"]
    raw_id_fields = ["created_by"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["contact", "occasion_key", "channel", "address", "delivery", "attempts", "sent_at"]
    list_filter = ["delivery", "channel"]
    raw_id_fields = ["batch", "customer", "contact"]
    readonly_fields = ["token", "attempts", "last_error", "sent_at"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["contact", "reason", "recorded_by", "recorded_at"]
    raw_id_fields = ["contact", "recorded_by"]


@admin.register(FeedbackQuota)
class FeedbackQuotaAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "total", "minimums", "remind_days", "is_active"]


@admin.register(FeedbackForm)
class FeedbackFormAdmin(admin.ModelAdmin):
    list_display = ["customer", "department", "grade", "filed_on", "filed_by", "read_at"]
    list_filter = ["department", "grade", "source"]
    raw_id_fields = ["customer", "filed_by", "read_by"]
    date_hierarchy = "filed_on"
