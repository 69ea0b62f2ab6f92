"""Appointment, open-question and commitment statuses (R-VISIT-6, R-VISIT-7, R-FU-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppointmentStatus(models.TextChoices):
    """Where an appointment with a customer stands (R-VISIT-6)."""

    PLANNED = "planned", _("Planned")
    CHANGED = "changed", _("Changed")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


# Appointments still ahead: a check-in can fulfil them, the rep can change or cancel them.
ACTIVE_APPOINTMENT_STATUSES = (AppointmentStatus.PLANNED, AppointmentStatus.CHANGED)


class QuestionStatus(models.TextChoices):
    """A customer's question the rep could not answer on the spot (R-VISIT-7)."""

    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class CommitmentStatus(models.TextChoices):
    """A promise made to a customer in a visit (R-FU-1)."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpMethod(models.TextChoices):
    """How a follow-up was made (seed 002 客户跟踪记录表 跟进方式, R-FU-2)."""

    DIRECT_VISIT = "direct_visit", _("Direct visit (直接登门)")
    INVITED = "invited", _("Invited visit (邀约登门)")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online chat")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")


# The touch channel each method counts as (docs/obligations.md): the one written rule counts them.
METHOD_CHANNEL = {
    FollowUpMethod.DIRECT_VISIT: "visit",
    FollowUpMethod.INVITED: "invited",
    FollowUpMethod.PHONE: "phone",
    FollowUpMethod.ONLINE: "online",
    FollowUpMethod.SMS: "sms",
    FollowUpMethod.OTHER: "other",
}


class OpportunityStage(models.TextChoices):
    """Where a deal (商机) stands (seed 004 跟单总控表 → 赢单 or 丢单报告, R-FU-6); won and lost are final."""

    CONTACT = "contact", _("Initial contact")
    NEEDS = "needs", _("Needs confirmed")
    PROPOSAL = "proposal", _("Proposal and quote")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", pgettext_lazy("opportunity", "Lost")


# Stages a deal is still being followed in (跟单); won and lost end it, nothing reopens it.
OPEN_OPPORTUNITY_STAGES = (
    OpportunityStage.CONTACT,
    OpportunityStage.NEEDS,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)
CLOSED_OPPORTUNITY_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
# The open stages as choices (a new opportunity starts in one of them; the API names them once).
OPEN_STAGE_CHOICES = [(stage.value, stage.label) for stage in OPEN_OPPORTUNITY_STAGES]
