"""The words of the complaint register (R-COMP-1, R-COMP-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintChannel(models.TextChoices):
    """How a complaint reached the company (R-COMP-1; seed 004: 投诉信箱、投诉电话, 客户直接向公司投诉)."""

    VISIT = "visit", _("During a visit")
    PHONE = "phone", _("Complaint phone line")
    MAILBOX = "mailbox", _("Complaint mailbox")
    ONLINE = "online", _("Online")
    LETTER = "letter", _("Letter")
    DIRECT = "direct", _("Directly to the company")


class ComplaintStatus(models.TextChoices):
    """R-COMP-2: received → investigated → valid / not valid → rectified → re-checked → satisfaction
    asked → closed (a complaint found not valid has nothing to rectify: after the explanation its
    customer is asked straight away)."""

    RECEIVED = "received", pgettext_lazy("complaint", "Received")
    INVESTIGATED = "investigated", pgettext_lazy("complaint", "Investigated")
    VALID = "valid", pgettext_lazy("complaint", "Found valid")
    NOT_VALID = "not_valid", pgettext_lazy("complaint", "Found not valid")
    RECTIFIED = "rectified", pgettext_lazy("complaint", "Rectified")
    RECHECKED = "rechecked", pgettext_lazy("complaint", "Re-checked")
    SATISFACTION_ASKED = "satisfaction_asked", pgettext_lazy("complaint", "Satisfaction asked")
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")


OPEN_STATUSES = frozenset(set(ComplaintStatus.values) - {ComplaintStatus.CLOSED})
# The states a complaint found valid passes through (it counts toward R-COMP-3 from the finding on).
VALID_STATUSES = frozenset(
    {
        ComplaintStatus.VALID,
        ComplaintStatus.RECTIFIED,
        ComplaintStatus.RECHECKED,
        ComplaintStatus.SATISFACTION_ASKED,
        ComplaintStatus.CLOSED,
    }
)


class Satisfaction(models.TextChoices):
    """The customer's answer when asked about the handling (R-COMP-2); a refusal is an answer too."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neither satisfied nor dissatisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    REFUSED = "refused", _("Declined to answer")


class Ageing(models.TextChoices):
    """How long an open complaint has waited since receipt (the list's ageing filter)."""

    WITHIN_3 = "0-3", _("Up to 3 days")
    WITHIN_7 = "4-7", _("4 to 7 days")
    WITHIN_30 = "8-30", _("8 to 30 days")
    OVER_30 = "31+", _("Over 30 days")


# R-COMP-3: this many valid complaints in a year cost a unit or a person its award eligibility.
VALID_COMPLAINTS_FLAG = 3
