from django.contrib import admin

from baifang.visits.models import (
    LocationProposal,
    RecordStatusChange,
    Touch,
    VisitChecklist,
    VisitFlag,
    VisitPhoto,
    VisitRecord,
)


class VisitFlagInline(admin.TabularInline):
    model = VisitFlag
    extra = 0
    readonly_fields = ["kind", "detail", "created_at"]


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ["started_at", "customer", "user", "channel", "duration_seconds", "distance_m"]
    list_filter = ["channel"]
    raw_id_fields = ["customer", "user"]
    date_hierarchy = "started_at"
    inlines = [VisitFlagInline]


class RecordStatusChangeInline(admin.TabularInline):
    model = RecordStatusChange
    extra = 0
    readonly_fields = ["old_status", "new_status", "changed_by", "comment", "changed_at"]


@admin.register(VisitRecord)
class VisitRecordAdmin(admin.ModelAdmin):
    list_display = ["touch", "status", "submitted_at", "is_late", "reviewed_by"]
    list_filter = ["status", "is_late"]
    raw_id_fields = ["touch", "reviewed_by"]
    inlines = [RecordStatusChangeInline]


@admin.register(VisitChecklist)
class VisitChecklistAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


@admin.register(VisitPhoto)
class VisitPhotoAdmin(admin.ModelAdmin):
    list_display = ["touch", "image", "width", "height", "uploaded_by", "created_at"]
    raw_id_fields = ["touch", "uploaded_by"]


@admin.register(LocationProposal)
class LocationProposalAdmin(admin.ModelAdmin):
    list_display = ["customer", "latitude", "longitude", "accuracy_m", "status", "decided_by"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "touch", "decided_by"]
