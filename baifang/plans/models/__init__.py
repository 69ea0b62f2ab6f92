"""Plan models: planning rules (policy.py) and the plans themselves (plans.py)."""

from baifang.plans.models.plans import (
    InvalidTransition,
    Plan,
    PlanActions,
    PlanItem,
    PlanStatusChange,
    PlanVersion,
    StaleVersion,
    UnplannedNeed,
    makes_plans,
)
from baifang.plans.models.policy import PlanPolicy, PlanPurpose, RhythmReminder, WorkPattern, parse_weekdays

__all__ = [
    "InvalidTransition",
    "Plan",
    "PlanActions",
    "PlanItem",
    "PlanPolicy",
    "PlanPurpose",
    "PlanStatusChange",
    "PlanVersion",
    "RhythmReminder",
    "StaleVersion",
    "UnplannedNeed",
    "WorkPattern",
    "makes_plans",
    "parse_weekdays",
]
