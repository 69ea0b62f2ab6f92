"""What happened at a customer: major changes and correspondence (R-ARCH-3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core.models import TimeStampedModel
from baifang.core.validators import validate_past_date
from baifang.customers.choices import ChangeKind, CorrespondenceKind, Direction
from baifang.customers.models.archive import Customer
from baifang.customers.querysets import RelatedToCustomerQuerySet

USER = settings.AUTH_USER_MODEL


class MajorChange(TimeStampedModel):
    """A dated major change at the customer (重大变动事项, R-ARCH-4), reported within 5 working days."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    occurred_on = models.DateField(_("occurred on"), validators=[validate_past_date])
    description = models.TextField(_("description"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    report_due = models.DateField(_("report due"))
    reported_late = models.BooleanField(_("reported late"), default=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("major change")
        verbose_name_plural = _("major changes")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class Correspondence(TimeStampedModel):
    """A letter, fax, call or email kept with the customer (R-ARCH-4)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="correspondence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CorrespondenceKind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_on = models.DateField(_("date"), validators=[validate_past_date])
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="correspondence/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("correspondence")
        verbose_name_plural = _("correspondence")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.subject
