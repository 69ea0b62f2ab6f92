from django.contrib import admin

from baifang.visits.models import Touch


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ["started_at", "customer", "user", "channel", "duration_seconds"]
    list_filter = ["channel"]
    raw_id_fields = ["customer", "user"]
    date_hierarchy = "started_at"
