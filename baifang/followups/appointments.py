"""Appointment services: make at least the lead time ahead, change or cancel with the customer told,
fulfil by check-in (R-VISIT-6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.validators import date_max, validate_sane_date
from baifang.customers.access import check_can_work_on
from baifang.followups import conf, engine, punctuality
from baifang.followups.choices import AppointmentStatus
from baifang.followups.exceptions import TooShortNotice
from baifang.followups.models import Appointment
from baifang.rules.choices import RULE_CHANNEL_TOUCHES
from baifang.rules.models import VisitRule
from baifang.tiers.models import CustomerTier
from baifang.visits.choices import Channel
from baifang.visits.models import Touch

# When no end is given, an appointment is booked for this long.
DEFAULT_LENGTH = dt.timedelta(minutes=30)


def rule_lead_hours(customer, day: dt.date) -> list[int | None]:
    """The appointment lead times of the visit rules in force for the customer's tiers."""
    visit_channels = [code for code, touches in RULE_CHANNEL_TOUCHES.items() if Channel.VISIT in touches]
    return list(
        VisitRule.objects.in_force_on(day)
        .filter(
            tier__in=CustomerTier.objects.filter(customer=customer).values("tier"),
            channel__in=visit_channels,
            appointment_lead_hours__isnull=False,
        )
        .values_list("appointment_lead_hours", flat=True)
    )


def lead_hours_for(customer, day: dt.date) -> int:
    """Half a day by default, or the strictest tier rule's lead time when longer (R-VISIT-6)."""
    return engine.required_lead_hours(
        int(conf.setting("APPOINTMENT_LEAD_HOURS")), rule_lead_hours(customer, day)
    )


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> dt.datetime:
    """Ends after it starts, within a day, and starts no later than ``FOLLOWUP_MAX_DAYS_AHEAD`` ahead."""
    try:
        validate_sane_date(starts_at)
        latest = min(
            timezone.localdate() + dt.timedelta(days=int(conf.setting("FOLLOWUP_MAX_DAYS_AHEAD"))), date_max()
        )
        if timezone.localdate(starts_at) > latest:
            raise ValidationError(
                _("An appointment can be made at most until %(latest)s.") % {"latest": f"{latest:%Y-%m-%d}"},
                code="too_far",
            )
    except ValidationError as exc:
        raise ValidationError({"starts_at": exc.error_list}) from exc
    ends_at = ends_at or starts_at + DEFAULT_LENGTH
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("An appointment must end after it starts.")})
    if ends_at - starts_at > dt.timedelta(days=1):
        raise ValidationError({"ends_at": _("An appointment lasts at most a day.")})
    return ends_at


@transaction.atomic
def make_appointment(
    user,
    customer,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    purpose: str,
    notes: str = "",
) -> Appointment:
    """Book a visit with a customer the lead time ahead (R-VISIT-6); the caller may work on the customer."""
    check_can_work_on(user, customer)
    ends_at = _check_times(starts_at, ends_at)
    now = timezone.now()
    lead = lead_hours_for(customer, timezone.localdate(starts_at))
    if not engine.lead_time_ok(now, starts_at, lead):
        earliest = timezone.localtime(engine.earliest_start(now, lead))
        raise TooShortNotice(
            {
                "starts_at": _(
                    "Appointments with this customer are made at least %(hours)s hours ahead: "
                    "the earliest start is %(earliest)s."
                )
                % {"hours": lead, "earliest": f"{earliest:%Y-%m-%d %H:%M}"}
            }
        )
    appointment = Appointment(
        customer=customer,
        rep=user,
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip(),
        purpose=purpose,
        notes=(notes or "").strip(),
        lead_hours=lead,
    )
    appointment.full_clean(exclude=["customer", "rep", "touch"])
    appointment.save()
    return appointment


def _own(user, appointment: Appointment) -> None:
    if appointment.rep_id != user.pk:
        raise PermissionDenied


