from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from baifang.tiers.models import (
    ClassificationScheme,
    CustomerTier,
    RatingBatch,
    RatingProposal,
    Tier,
    TierChange,
)


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(ClassificationScheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_active"]
    inlines = [TierInline]


@admin.register(CustomerTier)
class CustomerTierAdmin(admin.ModelAdmin):
    list_display = ["customer", "scheme", "tier", "source", "assigned_at"]
    list_filter = ["scheme", "source"]
    raw_id_fields = ["customer", "assigned_by"]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "customer", "scheme", "old_tier", "new_tier", "source", "changed_by"]
    list_filter = ["scheme", "source"]
    raw_id_fields = ["customer", "changed_by", "batch"]

    def has_change_permission(self, request, obj=None):
        return False


class ProposalInline(admin.TabularInline):
    model = RatingProposal
    extra = 0
    raw_id_fields = ["customer"]


@admin.register(RatingBatch)
class RatingBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "scheme", "status", "created_by", "rated_count"]
    list_filter = ["status"]
