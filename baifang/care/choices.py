"""Choices of customer care and the information-feedback quota (R-CARE-1..4, R-INFO-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Occasion(models.TextChoices):
    """What a care rule reacts to (R-CARE-1, R-CARE-2, R-CAL-2)."""

    FESTIVAL = "festival", _("Festival")
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Anniversary")
    COMPANY_DATE = "company_date", _("Company date")


class CareAction(models.TextChoices):
    GIFT = "gift", _("Gift")
    SMS = "sms", _("SMS")
    CALL = "call", _("Phone call")
    CARD = "card", _("Greeting card")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")


# Actions delivered as a message through the gateway (R-CARE-4); the others are done by a person.
MESSAGE_ACTIONS = frozenset({CareAction.SMS, CareAction.EMAIL})


class CareResponsible(models.TextChoices):
    """Who does the care task, resolved per customer (R-CARE-2)."""

    OWNER = "owner", _("The customer's owner (resident rep)")
    SUPERVISOR = "supervisor", _("The owner's team supervisor")
    DEPT_MANAGER = "dept_manager", _("The owner's department manager")
    LEADER = "leader", _("A company leader or deputy")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care task", "Open")
    DONE = "done", pgettext_lazy("care task", "Done")
    SKIPPED = "skipped", pgettext_lazy("care task", "Skipped")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class Delivery(models.TextChoices):
    """Where one message of a batch stands with the gateway (a delivery log, not a workflow)."""

    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    OPTED_OUT = "opted_out", _("Opted out, not sent")
    NO_ADDRESS = "no_address", _("No phone or email, not sent")


class FeedbackSource(models.TextChoices):
    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone call")
    MEETING = "meeting", _("Meeting or exhibition")
    THIRD_PARTY = "third_party", _("Third party")
    PUBLIC = "public", _("Public information")
    OTHER = "other", _("Other")
