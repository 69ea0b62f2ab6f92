"""Choices of the receivables app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditStatus(models.TextChoices):
    """Where a credit-terms proposal stands (seed 002: market + finance propose, a vice-president approves)."""

    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Countersigned")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_CREDIT_STATUSES = (CreditStatus.DRAFT, CreditStatus.PROPOSED, CreditStatus.AGREED)
