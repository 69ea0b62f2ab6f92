"""Fake-visit flag rules (R-VISIT-1, R-VISIT-2, R-VISIT-4): plain Python, no Django.

Each rule takes plain facts (points, times, durations) and returns a :class:`Flag` or ``None``.
A flag carries a ``kind`` and the numbers that explain it (``detail``); the app turns those into
a translated sentence. Distances come from :func:`baifang.routing.geo.haversine_m`, which converts
GCJ-02 / BD-09 points to WGS-84 first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from baifang.routing import Point, haversine_m
from baifang.rules.count_states import COUNTED, NOT_COUNTED, PENDING_REVIEW

NO_LOCATION = "no_location"
FAR = "far"
TOO_SHORT = "too_short"
SPEED = "speed"
REUSED = "reused"
OUTSIDE_HOURS = "outside_hours"
LATE_RECORD = "late_record"
# Checked in while another on-site visit of the same rep was still open, with a reason (R-VISIT-1).
OVERLAP = "overlap"
# The phone's clock disagreed with the server's by more than the company allows (R-UX-2).
CLOCK = "clock"

KINDS = (NO_LOCATION, FAR, TOO_SHORT, SPEED, REUSED, OUTSIDE_HOURS, LATE_RECORD, OVERLAP, CLOCK)


@dataclass(frozen=True)
class Policy:
    """Thresholds of the flag rules; every one is a company setting."""

    radius_m: float = 500.0  # R-VISIT-1: check-in farther than this from the customer
    max_speed_kmh: float = 120.0  # R-VISIT-2: faster than this between consecutive check-ins
    record_days: int = 2  # R-VISIT-4: record submitted within this many days of the visit
    coordinate_decimals: int = 5  # R-VISIT-2: "identical" coordinates, ≈ 1 m at 5 decimals


@dataclass(frozen=True)
class Flag:
    """One reason a visit looks doubtful, with the numbers that explain it."""

    kind: str
    detail: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class CheckIn:
    """A check-in as the rules see it: who was where for which customer, when."""

    touch_id: int
    customer_id: int
    at: dt.datetime
    point: Point | None


def distance_m(point: Point | None, customer_point: Point | None) -> float | None:
    """Metres between the check-in and the customer's location, or None when either is unknown."""
    if point is None or customer_point is None:
        return None
    return haversine_m(point, customer_point)


def location_flag(point: Point | None, customer_point: Point | None, policy: Policy) -> Flag | None:
    """No location at all, or a check-in beyond the radius (R-VISIT-1)."""
    if point is None:
        return Flag(NO_LOCATION)
    distance = distance_m(point, customer_point)
    if distance is not None and distance > policy.radius_m:
        return Flag(FAR, {"distance_m": round(distance), "radius_m": round(policy.radius_m)})
    return None


def too_short_flag(duration_seconds: int | None, min_minutes: int | None) -> Flag | None:
    """A finished visit shorter than the rule's minimum (R-VISIT-1)."""
    if duration_seconds is None or not min_minutes:
        return None
    if duration_seconds < min_minutes * 60:
        return Flag(TOO_SHORT, {"minutes": round(duration_seconds / 60, 1), "minimum": min_minutes})
    return None


def is_open(at: dt.time, opens: dt.time, closes: dt.time) -> bool:
    """Whether a shop open from ``opens`` to ``closes`` (possibly past midnight) is open at ``at``."""
    if opens == closes:
        return True  # open around the clock
    if opens < closes:
        return opens <= at <= closes
    return at >= opens or at <= closes


