"""Showroom lead intake (R-FU-4; seed 002): the day's duty order, who receives next, the shared
register of visitors and callers, and the views over it (customer card, level-promotion table, daily
activity, consistency check, walk-in statistics)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import ExtractIsoWeekDay, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import add_workdays, is_workday
from baifang.followups.choices import FollowUpMethod
from baifang.followups.engine import Reception, next_receiver, position_after
from baifang.followups.models import DutySlot, FollowUpRecord, Registration, Showroom

IDEMPOTENT_ACTION = "showroom_reg"  # fits IdempotencyKey.action (12 characters)
INFO_MINUTES = 20  # seed 002: 确保20分钟内向客户发送信息
PROMOTED_LEVELS = ("H", "A", "B")  # seed 002: all intent levels but C go on the promotion table


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# -- the duty order --------------------------------------------------------------------------------


def may_manage(user, showroom: Showroom) -> bool:
    """The manager of the showroom's unit (or above, or company-wide) sets the duty order."""
    from baifang.org.choices import DataScope

    if user.data_scope == DataScope.ALL:
        return True
    return any(showroom.unit.path.startswith(unit.path) for unit in user.managed_units)


def duty_order(showroom: Showroom, day: dt.date) -> list:
    """The day's duty order, first to last (users)."""
    return [slot.rep for slot in DutySlot.objects.filter(showroom=showroom, day=day).select_related("rep")]


@transaction.atomic
def set_duty_order(user, showroom: Showroom, day: dt.date, reps: list) -> list:
    """Replace the day's duty order (案场经理的排岗顺序); each rep at most once."""
    if not may_manage(user, showroom):
        raise PermissionDenied
    ids = [rep.pk for rep in reps]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("A rep can stand in the duty order only once a day."))
    if not ids:
        raise ValidationError(_("Put at least one rep on duty."))
    DutySlot.objects.filter(showroom=showroom, day=day).delete()
    DutySlot.objects.bulk_create(
        DutySlot(showroom=showroom, day=day, position=i, rep=rep) for i, rep in enumerate(reps)
    )
    return duty_order(showroom, day)


def busy_reps(showroom: Showroom, now: dt.datetime) -> set[int]:
    """Reps receiving someone right now: a registration of today with no time out yet, or one running."""
    rows = Registration.objects.on_day(timezone.localdate(now)).filter(showroom=showroom, time_in__lte=now)
    return set(
        rows.filter(Q(time_out__isnull=True) | Q(time_out__gt=now)).values_list("received_by_id", flat=True)
    )


def current_position(showroom: Showroom, day: dt.date, order_ids: list[int]) -> int:
    last = (
        Registration.objects.on_day(day)
        .filter(showroom=showroom, in_turn=True)
        .order_by("-time_in", "-pk")
        .values_list("received_by_id", flat=True)
        .first()
    )
    return position_after(order_ids, last)


def first_registration(showroom: Showroom, phone: str = "", customer=None) -> Registration | None:
    """The register's first line for a returning customer (以客户登记本为准): by phone or customer."""
    if not phone and customer is None:
        return None
    condition = Q(customer=customer) if customer is not None else Q(pk__in=[])
    if phone:
        condition |= Q(phone=phone)
    return (
        Registration.objects.filter(showroom=showroom, first_visit=True)
        .filter(condition)
        .order_by("time_in", "pk")
        .first()
    )


def who_is_next(
    showroom: Showroom, now: dt.datetime | None = None, *, returning_rep_id=None, named_rep_id=None
) -> tuple[list, Reception]:
    """The day's order (users) and the engine's answer for the next arrival, in user ids."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    order = duty_order(showroom, day)
    ids = [rep.pk for rep in order]
    reception = next_receiver(
        ids,
        current_position(showroom, day, ids),
        busy_reps(showroom, now),
        returning_rep=returning_rep_id,
        named_rep=named_rep_id,
    )
    return order, reception


# -- the register ----------------------------------------------------------------------------------


def registration_due(showroom: Showroom, time_in: dt.datetime) -> dt.datetime:
    """Due before the end of the working day (当日下班前): the reception's day if it is a working day
    in the core calendar, else the next working day, at the showroom's closing time."""
    day = timezone.localdate(time_in)
    if not is_workday(day):
        day = add_workdays(day, 1)
    return timezone.make_aware(dt.datetime.combine(day, showroom.day_ends_at))


def may_register(user, showroom: Showroom) -> bool:
    return user.unit_id == showroom.unit_id or may_manage(user, showroom)


