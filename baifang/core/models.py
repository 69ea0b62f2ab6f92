"""Base models and cross-cutting records: status history, audit log, notifications, workday overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baifang.core.choices import AuditAction, ImportStatus


class TimeStampedModel(models.Model):
    """Abstract base with creation and modification times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """Abstract status-history row written by ``core.workflow``: one per transition of a workflow object.

    A concrete subclass adds the foreign key to its object (``related_name="status_changes"``) and may
    narrow ``old_status``/``new_status`` to its choices.
    """

    old_status = models.CharField(pgettext_lazy("status", "from"), max_length=20)
    new_status = models.CharField(pgettext_lazy("status", "to"), max_length=20)
    transition = models.CharField(_("action"), max_length=30)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    changed_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status}"


class AuditLog(models.Model):
    """One audited event: who did what to which object, with before/after values (R-SEC-1)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    request_id = models.CharField(_("request id"), max_length=36, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves "history of this object" on detail pages.
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Mark the unread ones read now; returns how many."""
        from django.utils import timezone

        return self.unread().update(read_at=timezone.now())

    def send(self, user, kind: str, target=None, *, text: str, dedup_key: str) -> bool:
        """Tell ``user`` once per ``dedup_key``: a re-run (a task, a retried request) never notifies twice.

        ``target`` is where the notification leads: an object with ``get_absolute_url()``, a URL, or
        None. Nobody to tell (``user`` None) sends nothing. Returns whether a notification was created.
        """
        message = self.compose(user, kind, target, text=text, dedup_key=dedup_key)
        if message is None:
            return False
        _notification, created = self.get_or_create(
            user=user,
            dedup_key=message.dedup_key,
            defaults={"kind": message.kind, "text": message.text, "url": message.url},
        )
        return created

    def compose(self, user, kind: str, target=None, *, text: str, dedup_key: str) -> Notification | None:
        """The unsaved notification :meth:`send` would write (None for nobody), for :meth:`send_many`."""
        if user is None:
            return None
        url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else (target or "")
        return self.model(
            user=user, kind=kind, text=str(text)[:300], url=str(url)[:300], dedup_key=dedup_key[:120]
        )

    def send_many(self, messages) -> int:
        """Send composed notifications in one query; those already sent (same user and dedup key) are
        skipped, so a task re-run never notifies twice. Returns how many were offered."""
        rows = [m for m in messages if m is not None]
        return len(self.bulk_create(rows, ignore_conflicts=True))


class Notification(models.Model):
    """A message for one user, shown on the home page (reminders, approvals waiting)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Makes reminders idempotent: a task re-run never notifies twice for the same occasion.
    dedup_key = models.CharField(_("deduplication key"), max_length=120)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedup_key"],
                name="%(app_label)s_%(class)s_unique_user_dedup",
                violation_error_message=_("This notification was already sent."),
            )
        ]
        indexes = [
            # Serves the unread list on the home page.
            models.Index(fields=["user", "read_at"], name="core_notification_unread"),
        ]

    def __str__(self) -> str:
        return self.text


class WorkdayOverride(models.Model):
    """An administrator's ruling on one date, taking precedence over every library (R-CAL-1)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class BannerDismissal(models.Model):
    """A user closed a page-wide banner; it stays closed for ``BANNER_SNOOZE_DAYS`` (R-UX-1).

    Read once at sign-in into the session (``core.banners``), so pages pay no query for it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="banner_dismissals",
    )
    key = models.CharField(_("banner"), max_length=64)
    dismissed_at = models.DateTimeField(_("dismissed at"))

    class Meta:
        verbose_name = _("closed banner")
        verbose_name_plural = _("closed banners")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_banner_dismissal_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportBatchQuerySet:
        """Batches ``user`` started; everyone's for those allowed to see every import (admins)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("core.view_importbatch"):
            return self
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    """One file (or one API body) taken in from another system, checked and written by ``core.intake``.

    Its rows are checked before anything is written; a refused batch keeps every row's error
    (``errors``: ``[{"row", "column", "code", "message"}]``) and writes nothing.
    """

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    upload = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    payload = models.JSONField(_("rows sent"), null=True, blank=True, editable=False)
    # What the schema reads besides the rows: a saved column mapping ("headers"), duplicate handling …
    options = models.JSONField(_("options"), default=dict, blank=True, editable=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    documents_new = models.PositiveIntegerField(_("new documents"), default=0)
    documents_unchanged = models.PositiveIntegerField(_("documents already imported"), default=0)
    lines_written = models.PositiveIntegerField(_("lines written"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error report"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the list of one kind's batches, newest first (admin and API).
            models.Index(fields=["kind", "-created_at"], name="core_importbatch_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.CHECKED, ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def can_confirm(self) -> bool:
        """A dry run that passed: its file may now be imported for real."""
        return self.dry_run and self.status == ImportStatus.CHECKED and bool(self.upload)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
