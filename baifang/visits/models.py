"""Touches: every recorded contact with a customer. The visit-execution issue extends this model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.core.validators import validate_latitude, validate_longitude
from baifang.visits.choices import Channel


class TouchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Touches of customers the user may see, plus the user's own touches (R-ORG-4)."""
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(user=user)
        )


class Touch(models.Model):
    """A contact with a customer by one of our people, on some channel, at some time (R-VISIT-5)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="touches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="touches"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Stored so rule minimum durations are one portable comparison in SQL (R-FREQ-4).
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.WGS84
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TouchQuerySet.as_manager()

    class Meta:
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        ordering = ["-started_at"]
        indexes = [
            # Compliance: touches of a window, aggregated per customer (R-OBL-2).
            models.Index(fields=["started_at", "channel"], name="visits_touch_window"),
            # A customer's touches, newest first (detail page, obligations tab).
            models.Index(fields=["customer", "started_at"], name="visits_touch_customer"),
            # A person's touches in a window (leaders' and managers' rules).
            models.Index(fields=["user", "started_at"], name="visits_touch_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A touch cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} {self.get_channel_display()} {self.customer}"

    def save(self, *args, **kwargs):
        if self.ended_at and self.started_at:
            self.duration_seconds = int((self.ended_at - self.started_at).total_seconds())
        super().save(*args, **kwargs)