@transaction.atomic
def change_appointment(
    user,
    appointment: Appointment,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str | None = None,
    reason: str,
    told_at: dt.datetime | None = None,
    told_whom: str = "",
) -> Appointment:
    """Move one's own appointment; the customer was told why (R-VISIT-6).

    The lead time is not asked again: the customer agreed to the new time when told.
    """
    _own(user, appointment)
    ends_at = _check_times(starts_at, ends_at)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The new time must be in the future.")})
    appointment.reschedule(
        by=user,
        starts_at=starts_at,
        ends_at=ends_at,
        place=appointment.place if place is None else place.strip(),
        reason=reason,
        told_at=told_at or timezone.now(),
        told_whom=told_whom,
    )
    return appointment


@transaction.atomic
def cancel_appointment(
    user, appointment: Appointment, *, reason: str, told_at: dt.datetime | None = None, told_whom: str = ""
) -> Appointment:
    """Call off one's own appointment; the customer was told why (R-VISIT-6)."""
    _own(user, appointment)
    appointment.cancel(by=user, reason=reason, told_at=told_at or timezone.now(), told_whom=told_whom)
    return appointment


def fulfil_by_check_in(touch: Touch) -> Appointment | None:
    """Link a check-in to the customer's appointment of that day and mark it done (R-VISIT-6).

    The visitor's own appointment first, then anyone's; the one starting nearest the check-in.
    """
    day = timezone.localdate(touch.started_at)
    candidates = list(
        Appointment.objects.select_for_update()
        .active()
        .on_day(day)
        .filter(customer_id=touch.customer_id, touch__isnull=True)
    )
    if not candidates:
        return None
    appointment = min(
        candidates,
        key=lambda a: (
            a.rep_id != touch.user_id,
            abs((a.starts_at - touch.started_at).total_seconds()),
            a.pk,
        ),
    )
    appointment.mark_done(by=touch.user, touch=touch)
    return appointment


def upcoming_for(user, today: dt.date, *, days: int = 7):
    """The user's appointments from today for ``days`` days (cancelled left out), soonest first."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return (
        Appointment.objects.visible_to(user)
        .filter(rep=user, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=days))
        .exclude(status=AppointmentStatus.CANCELLED)
        .for_lists()
        .order_by("starts_at", "pk")
    )


# --- punctuality (R-VISIT-9) ------------------------------------------------------------------------


def punctuality_rules() -> dict:
    """The company's expected arrival and grace (settings, docs/followups.md)."""
    return {
        "arrive_early": dt.timedelta(minutes=conf.setting("APPOINTMENT_ARRIVE_EARLY_MINUTES")),
        "grace": dt.timedelta(minutes=conf.setting("APPOINTMENT_GRACE_MINUTES")),
    }


def punctuality_of(appointment: Appointment) -> punctuality.Punctuality | None:
    """How the check-in that kept this appointment compared with its start; None if none kept it."""
    if appointment.touch_id is None or appointment.touch.started_at is None:
        return None
    return punctuality.judge(appointment.starts_at, appointment.touch.started_at, **punctuality_rules())


@dataclass(frozen=True)
class PunctualityRow:
    rep_id: int
    rep_name: str
    tally: punctuality.Tally


def punctuality_report(user, first: dt.date, last: dt.date) -> list[PunctualityRow]:
    """Per rep, the appointments kept by a check-in between ``first`` and ``last`` (local days) that the
    user may see, and how punctual the check-ins were — least punctual first (R-VISIT-9, read by the KPIs)."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    rows = (
        Appointment.objects.visible_to(user)
        .filter(starts_at__gte=start, starts_at__lt=end, touch__started_at__isnull=False)
        .values_list("rep_id", "rep__display_name", "rep__username", "starts_at", "touch__started_at")
    )
    rules = punctuality_rules()
    judged: dict[int, list] = {}
    names: dict[int, str] = {}
    for rep_id, display, username, starts_at, checked_in in rows:
        names[rep_id] = display or username
        judged.setdefault(rep_id, []).append(punctuality.judge(starts_at, checked_in, **rules))
    report = [PunctualityRow(rep, names[rep], punctuality.tally(items)) for rep, items in judged.items()]
    return sorted(report, key=lambda r: (r.tally.on_time_rate, -r.tally.minutes_late_total, r.rep_name))
