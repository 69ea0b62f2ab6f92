"""Follow-up settings, read from ``settings.BAIFANG`` with defaults (the keys visits used before the split).

Keys (all optional): ``APPOINTMENT_LEAD_HOURS`` (12: half a day, R-VISIT-6), ``QUESTION_ANSWER_WORKDAYS``
(3, R-VISIT-7), ``FOLLOWUP_MAX_DAYS_AHEAD`` (366: the latest due date of a new commitment or
appointment), ``APPOINTMENT_ARRIVE_EARLY_MINUTES`` (0: on time, seed 000; a bank following seed 003 sets
10) and ``APPOINTMENT_GRACE_MINUTES`` (0) for punctuality (R-VISIT-9).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "APPOINTMENT_LEAD_HOURS": 12,
    "QUESTION_ANSWER_WORKDAYS": 3,
    "FOLLOWUP_MAX_DAYS_AHEAD": 366,
    "APPOINTMENT_ARRIVE_EARLY_MINUTES": 0,
    "APPOINTMENT_GRACE_MINUTES": 0,
}


def setting(name: str) -> Any:
    return getattr(settings, "BAIFANG", {}).get(name, DEFAULTS[name])
