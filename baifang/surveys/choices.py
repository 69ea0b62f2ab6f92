"""Choices for surveys (R-SURV-1..4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScaleKind(models.TextChoices):
    """How an item is answered (R-SURV-1): three levels, or a 1–5 score."""

    THREE_LEVEL = "three_level", _("Satisfied / basically satisfied / dissatisfied")
    FIVE_POINT = "five_point", _("Score 1–5")


class ThreeLevel(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("survey answer", "Satisfied")
    BASIC = "basic", pgettext_lazy("survey answer", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("survey answer", "Dissatisfied")


FIVE_POINT_VALUES = ("1", "2", "3", "4", "5")

# The answers each scale offers, in the order the form shows them.
SCALE_VALUES = {
    ScaleKind.THREE_LEVEL: tuple(ThreeLevel.values),
    ScaleKind.FIVE_POINT: FIVE_POINT_VALUES,
}
# What counts as satisfied when a template does not say (the seed's 满意率 counts 满意 and 基本满意).
DEFAULT_SATISFIED = {
    ScaleKind.THREE_LEVEL: (ThreeLevel.SATISFIED, ThreeLevel.BASIC),
    ScaleKind.FIVE_POINT: ("4", "5"),
}


class TemplatePurpose(models.TextChoices):
    """What a template is for: a periodic campaign, or a check after a visit, a repair, a complaint (R-SURV-4)."""

    PERIODIC = "periodic", _("Periodic survey")
    AFTER_VISIT = "after_visit", _("After a visit")
    AFTER_REPAIR = "after_repair", _("After a repair")
    AFTER_COMPLAINT = "after_complaint", _("After a complaint")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    RUNNING = "running", pgettext_lazy("campaign", "Running")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")
    PUBLISHED = "published", pgettext_lazy("campaign", "Published")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


class Channel(models.TextChoices):
    """How a questionnaire reached a recipient and how the answers came back (R-SURV-2, R-SURV-4)."""

    PAPER = "paper", _("Paper form handed out")
    LINK = "link", _("Link sent")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("During a visit")


class ResponseSource(models.TextChoices):
    PAPER = "paper", _("Entered from paper")
    ONLINE = "online", _("Filled in online")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By e-mail")
    VISIT = "visit", _("During a visit")


# What staff may say when they enter answers (online answers come only through the link).
STAFF_SOURCES = [(value, label) for value, label in ResponseSource.choices if value != ResponseSource.ONLINE]
