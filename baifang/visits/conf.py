"""Visit settings, read from ``settings.BAIFANG`` with defaults (R-VISIT-1..4).

Keys (all optional): ``VISIT_RADIUS_M`` (500), ``VISIT_MAX_SPEED_KMH`` (120), ``VISIT_RECORD_DAYS`` (2),
``VISIT_RECORD_REQUIRED`` (fields a record needs before it is submitted), ``VISIT_PHOTO_MAX_BYTES``
(10 MB) and ``VISIT_PHOTO_MAX_PX`` (longest side after resizing, 1600);
``LOCATION_PROPOSAL_MAX_ACCURACY_M`` (100: a check-in this precise proposes the customer's location);
``TOUCH_MAX_DAYS_BACK`` (30: a phone/online touch is recorded at most this many days afterwards, R-VISIT-5),
and ``TOUCH_CLOCK_SKEW_MINUTES`` (5: how far ahead of the server clock a touch may be dated);
``CLOCK_SKEW_MAX_MINUTES`` (5: a phone whose clock disagrees with the server's by more than this when
it sends a check-in, check-out or record is flagged "phone clock wrong", R-UX-2).
Appointment, question and commitment settings are in ``baifang.followups.conf``.

What counts as done (R-VISIT-8): ``VISIT_SERIOUS_FLAGS`` (flags that hold a visit for its supervisor's
review; default far, speed, reused, no_location) and ``VISIT_SHORT_VISITS_COUNT`` (False: a visit
shorter than its rule's minimum does not count). After changing them run ``baifang recount_touches``
(the nightly compliance job does it too).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from baifang.visits import engine
from baifang.visits.engine import CountingPolicy, Policy

DEFAULTS: dict[str, Any] = {
    "VISIT_RADIUS_M": 500,
    "VISIT_MAX_SPEED_KMH": 120,
    "VISIT_RECORD_DAYS": 2,
    "VISIT_RECORD_REQUIRED": ("purpose", "content"),
    "VISIT_PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "VISIT_PHOTO_MAX_PX": 1600,
    "LOCATION_PROPOSAL_MAX_ACCURACY_M": 100,
    "TOUCH_MAX_DAYS_BACK": 30,
    "TOUCH_CLOCK_SKEW_MINUTES": 5,
    "CLOCK_SKEW_MAX_MINUTES": 5,
    "VISIT_SERIOUS_FLAGS": engine.SERIOUS_FLAGS,
    "VISIT_SHORT_VISITS_COUNT": False,
}


def setting(name: str) -> Any:
    return getattr(settings, "BAIFANG", {}).get(name, DEFAULTS[name])


def policy() -> Policy:
    """The flag thresholds in force."""
    return Policy(
        radius_m=float(setting("VISIT_RADIUS_M")),
        max_speed_kmh=float(setting("VISIT_MAX_SPEED_KMH")),
        record_days=int(setting("VISIT_RECORD_DAYS")),
    )


def counting_policy() -> CountingPolicy:
    """What counts as done (R-VISIT-8): the serious flags and whether a too-short visit counts."""
    serious = frozenset(setting("VISIT_SERIOUS_FLAGS"))
    unknown = serious - set(engine.KINDS)
    if unknown:
        raise ImproperlyConfigured(
            f"VISIT_SERIOUS_FLAGS has unknown flags {sorted(unknown)}; known: {', '.join(engine.KINDS)}"
        )
    return CountingPolicy(serious_flags=serious, short_visits_count=bool(setting("VISIT_SHORT_VISITS_COUNT")))