@transaction.atomic
def register(
    user,
    showroom: Showroom,
    *,
    kind: str,
    time_in: dt.datetime,
    time_out: dt.datetime | None = None,
    received_by=None,
    visitor_name: str,
    phone: str = "",
    intended_product: str = "",
    intent_level: str = "",
    note: str = "",
    bought_on_spot: bool = False,
    named_rep: bool = False,
    customer=None,
    now: dt.datetime | None = None,
) -> Registration:
    """Register one visitor or caller (R-FU-4). Without contact details too (某先生 / 某女士 / plate).

    A returning customer (found in the register by phone or customer) is a repeat visit: never a new
    reception, and the first receiver keeps the credit even when a colleague stands in. A first-time
    visit counts in turn when the receiver was the duty order's next (not when the customer named a rep).
    """
    now = now or timezone.now()
    received_by = received_by or user
    if not may_register(user, showroom):
        raise PermissionDenied
    if time_in > now + dt.timedelta(minutes=5):
        raise ValidationError({"time_in": _("The time in cannot be in the future.")})
    phone = (phone or "").strip()
    earlier = first_registration(showroom, phone, customer)
    registration = Registration(
        showroom=showroom,
        kind=kind,
        time_in=time_in,
        time_out=time_out,
        received_by=received_by,
        credited_to=earlier.credited_to if earlier else received_by,
        visitor_name=(visitor_name or "").strip(),
        phone=phone,
        intended_product=(intended_product or "").strip(),
        intent_level=intent_level or "",
        note=(note or "").strip(),
        bought_on_spot=bought_on_spot,
        first_visit=earlier is None,
        named_rep=bool(named_rep) and earlier is None,
        returning_of=earlier,
        customer=customer or (earlier.customer if earlier else None),
        due_at=registration_due(showroom, time_in),
        registered_by=user,
        registered_at=now,
    )
    if registration.first_visit and not registration.named_rep:
        day = timezone.localdate(time_in)
        ids = [rep.pk for rep in duty_order(showroom, day)]
        expected = next_receiver(ids, current_position(showroom, day, ids), busy_reps(showroom, time_in))
        registration.in_turn = expected.receiver == received_by.pk
    registration.late = now > registration.due_at
    if time_out is not None:
        registration.info_due_at = time_out + dt.timedelta(minutes=INFO_MINUTES)
    registration.full_clean(exclude=["showroom", "received_by", "credited_to", "registered_by", "customer"])
    registration.save()
    return registration


@transaction.atomic
def finish_reception(user, registration: Registration, *, time_out: dt.datetime) -> Registration:
    """The customer left or the call ended: the information is due 20 minutes later (seed 002)."""
    if user.pk not in (registration.received_by_id, registration.registered_by_id) and not may_manage(
        user, registration.showroom
    ):
        raise PermissionDenied
    if time_out < registration.time_in:
        raise ValidationError({"time_out": _("The time out cannot be before the time in.")})
    registration.time_out = time_out
    registration.info_due_at = time_out + dt.timedelta(minutes=INFO_MINUTES)
    registration.save(update_fields=["time_out", "info_due_at"])
    return registration


@transaction.atomic
def mark_info_sent(user, registration: Registration, *, at: dt.datetime | None = None) -> Registration:
    """The customer was sent the information (the 20-minute follow-up, seed 002)."""
    if user.pk not in (registration.received_by_id, registration.credited_to_id):
        raise PermissionDenied
    if registration.info_sent_at is None:
        registration.info_sent_at = at or timezone.now()
        registration.save(update_fields=["info_sent_at"])
    return registration


def info_due_for(user, now: dt.datetime | None = None):
    """The user's 20-minute follow-ups still to send, soonest due first."""
    return (
        Registration.objects.visible_to(user)
        .filter(received_by=user, info_due_at__isnull=False, info_sent_at__isnull=True)
        .for_lists()
        .order_by("info_due_at")
    )


# -- the views over the register (三表一卡) ----------------------------------------------------------


def customer_card(registration: Registration) -> dict:
    """The 4S customer card (客户管理卡): the first line and every visit since, bought or followed."""
    first = registration.returning_of or registration
    visits = [first, *first.returns.order_by("time_in", "pk").select_related("received_by")]
    return {
        "first": first,
        "visits": visits,
        "bought": any(v.bought_on_spot for v in visits),
        "level": next((v.intent_level for v in reversed(visits) if v.intent_level), ""),
    }


def promotion_table(registrations):
    """The potential-customer level-promotion table (潜在顾客等级推进表): first visits with intent
    H, A or B (all but C) that have not bought, with their latest level."""
    rows = []
    firsts = registrations.filter(first_visit=True, bought_on_spot=False).prefetch_related("returns")
    for first in firsts.for_lists().order_by("time_in", "pk"):
        visits = [first, *sorted(first.returns.all(), key=lambda r: (r.time_in, r.pk))]
        if any(v.bought_on_spot for v in visits):
            continue
        levels = [v.intent_level for v in visits if v.intent_level]
        if levels and levels[-1] in PROMOTED_LEVELS:
            rows.append({"first": first, "levels": levels, "level": levels[-1], "visits": len(visits)})
    return rows


