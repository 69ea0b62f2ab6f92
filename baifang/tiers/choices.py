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


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Admitted")
    REJECTED = "rejected", _("Not admitted")


class ScreeningStage(models.TextChoices):
    """R-TIER-4: rep and regional manager → commerce → customer service → final decision."""

    REGIONAL = "regional", _("Regional manager")
    COMMERCE = "commerce", _("Commerce (market department)")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service department")
    FINAL = "final", _("Final decision (company leader)")


SCREENING_STAGE_ORDER = ("regional", "commerce", "customer_service", "final")
