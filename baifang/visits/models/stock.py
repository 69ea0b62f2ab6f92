"""Stock on the shelf counted at a visit (R-INV-1): one row per product, corrections kept as history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class StockCountQuerySet(models.QuerySet):
    def current(self) -> StockCountQuerySet:
        """The counts in force (a corrected count is kept, but no longer current)."""
        return self.filter(is_current=True)


class StockCount(models.Model):
    """How much of one product the rep counted on the shelf at one visit.

    A count is never overwritten: a correction writes a new row pointing at the one it replaces
    (``corrects``), with who, when and why; the old row stays, no longer current.
    """

    record = models.ForeignKey(
        "visits.VisitRecord",
        verbose_name=_("visit record"),
        on_delete=models.CASCADE,
        related_name="stock_counts",
    )
    product = models.ForeignKey(
        "commerce.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("quantity counted"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal(0))]
    )
    is_current = models.BooleanField(_("current"), default=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counted by"), on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"), auto_now_add=True)

    objects = StockCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["record", "product", "counted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "product"],
                condition=models.Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current_per_product",
                violation_error_message=_("This product already has a count on this record."),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="%(app_label)s_%(class)s_quantity_not_negative",
                violation_error_message=_("A counted quantity cannot be negative."),
            ),
        ]
        indexes = [
            # The last count of a product at a customer before a visit (stock guidance).
            models.Index(fields=["product", "is_current"], name="visits_stockcount_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.quantity}"
