"""Customer locations proposed from a precise check-in, confirmed by the supervisor (R-VISIT-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.core.validators import validate_latitude, validate_longitude
from baifang.visits.choices import ProposalStatus

USER = settings.AUTH_USER_MODEL


class LocationProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals for customers the user may see (R-ORG-4)."""
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))

    def pending(self):
        return self.filter(status=ProposalStatus.PROPOSED)

    def for_lists(self):
        return self.select_related("customer", "touch__user", "decided_by")


class LocationProposal(models.Model):
    """Where a customer without coordinates probably is: the first precise check-in there.

    The rep's supervisor (or a manager in scope) confirms it; only then are the customer's
    coordinates written, through the customer service so field history records them.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="location_proposals",
    )
    touch = models.OneToOneField(
        "visits.Touch", verbose_name=_("check-in"), on_delete=models.CASCADE, related_name="location_proposal"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=[validate_longitude]
    )
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.WGS84
    )
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = LocationProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("location proposal")
        verbose_name_plural = _("location proposals")
        ordering = ["created_at", "pk"]
        indexes = [
            # The confirmation queue: pending proposals, oldest first.
            models.Index(fields=["status", "created_at"], name="visits_proposal_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status=ProposalStatus.PROPOSED),
                name="%(app_label)s_%(class)s_one_pending_per_customer",
                violation_error_message=_("This customer already has a location waiting for confirmation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.latitude}, {self.longitude}"
