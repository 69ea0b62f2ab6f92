"""Distribution type of a region and its distributor limit (R-TIER-5)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.core.models import TimeStampedModel
from baifang.customers.choices import DistributionType


class RegionDistributionLimit(TimeStampedModel):
    """Distribution type of a region and its distributor limit (R-TIER-5).

    The most specific matching row applies: district, else city (district blank), else province.
    """

    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    kind = models.CharField(_("distribution type"), max_length=10, choices=DistributionType.choices)
    max_distributors = models.PositiveSmallIntegerField(
        _("maximum distributors"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("regional distribution limit")
        verbose_name_plural = _("regional distribution limits")
        ordering = ["province", "city", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "city", "district"],
                name="%(app_label)s_%(class)s_unique_region",
                violation_error_message=_("This region already has a distribution type."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district} · {self.get_kind_display()}"

    @property
    def region_label(self) -> str:
        return f"{self.province}{self.city}{self.district}"
