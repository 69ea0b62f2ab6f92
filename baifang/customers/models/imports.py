"""Saved column mappings for importing a company's own 客户档案表 (R-ARCH-10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.core.models import TimeStampedModel


class ColumnMapping(TimeStampedModel):
    """How the headers of one company's archive sheet map onto the import's columns.

    ``headers`` is ``{header in the file: column key}`` (e.g. ``{"门店名称": "name", "店主": "contact_name"}``);
    a header the mapping does not name is still read by the import's own header names. Baifang is
    self-hosted, one company per installation: the company's mappings are all mappings, named.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    headers = models.JSONField(_("column mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
