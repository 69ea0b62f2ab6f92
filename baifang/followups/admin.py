from django.contrib import admin

from baifang.followups.models import (
    Appointment,
    AppointmentChange,
    Commitment,
    CommitmentStatusChange,
    DutySlot,
    FollowUpRecord,
    LostOrder,
    LostReason,
    OpenQuestion,
    Opportunity,
    OpportunityStageChange,
    QuestionStatusChange,
    Registration,
    Showroom,
    StageHint,
    StageMove,
    StageScheme,
    TouchReminderRule,
)

HISTORY_FIELDS = ["old_status", "new_status", "transition", "changed_by", "comment", "changed_at"]


class QuestionStatusChangeInline(admin.TabularInline):
    model = QuestionStatusChange
    extra = 0
    can_delete = False
    readonly_fields = HISTORY_FIELDS


class CommitmentStatusChangeInline(admin.TabularInline):
    model = CommitmentStatusChange
    extra = 0
    can_delete = False
    readonly_fields = HISTORY_FIELDS


class AppointmentChangeInline(admin.TabularInline):
    model = AppointmentChange
    extra = 0
    readonly_fields = [
        "old_status",
        "new_status",
        "old_starts_at",
        "new_starts_at",
        "reason",
        "customer_told_at",
        "customer_told_whom",
        "changed_by",
        "changed_at",
    ]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "customer", "rep", "status", "purpose"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "rep", "touch"]
    date_hierarchy = "starts_at"
    inlines = [AppointmentChangeInline]


@admin.register(OpenQuestion)
class OpenQuestionAdmin(admin.ModelAdmin):
    list_display = ["customer", "owner", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "touch", "owner", "answered_by", "created_by"]
    inlines = [QuestionStatusChangeInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["customer", "owner", "text", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "record", "owner", "closed_by", "created_by"]
    inlines = [CommitmentStatusChangeInline]


class DutySlotInline(admin.TabularInline):
    model = DutySlot
    extra = 0
    raw_id_fields = ["rep"]


@admin.register(Showroom)
class ShowroomAdmin(admin.ModelAdmin):
    """Showrooms and sales offices (R-FU-4); the day's duty order inline."""

    list_display = ["name", "unit", "day_ends_at"]
    raw_id_fields = ["unit"]
    inlines = [DutySlotInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """The visitor/caller register (来店(电)顾客登记表, R-FU-4)."""

    list_display = [
        "time_in",
        "showroom",
        "visitor_name",
        "kind",
        "received_by",
        "credited_to",
        "intent_level",
        "late",
    ]
    list_filter = ["kind", "intent_level", "first_visit", "late", "bought_on_spot"]
    search_fields = ["visitor_name", "phone"]
    raw_id_fields = ["showroom", "received_by", "credited_to", "registered_by", "customer", "returning_of"]
    date_hierarchy = "time_in"


# -- follow-up records and stages (R-FU-2, R-FU-3) ----------------------------------------------------


@admin.register(FollowUpRecord)
class FollowUpRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "followed_on", "method", "follower", "topic", "stage"]
    list_filter = ["method"]
    search_fields = ["customer__name", "topic"]
    raw_id_fields = ["customer", "follower", "touch", "stage"]
    list_select_related = ["customer", "follower", "stage__scheme"]


@admin.register(StageMove)
class StageMoveAdmin(admin.ModelAdmin):
    list_display = [
        "customer",
        "scheme",
        "from_tier",
        "to_tier",
        "backwards",
        "automatic",
        "moved_by",
        "moved_at",
    ]
    list_filter = ["scheme", "backwards", "automatic"]
    raw_id_fields = ["customer", "record"]
    list_select_related = ["customer", "scheme", "from_tier__scheme", "to_tier__scheme", "moved_by"]

    def has_change_permission(self, request, obj=None):
        return False  # history is never edited


@admin.register(StageScheme)
class StageSchemeAdmin(admin.ModelAdmin):
    list_display = ["scheme", "moved_by_follower", "forward_is_lower", "is_lifecycle"]


@admin.register(StageHint)
class StageHintAdmin(admin.ModelAdmin):
    list_display = ["tier", "methods", "note"]


@admin.register(TouchReminderRule)
class TouchReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["tier", "days"]


# -- opportunities and lost orders (R-FU-5, R-FU-6) ---------------------------------------------------


class OpportunityStageChangeInline(admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    can_delete = False
    readonly_fields = [*HISTORY_FIELDS, "record"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    """Stages move through the pages (the workflow and its history); the admin reads them."""

    list_display = ["title", "customer", "stage", "expected_amount", "expected_close_on", "owner"]
    list_filter = ["stage"]
    search_fields = ["title", "customer__name"]
    raw_id_fields = ["customer", "owner", "source_record", "created_by"]
    readonly_fields = ["stage", "closed_at", "created_at", "updated_at"]
    inlines = [OpportunityStageChangeInline]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    """The lost-order reasons are data: rename, reorder, retire (inactive) or add one here."""

    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(LostOrder)
class LostOrderAdmin(admin.ModelAdmin):
    list_display = ["lost_on", "customer", "reason", "competitor", "product", "amount", "rep"]
    list_filter = ["reason"]
    search_fields = ["customer__name", "competitor"]
    raw_id_fields = ["customer", "opportunity", "product", "rep", "recorded_by"]
