"""Choices of the commerce app."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Unit(models.TextChoices):
    """The unit a product is sold in (条 / 箱 / 吨 / 件)."""

    CARTON = "carton", pgettext_lazy("unit", "carton")
    CASE = "case", pgettext_lazy("unit", "case")
    TONNE = "tonne", pgettext_lazy("unit", "tonne")
    PIECE = "piece", pgettext_lazy("unit", "piece")


class ServiceKind(models.TextChoices):
    """What a service job was (seed 004: 汽修, 项目, 维护); each owes its return visit (R-FREQ-9)."""

    REPAIR = "repair", pgettext_lazy("service job", "Repair")
    INSTALLATION = "installation", pgettext_lazy("service job", "Installation")
    ACCEPTANCE = "acceptance", pgettext_lazy("service job", "Acceptance")
    MAINTENANCE = "maintenance", pgettext_lazy("service job", "Maintenance")
