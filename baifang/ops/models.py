"""Records of operations: background job runs, reads of personal information (issue 18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baifang.ops.choices import FAILURE_STATUSES, AccessPurpose, RunStatus


class JobRunQuerySet(models.QuerySet):
    def failures(self):
        """Runs that failed or did not happen, not yet re-run successfully or dismissed."""
        return self.filter(status__in=FAILURE_STATUSES, resolved_at__isnull=True)


class JobRun(models.Model):
    """One run of a background job: when it was queued, started and ended, its result or its error.

    Written by the huey hooks in ``ops.jobs`` for every task (scheduled or queued), and by
    ``ops.jobs.flag_missed`` for a scheduled run that should have happened and did not.
    """

    task_id = models.CharField(_("task id"), max_length=64, blank=True, db_index=True)
    name = models.CharField(_("job"), max_length=200, db_index=True)
    periodic = models.BooleanField(_("scheduled"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    args = models.JSONField(_("arguments"), null=True, blank=True)
    expected_at = models.DateTimeField(_("due at"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("queued at"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("re-run of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "expected_at"],
                condition=models.Q(status="missed"),
                name="ops_jobrun_one_missed_flag",
            )
        ]
        indexes = [models.Index(fields=["status", "resolved_at"], name="ops_jobrun_failures")]

    def __str__(self) -> str:
        return f"{self.short_name} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("ops:job", args=[self.pk])

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_failure(self) -> bool:
        return self.status in FAILURE_STATUSES

    @property
    def status_tone(self) -> str:
        return {RunStatus.SUCCEEDED: "ok", RunStatus.FAILED: "bad", RunStatus.MISSED: "bad"}.get(
            self.status, ""
        )

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class PersonalDataAccess(models.Model):
    """Someone read a contact's personal information (PIPL 个人信息保护法; issue 18): who, when, how.

    Plain ids, not foreign keys: the log outlives the contact and never holds the values read.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    contact_id = models.BigIntegerField(_("contact id"), null=True, blank=True, db_index=True)
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    purpose = models.CharField(_("how"), max_length=16, choices=AccessPurpose.choices)
    detail = models.JSONField(_("details"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal information access")
        verbose_name_plural = _("personal information access log")
        ordering = ["-at", "-id"]
        permissions = [("protect_personal_data", _("Can act as the data-protection officer"))]
        indexes = [models.Index(fields=["user", "at"], name="ops_pda_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.contact_id}"
