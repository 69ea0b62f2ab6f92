from django.db import models
from django.utils.translation import gettext_lazy as _


class TierSource(models.TextChoices):
    RULE = "rule", _("Rating rule")
    MANUAL = "manual", _("Manual override")
    IMPORT = "import", _("Import")


class BatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class ProposalDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