def outside_hours_flag(at: dt.time, opens: dt.time | None, closes: dt.time | None) -> Flag | None:
    """A check-in while the customer is closed (R-VISIT-2); unknown hours never flag."""
    if opens is None or closes is None or is_open(at, opens, closes):
        return None
    return Flag(
        OUTSIDE_HOURS,
        {"at": at.strftime("%H:%M"), "opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
    )


def speed_flag(previous: CheckIn | None, current: CheckIn, policy: Policy) -> Flag | None:
    """Travel from the previous check-in faster than any vehicle allows (R-VISIT-2).

    Distances within the radius are GPS noise and never flag.
    """
    if previous is None or previous.point is None or current.point is None:
        return None
    distance = haversine_m(previous.point, current.point)
    if distance <= policy.radius_m:
        return None
    seconds = (current.at - previous.at).total_seconds()
    kmh = float("inf") if seconds <= 0 else distance / seconds * 3.6
    if kmh <= policy.max_speed_kmh:
        return None
    return Flag(
        SPEED,
        {
            "km": round(distance / 1000, 1),
            "minutes": round(max(seconds, 0) / 60, 1),
            "kmh": None if kmh == float("inf") else round(kmh),
            "max_kmh": round(policy.max_speed_kmh),
            "previous_touch_id": previous.touch_id,
        },
    )


def speed_flags(checkins: Sequence[CheckIn], policy: Policy) -> dict[int, Flag]:
    """Speed flags over one person's check-ins, each located check-in against the located one before."""
    located = sorted((c for c in checkins if c.point is not None), key=lambda c: (c.at, c.touch_id))
    flags: dict[int, Flag] = {}
    for previous, current in zip(located, located[1:], strict=False):
        flag = speed_flag(previous, current, policy)
        if flag is not None:
            flags[current.touch_id] = flag
    return flags


def coordinate_key(point: Point, decimals: int) -> tuple[float, float, str]:
    return (round(point.lat, decimals), round(point.lng, decimals), str(point.crs))


def reused_flag(current: CheckIn, others: Iterable[CheckIn], policy: Policy) -> Flag | None:
    """The same coordinates already used at a check-in for a different customer (R-VISIT-2)."""
    if current.point is None:
        return None
    key = coordinate_key(current.point, policy.coordinate_decimals)
    matches = [
        o
        for o in others
        if o.touch_id != current.touch_id
        and o.customer_id != current.customer_id
        and o.point is not None
        and coordinate_key(o.point, policy.coordinate_decimals) == key
    ]
    if not matches:
        return None
    return Flag(
        REUSED,
        {
            "customers": len({m.customer_id for m in matches}),
            "touch_ids": sorted(m.touch_id for m in matches)[:5],
        },
    )


def record_due(visit_day: dt.date, policy: Policy) -> dt.date:
    """The last day a visit's record may be submitted on time (R-VISIT-4)."""
    return visit_day + dt.timedelta(days=policy.record_days)


def late_record_flag(visit_day: dt.date, written_day: dt.date, policy: Policy) -> Flag | None:
    """A record submitted after the allowed days (R-VISIT-2 "written long after", R-VISIT-4)."""
    if written_day <= record_due(visit_day, policy):
        return None
    return Flag(LATE_RECORD, {"days": (written_day - visit_day).days, "allowed": policy.record_days})


def good_fix(accuracy_m: int | None, max_accuracy_m: int) -> bool:
    """A GPS reading precise enough to propose a customer's location from (accuracy known and small)."""
    return accuracy_m is not None and 0 <= accuracy_m <= max_accuracy_m


# -- what counts as done (R-VISIT-8) ----------------------------------------------------------------

# The count states (COUNTED, PENDING_REVIEW, NOT_COUNTED) are rules' words: see rules/count_states.py.

ACCEPTED = "accepted"
REJECTED = "rejected"

# Strict defaults: the flags a supervisor must clear before a visit counts.
SERIOUS_FLAGS = (FAR, SPEED, REUSED, NO_LOCATION)


@dataclass(frozen=True)
class CountingPolicy:
    """Which flags hold a visit for review and whether a too-short visit counts (company settings)."""

    serious_flags: frozenset[str] = frozenset(SERIOUS_FLAGS)
    short_visits_count: bool = False


def count_state(
    *,
    on_site: bool,
    checked_out: bool,
    flags: Iterable[str],
    decision: str,
    policy: CountingPolicy,
) -> str:
    """Whether a touch counts toward obligations: counted, pending review or not counted (R-VISIT-8).

    Phone, online and other remote touches count once recorded. An on-site visit counts once it is
    checked out; rejected on review it never counts; too short it does not count unless the company
    allows it; with a serious flag it waits for its supervisor to accept it.
    """
    if not on_site:
        return COUNTED
    if not checked_out or decision == REJECTED:
        return NOT_COUNTED
    kinds = set(flags)
    if TOO_SHORT in kinds and not policy.short_visits_count:
        return NOT_COUNTED
    if kinds & policy.serious_flags and decision != ACCEPTED:
        return PENDING_REVIEW
    return COUNTED


# -- the phone's clock (R-UX-2) ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceClock:
    """When an act made on a phone happened, on the server's clock, and how wrong the phone's clock was.

    ``skew_seconds`` is the phone's clock minus the server's (positive: the phone is ahead), or None
    when it cannot be told apart from a late upload.
    """

    at: dt.datetime
    device_time: dt.datetime | None
    skew_seconds: int | None
    flag: Flag | None


def device_clock(
    device_time: dt.datetime | None,
    sent_at: dt.datetime | None,
    received_at: dt.datetime,
    max_skew_seconds: int,
) -> DeviceClock:
    """Place an act queued on a phone on the server's clock (R-UX-2).

    ``device_time`` is the phone's clock when the act happened, ``sent_at`` the phone's clock when it
    sent the request, ``received_at`` the server's clock on arrival. A late upload (a day offline) is
    not a wrong clock: the skew is ``sent_at - received_at`` (the phone's clock against ours at the
    same moment, give or take the transfer), and the act happened at ``device_time - skew``. Without
    ``sent_at`` only a phone clock ahead of ours is known to be wrong. An act never happened after it
    arrived. A skew larger than ``max_skew_seconds`` either way is flagged.
    """
    if device_time is None:
        return DeviceClock(received_at, None, None, None)
    if sent_at is not None:
        skew = round((sent_at - received_at).total_seconds())
    elif device_time > received_at:
        skew = round((device_time - received_at).total_seconds())
    else:
        skew = None
    at = device_time - dt.timedelta(seconds=skew or 0)
    at = min(at, received_at)
    flag = None
    if skew is not None and abs(skew) > max_skew_seconds:
        flag = Flag(
            CLOCK,
            {
                "skew_minutes": round(skew / 60, 1),
                "max_minutes": round(max_skew_seconds / 60, 1),
                "device_time": device_time.isoformat(),
                "at": at.isoformat(),
            },
        )
    return DeviceClock(at, device_time, skew, flag)
