"""Who sees and runs surveys (R-ORG-4, R-SEC-1).

Customer-service and market staff run surveys for the whole company (seed 004: 客服中心 surveys every
household), so they, leaders and administrators see every customer's survey answers; everyone else sees
those of the customers ``Customer.objects.visible_to`` gives them.
"""

from __future__ import annotations

from django.db import models

from baifang.customers.models import Customer
from baifang.org.choices import PositionKind, UnitKind

# Run any campaign, company-wide.
SURVEY_STAFF_KINDS = (PositionKind.MARKET_STAFF, PositionKind.CS_ASSISTANT, PositionKind.ADMIN)
# See every campaign and answer; leaders read, they do not run campaigns.
COMPANY_WIDE_KINDS = (*SURVEY_STAFF_KINDS, PositionKind.LEADER, PositionKind.DEPUTY_LEADER)
# May start campaigns of their own, over the customers they see.
CAMPAIGN_RUNNER_KINDS = (*SURVEY_STAFF_KINDS, PositionKind.DEPT_MANAGER, PositionKind.SUPERVISOR)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def in_customer_service(user) -> bool:
    return user.unit_id is not None and user.unit.get_department().kind == UnitKind.CUSTOMER_SERVICE


def is_survey_staff(user) -> bool:
    return _active(user) and (user.has_position(*SURVEY_STAFF_KINDS) or in_customer_service(user))


def sees_company_wide(user) -> bool:
    return _active(user) and (user.has_position(*COMPANY_WIDE_KINDS) or in_customer_service(user))


def may_run_campaigns(user) -> bool:
    return _active(user) and (user.has_position(*CAMPAIGN_RUNNER_KINDS) or in_customer_service(user))


def may_use_surveys(user) -> bool:
    """Who gets the menu entry: anyone who runs campaigns or reads them company-wide, and reps (their
    customers' answers and the checks after their visits, R-SURV-4)."""
    return _active(user)


def survey_customers(user) -> models.QuerySet:
    """The customers whose survey data ``user`` may read."""
    if not _active(user):
        return Customer.objects.none()
    if sees_company_wide(user):
        return Customer.objects.filter(merged_into__isnull=True)
    return Customer.objects.visible_to(user)
