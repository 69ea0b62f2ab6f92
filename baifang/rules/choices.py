from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.rules import engine


class Period(models.TextChoices):
    WEEK = engine.WEEK, _("Week")
    TWO_WEEKS = engine.TWO_WEEKS, _("Two weeks")
    MONTH = engine.MONTH, _("Month")
    TWO_MONTHS = engine.TWO_MONTHS, _("Two months")
    QUARTER = engine.QUARTER, _("Quarter")
    HALF_YEAR = engine.HALF_YEAR, _("Half year")
    YEAR = engine.YEAR, _("Year")


class Responsible(models.TextChoices):
    """Who owes the touch, resolved per customer (R-OBL-1)."""

    OWNER = "owner", _("The customer's owner (resident rep)")
    SUPERVISOR = "supervisor", _("The owner's team supervisor")
    DEPT_MANAGER = "dept_manager", _("The owner's department manager")
    LEADER = "leader", _("A company leader or deputy")


class RuleChannel(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    REMOTE = "remote", _("Any remote touch")
    ANY = "any", _("Any touch")


# Which touch channels count toward a rule's channel.
RULE_CHANNEL_TOUCHES = {
    "visit": ("visit",),
    "phone": ("phone",),
    "online": ("online",),
    "sms": ("sms",),
    "email": ("email",),
    "remote": ("phone", "online", "sms", "email"),
    "any": ("visit", "invited", "phone", "online", "sms", "email", "other"),
}


class Geography(models.TextChoices):
    """R-FREQ-6: where the customer is relative to the company's home city."""

    ANY = "any", _("Anywhere")
    SAME_CITY = "same_city", _("Same city")
    SAME_PROVINCE = "same_province", _("Same province, other city")
    ELSEWHERE = "elsewhere", _("Other provinces")


class SpecialTrigger(models.TextChoices):
    """R-OBL-3 triggers of a special visit."""

    SALES_DEVIATION = "sales_deviation", _("Sales outside the warning band")
    PRODUCT_NOT_ORDERED = "product_not_ordered", _("New or promoted product not ordered for 2 cycles")
    ORDER_MISMATCH = "order_mismatch", _("Order and delivery differ")
    COMPLAINT = "complaint", _("Complaint received")
    IRREGULAR_CONDUCT = "irregular_conduct", _("Irregular conduct reported")
    CUSTOMER_REQUEST = "customer_request", _("The customer asked for a visit")
    RETURN_VISIT = "return_visit", _("Return visit after an event")


class CountedBy(models.TextChoices):
    """Whose touches a kept compliance window counts: the rule's responsible person, or anyone."""

    OWNER = Responsible.OWNER.value, Responsible.OWNER.label
    SUPERVISOR = Responsible.SUPERVISOR.value, Responsible.SUPERVISOR.label
    DEPT_MANAGER = Responsible.DEPT_MANAGER.value, Responsible.DEPT_MANAGER.label
    LEADER = Responsible.LEADER.value, Responsible.LEADER.label
    ANYONE = "anyone", _("Anyone")


class EventKind(models.TextChoices):
    """What happened to a customer that owes it a return visit (R-FREQ-9)."""

    COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
    REPAIR_DONE = "repair_done", _("Repair done")
    INSTALLATION_DONE = "installation_done", _("Installation done")
    ACCEPTANCE_DONE = "acceptance_done", _("Project accepted")
    MAINTENANCE_DONE = "maintenance_done", _("Maintenance done")
    ORDER_LOST = "order_lost", _("Order lost")
    CUSTOMER_REQUEST = "customer_request", _("Customer request or help")


class OffsetUnit(models.TextChoices):
    """How a return visit's offset after its event is counted (R-FREQ-9, R-CAL-1)."""

    WORKDAYS = engine.WORKDAYS, _("working days")
    DAYS = engine.DAYS, _("calendar days")
    MONTHS = engine.MONTHS, _("months")
