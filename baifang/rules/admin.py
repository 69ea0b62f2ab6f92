from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from baifang.rules.models import ReturnVisitRule, Season, SeasonRange, SpecialVisit, VisitRule


class SeasonRangeInline(admin.TabularInline):
    model = SeasonRange
    extra = 1


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [SeasonRangeInline]


@admin.register(VisitRule)
class VisitRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "scheme",
        "tier",
        "responsible",
        "channel",
        "period",
        "min_count",
        "valid_from",
        "valid_to",
        "is_active",
    ]
    list_filter = ["scheme", "responsible", "channel", "period", "is_active"]
    search_fields = ["code", "name"]


@admin.register(SpecialVisit)
class SpecialVisitAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "trigger",
        "return_rule",
        "channel",
        "responsible",
        "due_on",
        "fulfilled_at",
        "cancelled",
    ]
    list_filter = ["trigger", "channel", "cancelled"]
    raw_id_fields = ["customer", "responsible", "raised_by", "fulfilled_by_touch"]
    list_select_related = ["customer", "responsible", "return_rule"]


@admin.register(ReturnVisitRule)
class ReturnVisitRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "event",
        "channel",
        "min_count",
        "offset",
        "offset_unit",
        "responsible",
        "is_active",
    ]
    list_filter = ["event", "channel", "responsible", "is_active"]
    search_fields = ["code", "name"]
