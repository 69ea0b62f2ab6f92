"""Plan models: planning rules (policy.py) and the plans themselves (plans.py)."""

from baifang.plans.models.plans import (
    InvalidTransition,
    Plan,
    PlanItem,
    PlanStatusChange,
    PlanVersion,
    StaleVersion,
    UnplannedNeed,
    plan_status_changed,
)
from baifang.plans.models.policy import PlanPolicy, PlanPurpose, RhythmReminder, WorkPattern, parse_weekdays

__all__ = [
    "InvalidTransition",
    "Plan",
    "PlanItem",
    "PlanPolicy",
    "PlanPurpose",
    "PlanStatusChange",
    "PlanVersion",
    "RhythmReminder",
    "StaleVersion",
    "UnplannedNeed",
    "WorkPattern",
    "parse_weekdays",
    "plan_status_changed",
]
