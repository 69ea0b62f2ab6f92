"""Plan kinds, statuses, item sources and deadline modes (R-PLAN-1..5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.plans.generate import NeedKind, Reason


class PlanKind(models.TextChoices):
    MONTH = "month", _("Monthly plan")
    WEEK = "week", _("Weekly plan")
    DAY = "day", _("Daily plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ItemSource(models.TextChoices):
    """Why an item is in the plan."""

    RULE = NeedKind.RULE, _("Visit rule")
    SPECIAL = NeedKind.SPECIAL, _("Special visit")
    COVERAGE = NeedKind.COVERAGE, _("Not seen last month")
    FIRST = NeedKind.FIRST, _("First visit of the month")
    FILL = NeedKind.FILL, _("Daily minimum")
    MANUAL = "manual", _("Added by hand")
    REFINED = "refined", _("From the plan above")


class ItemChannel(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    INVITED = "invited", _("Invited visit at our office")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online chat")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class MonthlyDeadline(models.TextChoices):
    """R-PLAN-3: two company practices for the monthly plan."""

    DAYS_BEFORE = "days_before", _("N days before the month")
    LAST_WORKDAY = "last_workday", _("By the last working day of the month before")


class CannotFitReason(models.TextChoices):
    NO_VISIT_DAY = Reason.NO_VISIT_DAY, _("No visit day in the window")
    LEAD_TIME = Reason.LEAD_TIME, _("The appointment lead time leaves no day in the window")
    CAPACITY = Reason.CAPACITY, _("Every allowed day is full")
    ROUTE = Reason.ROUTE, _("No day's route can fit it (business hours or day length)")


class RhythmWhen(models.TextChoices):
    """When a month-rhythm reminder fires (R-PLAN-5)."""

    MONTH_DAY = "month_day", _("On a day of the month")
    WEEKDAY = "weekday", _("On a weekday")
    LAST_WORKDAY = "last_workday", _("On the last working day of the month")


WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
