import io
import os

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files import File
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from baifang.core import imports, intake
from baifang.core.choices import ImportStatus
from baifang.core.models import AuditLog, ImportBatch, Notification, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "action", "object_type", "object_repr", "message"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "message", "object_id"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "text", "read_at"]
    list_filter = ["kind"]


class ImportUploadForm(forms.Form):
    """The admin's upload: which kind of file, the file, and whether only to check it."""

    kind = forms.ChoiceField(label=_("Kind"))
    upload = forms.FileField(label=_("File (CSV or Excel)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run): write nothing"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (s.kind, s.label) for s in intake.registered() if intake.may_import(user, s)
        ]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Import batches; "Import a file" uploads one, checks it first (dry run), then imports it."""

    list_display = [
        "created_at",
        "kind",
        "source_name",
        "status",
        "dry_run",
        "documents_new",
        "error_count",
        "created_by",
    ]
    list_filter = ["kind", "status", "dry_run"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields if f.name != "errors"]
    exclude = ["errors"]
    change_form_template = "admin/core/importbatch/change_form.html"
    change_list_template = "admin/core/importbatch/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def get_urls(self):
        urls = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="core_importbatch_upload"),
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="core_importbatch_confirm",
            ),
        ]
        return urls + super().get_urls()

    def upload_view(self, request):
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                batch = imports.start(
                    form.cleaned_data["kind"],
                    by=request.user,
                    upload=form.cleaned_data["upload"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as exc:
                form.add_error("upload", exc.messages)
            else:
                return redirect("admin:core_importbatch_change", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import a file"),
            "opts": self.model._meta,
        }
        return render(request, "admin/core/importbatch/upload.html", context)

    def confirm_view(self, request, pk):
        """Import the file of a dry run that passed: a new batch of the same file, written this time."""
        checked = get_object_or_404(ImportBatch, pk=pk, status=ImportStatus.CHECKED, created_by=request.user)
        if request.method != "POST":
            return redirect("admin:core_importbatch_change", pk)
        with checked.upload.open("rb") as fileobj:
            upload = File(io.BytesIO(fileobj.read()), name=os.path.basename(checked.upload.name))
            batch = imports.start(
                checked.kind,
                by=request.user,
                upload=upload,
                source_name=checked.source_name,
                options=checked.options,
            )
        messages.success(request, _("The import was queued."))
        return redirect("admin:core_importbatch_change", batch.pk)
