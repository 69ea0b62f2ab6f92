from django.contrib import admin

from baifang.surveys.models import (
    OpinionGroup,
    Rectification,
    SurveyCampaign,
    SurveyItem,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)


class SurveyItemInline(admin.TabularInline):
    model = SurveyItem
    extra = 0


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "purpose", "scale", "is_active"]
    list_filter = ["purpose", "scale", "is_active"]
    inlines = [SurveyItemInline]


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "interval_months", "distribution_target", "return_target", "link_valid_days"]
    filter_horizontal = ["remind"]

    def has_add_permission(self, request):
        return not SurveySettings.objects.exists()


class OpinionGroupInline(admin.TabularInline):
    model = OpinionGroup
    extra = 0


class RectificationInline(admin.TabularInline):
    model = Rectification
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "status", "starts_on", "ends_on", "owner"]
    list_filter = ["status", "template"]
    readonly_fields = ["status", "published_at"]
    raw_id_fields = ["owner"]
    inlines = [OpinionGroupInline, RectificationInline]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["customer", "template", "campaign", "source", "answered_on"]
    list_filter = ["template", "source"]
    raw_id_fields = ["customer", "recipient", "touch", "entered_by", "campaign"]

    def has_change_permission(self, request, obj=None):
        return False  # answers are evidence: entered once, through the form or the link
