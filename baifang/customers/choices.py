"""Choices for the customer archive (R-ARCH-1..8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    AGENT_L1 = "agent_l1", _("First-level agent")
    AGENT_L2 = "agent_l2", _("Second-level agent")
    DISTRIBUTOR = "distributor", _("Distributor")
    RETAILER = "retailer", _("Retailer")
    END_USER = "end_user", _("End user")
    PROJECT_OWNER = "project_owner", _("Project owner")
    RECOMMENDER = "recommender", _("Recommender / authority")
    JV_SUBSIDIARY = "jv_subsidiary", _("Joint venture or subsidiary")
    HOUSEHOLD = "household", _("Household (property)")
    OTHER = "other", _("Other")


class EnterpriseNature(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    JOINT = "joint", _("Joint venture")
    INDIVIDUAL = "individual", _("Individual business")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class Scale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class BusinessFormat(models.TextChoices):
    MALL = "mall", _("Shopping mall")
    SUPERMARKET = "supermarket", _("Supermarket")
    TOBACCO_SHOP = "tobacco_shop", _("Tobacco and liquor shop")
    CONVENIENCE = "convenience", _("Convenience store")
    GROCERY = "grocery", _("Grocery")
    OTHER = "other", _("Other")


class MarketType(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class RegistrationStatus(models.TextChoices):
    """R-ARCH-5: a customer first met is registered (备案) within the deadline."""

    PENDING = "pending", _("Awaiting registration")
    REGISTERED = "registered", _("Registered")


class Weekday(models.IntegerChoices):
    """One weekday convention everywhere: 0 = Monday … 6 = Sunday, as Python's ``date.weekday()``
    and the plan policy's visit days (R-PLAN-4, R-ROUTE-2)."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OwnerRole(models.TextChoices):
    PRIMARY = "primary", _("Primary owner")
    CO_OWNER = "co_owner", _("Co-owner")


class DecisionPower(models.TextChoices):
    DECIDER = "decider", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    NONE = "none", _("No decision power")


class AudienceClass(models.TextChoices):
    """R-CARE-3 audience classes."""

    I = "I", _("I — chairman, GM and deputies of A/B customers")  # noqa: E741
    II = "II", _("II — managers and key staff of A/B customers")
    III = "III", _("III — executives and key staff of C customers")


class BirthdayCalendar(models.TextChoices):
    SOLAR = "solar", _("Solar (Gregorian)")
    LUNAR = "lunar", _("Lunar")


class ChangeKind(models.TextChoices):
    """R-ARCH-4 major changes (重大变动事项)."""

    OWNERSHIP = "ownership", _("Ownership change")
    SCALE = "scale", _("Scale change")
    PRODUCTION_LINE = "production_line", _("New production line")
    MANAGEMENT = "management", _("Management change")
    RESTRUCTURING = "restructuring", _("Restructuring")
    OTHER = "other", _("Other")


class CorrespondenceKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    CALL = "call", _("Phone call")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")


class AccessScope(models.TextChoices):
    CUSTOMER = "customer", _("One customer")
    UNIT = "unit", _("A unit's archive")


class AccessStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DistributionType(models.TextChoices):
    """R-TIER-5: how many distributors a region admits."""

    EXCLUSIVE = "exclusive", _("Exclusive (1 distributor)")
    SELECTIVE = "selective", _("Selective (2–3 distributors)")
    EXTENSIVE = "extensive", _("Extensive (7–8 distributors)")


DISTRIBUTION_DEFAULT_LIMITS = {"exclusive": 1, "selective": 3, "extensive": 8}
