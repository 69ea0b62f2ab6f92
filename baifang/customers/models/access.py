"""Requests for (read-only or edit) access to a customer someone else owns, and grants."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.models import TimeStampedModel
from baifang.customers.choices import AccessScope, AccessStatus
from baifang.customers.models.archive import Customer
from baifang.customers.querysets import AccessRequestQuerySet
from baifang.customers.workflows import ACCESS_REQUEST_WORKFLOW

USER = settings.AUTH_USER_MODEL


class AccessRequest(TimeStampedModel):
    """A request to read archive data outside one's scope; approved, time-limited (R-ARCH-8)."""

    requester = models.ForeignKey(
        USER, verbose_name=_("requester"), on_delete=models.CASCADE, related_name="access_requests"
    )
    scope = models.CharField(
        _("scope"), max_length=10, choices=AccessScope.choices, default=AccessScope.CUSTOMER
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_requests",
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_requests",
    )
    reason = models.TextField(_("reason"))
    days = models.PositiveSmallIntegerField(
        _("days requested"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    approver = models.ForeignKey(
        USER, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="access_requests_to_approve"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AccessStatus.choices, default=AccessStatus.PENDING
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    workflow = ACCESS_REQUEST_WORKFLOW  # customers/workflows.py: approve, reject (R-ARCH-8)
    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("archive access request")
        verbose_name_plural = _("archive access requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="customer", customer__isnull=False, unit__isnull=True)
                | models.Q(scope="unit", unit__isnull=False, customer__isnull=True),
                name="%(app_label)s_%(class)s_target_matches_scope",
                violation_error_message=_(
                    "Name a customer for a customer request, or a unit for a unit request."
                ),
            ),
        ]
        indexes = [
            # Serves the grant lookup inside Customer.visible_to().
            models.Index(fields=["requester", "status", "valid_until"], name="customers_access_grants"),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.customer or self.unit}"

    @property
    def status_tone(self) -> str:
        """The badge colour of the request's status: ok (approved), bad (rejected), warn (waiting)."""
        return {AccessStatus.APPROVED: "ok", AccessStatus.REJECTED: "bad"}.get(self.status, "warn")

    @property
    def is_active_grant(self) -> bool:
        return (
            self.status == AccessStatus.APPROVED
            and self.valid_until is not None
            and self.valid_until > timezone.now()
        )
