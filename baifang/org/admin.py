from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from baifang.org.models import OrgUnit, Position, PositionAssignment, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]


class AssignmentInline(admin.TabularInline):
    model = PositionAssignment
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "unit", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "unit"]
    search_fields = ["username", "display_name", "phone"]
    inlines = [AssignmentInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("display_name", "phone", "unit", "supervisor_override")}),
    )