def daily_activity(registrations, day: dt.date) -> dict:
    """The daily activity report (销售活动日报表): per rep, the receptions, first visits, repeat visits,
    sales on the spot and information sent that day."""
    per_rep: dict = defaultdict(Counter)
    names = {}
    for row in registrations.on_day(day).select_related("received_by"):
        names[row.received_by_id] = row.received_by
        counter = per_rep[row.received_by_id]
        counter["receptions"] += 1
        counter["first" if row.first_visit else "repeat"] += 1
        if row.bought_on_spot:
            counter["bought"] += 1
        if not row.left_details:
            counter["no_details"] += 1
    sent = registrations.filter(
        info_sent_at__gte=_start_of(day), info_sent_at__lt=_start_of(day + dt.timedelta(1))
    )
    for row in sent.select_related("received_by"):
        names[row.received_by_id] = row.received_by
        per_rep[row.received_by_id]["info_sent"] += 1
    return {names[rep_id]: dict(counts) for rep_id, counts in per_rep.items()}


def consistency_violations(registrations, today: dt.date | None = None) -> list[dict]:
    """The seed's consistency check (三表一卡逻辑关系), every violation:

    - a registered first-time visitor from before today neither followed (no repeat visit, no visit,
      call or follow-up record with the customer since) nor converted (bought);
    - a follow-up record saying the customer was invited to the showroom (邀约登门) on a day before
      today with no reception of that customer there that day: the tracking record and the daily
      activity report disagree;
    - a reception that ended with no information sent within 20 minutes (the follow-up promised by
      the reception rules, with no matching activity).

    A fixed number of queries, whatever the number of registrations.
    """
    from baifang.visits.models import Touch

    today = today or timezone.localdate()
    now = timezone.now()
    problems = []
    old = list(
        registrations.filter(first_visit=True, time_in__lt=_start_of(today))
        .for_lists()
        .prefetch_related("returns")
        .order_by("time_in", "pk")
    )
    customers = {row.customer_id for row in old if row.customer_id}
    last_touch = dict(
        Touch.objects.filter(customer_id__in=customers)
        .values("customer_id")
        .annotate(last=Max("started_at"))
        .values_list("customer_id", "last")
    )  # a follow-up record is a touch too (FollowUpRecord.touch), so it counts here
    for row in old:
        returns = list(row.returns.all())
        if row.bought_on_spot or any(r.bought_on_spot for r in returns) or returns:
            continue
        if row.customer_id and last_touch.get(row.customer_id) and last_touch[row.customer_id] >= row.time_in:
            continue
        problems.append(
            {"kind": "not_followed", "registration": row, "text": _("Neither followed nor converted")}
        )
    problems += _invitations_not_seen(registrations, today)
    late_info = registrations.filter(info_due_at__lt=now).filter(
        Q(info_sent_at__isnull=True) | Q(info_sent_at__gt=F("info_due_at"))
    )
    for row in late_info.for_lists().order_by("info_due_at", "pk"):
        problems.append(
            {"kind": "no_info", "registration": row, "text": _("No information sent within 20 minutes")}
        )
    return problems


def _invitations_not_seen(registrations, today: dt.date) -> list[dict]:
    """Follow-up records of an invited visit (邀约登门) before today with no reception that day (R-FU-2/4)."""
    by_customer: dict[int, list] = {}
    for row in registrations.filter(customer__isnull=False).for_lists().order_by("time_in", "pk"):
        by_customer.setdefault(row.customer_id, []).append(row)
    if not by_customer:
        return []
    problems = []
    invited = FollowUpRecord.objects.filter(
        customer_id__in=list(by_customer), method=FollowUpMethod.INVITED, followed_on__lt=today
    ).order_by("followed_on", "pk")
    for record in invited:
        rows = by_customer[record.customer_id]
        if any(timezone.localdate(r.time_in) == record.followed_on for r in rows):
            continue
        before = [r for r in rows if timezone.localdate(r.time_in) <= record.followed_on] or rows
        problems.append(
            {
                "kind": "invited_not_seen",
                "registration": before[-1],
                "text": _("Invited to the showroom on %(day)s (follow-up record), but no reception that day")
                % {"day": record.followed_on},
            }
        )
    return problems


def walk_in_statistics(registrations) -> dict:
    """Walk-ins and calls per day, weekday (1 = Monday) and month, and per rep the share who left no
    contact details (seed 002: 分析来店顾客不留资料与留资料顾客的比例)."""
    by_day = list(
        registrations.annotate(d=TruncDate("time_in")).values("d").annotate(n=Count("pk")).order_by("d")
    )
    by_weekday = list(
        registrations.annotate(w=ExtractIsoWeekDay("time_in"))
        .values("w")
        .annotate(n=Count("pk"))
        .order_by("w")
    )
    by_month = list(
        registrations.annotate(m=TruncMonth("time_in")).values("m").annotate(n=Count("pk")).order_by("m")
    )
    per_rep = list(
        registrations.values("received_by", "received_by__display_name", "received_by__username")
        .annotate(n=Count("pk"), no_details=Count("pk", filter=Q(phone="")))
        .order_by("-no_details", "received_by")
    )
    for row in per_rep:
        row["share"] = round(row["no_details"] / row["n"], 3) if row["n"] else 0.0
    return {"by_day": by_day, "by_weekday": by_weekday, "by_month": by_month, "per_rep": per_rep}
