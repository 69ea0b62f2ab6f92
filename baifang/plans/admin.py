from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from baifang.plans.models import (
    Plan,
    PlanItem,
    PlanPolicy,
    PlanPurpose,
    PlanStatusChange,
    RhythmReminder,
    WorkPattern,
)


class RhythmInline(admin.TabularInline):
    model = RhythmReminder
    extra = 1


@admin.register(PlanPolicy)
class PlanPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "monthly_deadline",
        "visit_weekdays",
        "max_visits_per_day",
        "first_visit_by_day",
    ]
    inlines = [RhythmInline]


@admin.register(PlanPurpose)
class PlanPurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(WorkPattern)
class WorkPatternAdmin(admin.ModelAdmin):
    list_display = ["user", "visit_weekdays", "max_visits_per_day", "min_visits_per_day"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username", "user__display_name"]


class StatusInline(admin.TabularInline):
    model = PlanStatusChange
    extra = 0
    readonly_fields = ["old_status", "new_status", "version", "changed_by", "comment", "changed_at"]
    can_delete = False


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    """Read-mostly: plans change through the app's services (locking, versions, history)."""

    list_display = ["owner", "kind", "period_start", "status", "version", "deadline", "is_late"]
    list_filter = ["kind", "status", "is_late"]
    search_fields = ["owner__username", "owner__display_name"]
    readonly_fields = [f.name for f in Plan._meta.concrete_fields]
    inlines = [StatusInline]


@admin.register(PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    list_display = ["plan", "day", "sequence", "customer", "channel", "source"]
    list_filter = ["channel", "source"]
    raw_id_fields = ["plan", "customer"]
