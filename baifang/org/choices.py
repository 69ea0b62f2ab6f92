"""Choices for the organisation (R-ORG-1, R-ORG-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    LEADERSHIP = "leadership", _("Leadership")
    MARKET = "market", _("Market / customer management")
    FIELD_SALES = "field_sales", _("Field sales")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other")


class PositionKind(models.TextChoices):
    """What a position means to the system; the positions themselves are data."""

    LEADER = "leader", _("Company leader")
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")
    DEPT_MANAGER = "dept_manager", _("Department manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    FIELD_REP = "field_rep", _("Field rep / customer manager")
    MARKET_STAFF = "market_staff", _("Market staff")
    CS_ASSISTANT = "cs_assistant", _("Customer-service assistant")
    FINANCE = "finance", _("Finance staff")
    ADMIN = "admin", _("Administrator")


# Position kinds that see the whole company's data (R-ORG-4).
COMPANY_WIDE_KINDS = frozenset(
    {PositionKind.LEADER, PositionKind.DEPUTY_LEADER, PositionKind.MARKET_STAFF, PositionKind.ADMIN}
)
# Position kinds that see their unit's subtree (R-ORG-4).
UNIT_MANAGER_KINDS = frozenset({PositionKind.DEPT_MANAGER, PositionKind.SUPERVISOR})


class DataScope(models.TextChoices):
    ALL = "all", _("Whole company")
    UNITS = "units", _("Own units")
    OWN = "own", _("Own customers")
