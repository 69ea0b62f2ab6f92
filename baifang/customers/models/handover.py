"""Hand-over of customers between reps (R-ARCH-7) and the notices it leaves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.customers.models.archive import Customer
from baifang.customers.querysets import HandoverQuerySet, RelatedToCustomerQuerySet

USER = settings.AUTH_USER_MODEL


class Handover(models.Model):
    """Customers reassigned in one audited operation (R-ARCH-7): all of a leaver's, or one customer's
    owner and co-owners. ``moves`` keeps what was before, so whoever may hand over can undo it."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    from_user = models.ForeignKey(
        USER, verbose_name=_("from"), on_delete=models.PROTECT, related_name="handovers_out"
    )
    to_user = models.ForeignKey(
        USER, verbose_name=_("to"), on_delete=models.PROTECT, related_name="handovers_in"
    )
    performed_by = models.ForeignKey(
        USER, verbose_name=_("performed by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)
    deactivated_leaver = models.BooleanField(_("leaver's account closed"), default=False)
    # Set when one customer's ownership changed (not all of a leaver's customers).
    customer = models.ForeignKey(
        "Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
    )
    # Before and after of every row the hand-over changed: {"customers": {pk: {"before", "after"}}, ...}
    moves = models.JSONField(_("what moved"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        USER, verbose_name=_("undone by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


class HandoverNotice(models.Model):
    """Task: tell the customer who their new contact person is (R-ARCH-7)."""

    handover = models.ForeignKey(
        Handover, verbose_name=_("hand-over"), on_delete=models.CASCADE, related_name="notices"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="handover_notices"
    )
    assignee = models.ForeignKey(
        USER, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="handover_notices"
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over notice")
        verbose_name_plural = _("hand-over notices")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "customer"],
                name="%(app_label)s_%(class)s_unique_handover_customer",
                violation_error_message=_("This customer already has a notice for this hand-over."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} ← {self.assignee}"
