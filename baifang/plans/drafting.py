"""Drafting a rep's month from the database: obligations, calendar, customers → the plain generator (R-PLAN-4).

Reads, in a fixed number of queries per rule period: the rep's obligations of every window that
overlaps the month (the set-based SQL of ``baifang.rules.compliance``), open special visits, the
calendar with its overrides, the rep's customers with locations and business hours, last month's
visits and plan (coverage), and items already planned elsewhere. Writes the generator's items.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import replace

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import calendar_for
from baifang.customers.models import Customer
from baifang.maps.adapters import business_window, customer_stop, day_request, rep_base, travel_model
from baifang.plans import generate as gen
from baifang.plans import periods
from baifang.plans.choices import ItemSource, PlanKind
from baifang.plans.models import PlanItem, PlanPolicy, PlanPurpose, UnplannedNeed, parse_weekdays
from baifang.routing import solve_day_route
from baifang.rules import compliance, engine
from baifang.rules.choices import RULE_CHANNEL_TOUCHES
from baifang.rules.models import SpecialVisit
from baifang.visits.models import Touch

INACTIVE = ("lost", "blacklisted")
# The channel of an item added for a rule of this channel.
PLAN_CHANNEL = {"visit": "visit", "any": "visit", "remote": "phone"}
# The purpose preselected for generated items, by source (codes of the default purpose list).
SOURCE_PURPOSE = {
    ItemSource.SPECIAL: "solve",
    ItemSource.COVERAGE: "relationship",
    ItemSource.FILL: "relationship",
}


_LOOK_UP = object()


def plan_settings(user, *, policy: PlanPolicy | None = None, pattern=_LOOK_UP) -> dict:
    """The rep's effective planning settings: the policy, overridden by their work pattern.

    A list of reps passes the ``policy`` and ``pattern`` (or None) it read for all of them at once.
    """
    policy = policy or PlanPolicy.for_user(user)
    if pattern is _LOOK_UP:
        pattern = getattr(user, "work_pattern", None)  # a missing one-to-one raises AttributeError
    weekdays = policy.visit_days
    max_visits, min_visits = policy.max_visits_per_day, policy.min_visits_per_day
    if pattern is not None:
        if pattern.visit_weekdays:
            weekdays = parse_weekdays(pattern.visit_weekdays)
        max_visits = pattern.max_visits_per_day or max_visits
        min_visits = pattern.min_visits_per_day if pattern.min_visits_per_day is not None else min_visits
    return {
        "policy": policy,
        "visit_weekdays": weekdays,
        "max_visits": max_visits,
        "min_visits": min(min_visits, max_visits),
    }


def calendar_days(first: dt.date, last: dt.date, visit_weekdays) -> list[gen.DayInfo]:
    """The horizon's days: China's working days (调休 included); a make-up weekend is a visit day."""
    cal = calendar_for(first, last)
    out = []
    day = first
    while day <= last:
        working = cal.is_workday(day)
        visit = working and (day.weekday() in visit_weekdays or day.weekday() >= 5)
        out.append(gen.DayInfo(day, working, visit))
        day += dt.timedelta(days=1)
    return out


def _working_count(days: list[gen.DayInfo], first: dt.date, last: dt.date) -> int:
    return sum(1 for d in days if d.working and first <= d.day <= last)


def _share(remaining: int, win: engine.Window, start: dt.date, end: dt.date, days, cal) -> int:
    """How many of a window's remaining touches fall to [start, end] when the window runs past it."""
    if win.end <= end:
        return remaining
    inside = _working_count(days, start, end)
    total = inside + len(cal.workdays_in(end + dt.timedelta(days=1), win.end))
    if total <= 0:
        return 0
    return min(remaining, math.floor(remaining * inside / total + 0.5))


def rule_needs(user, start: dt.date, end: dt.date, today: dt.date, days) -> tuple[list[gen.Need], dict, dict]:
    """One need per unmet obligation of ``user`` in every rule window overlapping [start, end].

    Also returns, per customer, the longest minimum duration and appointment lead time (hours) of
    the rules that apply to it.
    """
    cal = calendar_for(start, end + dt.timedelta(days=400))
    scope = compliance.Scope(user=user, responsible_user=user)
    needs: list[gen.Need] = []
    minutes: dict[int, int] = defaultdict(int)
    lead_hours: dict[int, int] = defaultdict(int)
    first_from = max(start, today)
    probes: set[dt.date] = set()
    for period in engine.PERIODS:
        day = start
        while day <= end:
            probes.add((period, day))
            day = engine.window(period, day).end + dt.timedelta(days=1)
    by_day: dict[dt.date, set[str]] = defaultdict(set)
    for period, day in probes:
        by_day[day].add(period)
    for day in sorted(by_day):
        rules = [r.pk for r in compliance.rules_in_force(day) if r.period in by_day[day]]
        if not rules:
            continue
        for ob in compliance.obligations(day, scope=scope, today=today, only_unmet=True, rule_ids=rules):
            rule, win = ob.rule, ob.window
            lo, hi = max(win.start, first_from), min(win.end, end)
            if hi < lo:
                continue
            count = _share(
                int(ob.required) - int(ob.done), win, lo, hi, days, cal
            )  # SUM is numeric on PostgreSQL
            if count <= 0:
                continue
            first_by = None
            if ob.done == 0 and rule.first_due_day:
                first_by = engine.first_touch_due(win, rule.first_due_day)
            needs.append(
                gen.Need(
                    key=f"rule:{rule.pk}:{win.start.isoformat()}:{ob.customer_id}",
                    customer_id=ob.customer_id,
                    kind=gen.NeedKind.RULE,
                    channels=frozenset(RULE_CHANNEL_TOUCHES[rule.channel]),
                    plan_channel=PLAN_CHANNEL.get(rule.channel, rule.channel),
                    count=count,
                    earliest=lo,
                    latest=hi,
                    label=rule.name[:200],
                    first_by=first_by if first_by and first_by >= lo else None,
                )
            )
            minutes[ob.customer_id] = max(minutes[ob.customer_id], rule.min_duration_minutes or 0)
            lead_hours[ob.customer_id] = max(lead_hours[ob.customer_id], rule.appointment_lead_hours or 0)
    return needs, minutes, lead_hours


def special_needs(user, start: dt.date, end: dt.date, today: dt.date) -> list[gen.Need]:
    """Special visits and event-driven return visits owed in the plan's span (R-OBL-3, R-FREQ-9).

    A return visit whose window opens later is planned from that day, in its own channel."""
    first = max(start, today)
    plan_end = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    plan_start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    rows = (
        SpecialVisit.objects.open()
        .filter(models.Q(opens_at__isnull=True) | models.Q(opens_at__lt=plan_end))
        .filter(models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=plan_start))
        .filter(responsible=user, due_on__lte=end)
        .select_related("return_rule")
    )
    needs = []
    for sv in rows:
        earliest = first
        if sv.opens_at is not None:
            earliest = max(first, timezone.localdate(sv.opens_at))
        if earliest > end:
            continue
        latest = max(sv.due_on, earliest + dt.timedelta(days=2))
        needs.append(
            gen.Need(
                key=f"special:{sv.pk}",
                customer_id=sv.customer_id,
                kind=gen.NeedKind.SPECIAL,
                channels=frozenset(RULE_CHANNEL_TOUCHES[sv.channel]),
                plan_channel=PLAN_CHANNEL.get(sv.channel, sv.channel),
                count=sv.required,
                earliest=earliest,
                latest=min(latest, end),
                label=str(sv.label)[:200],
            )
        )
    return needs


def _visited_last_month(user, start: dt.date, customer_ids) -> set[int]:
    """Customers visited last month, or with a visit in last month's plan (R-PLAN-4 coverage).

    Only visits that count are visits (R-VISIT-8): one never checked out, or waiting for review,
    leaves the customer to be covered again."""
    prev = periods.previous_month(start)
    lo = timezone.make_aware(dt.datetime.combine(prev, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    touched = set(
        Touch.objects.counted()
        .filter(customer__owner=user, channel__in=("visit", "invited"), started_at__gte=lo, started_at__lt=hi)
        .values_list("customer_id", flat=True)
    )
    planned = set(
        PlanItem.objects.filter(
            plan__owner=user,
            plan__kind=PlanKind.MONTH,
            plan__period_start=prev,
            channel__in=("visit", "invited"),
        ).values_list("customer_id", flat=True)
    )
    return (touched | planned) & set(customer_ids)


def _last_touch_order(user, customer_ids) -> list[int]:
    """The rep's customers, never touched first, then least recently touched."""
    last = dict(
        Touch.objects.filter(customer__owner=user)
        .values("customer_id")
        .annotate(last=models.Max("started_at"))
        .values_list("customer_id", "last")
    )
    floor = timezone.make_aware(dt.datetime(1970, 1, 1))
    return sorted(customer_ids, key=lambda c: (last.get(c) or floor, c))


def _first_visit_by(needs: list[gen.Need], by: dt.date) -> tuple[list[gen.Need], list[int]]:
    """The company's "first visit of the month by day N" (R-FREQ-3) as a deadline on each customer's
    earliest visit need that is open by then, so a visit that cannot be placed by the deadline is
    placed later and shown as late, not listed as could-not-fit beside the visit that was placed
    (issue 17). Returns the needs and the customers who still need a visit of their own by ``by``
    (their visit needs all open after it)."""
    earliest: dict[int, int] = {}
    for index, need in enumerate(needs):
        if need.plan_channel != "visit" or need.earliest > by:
            continue
        held = earliest.get(need.customer_id)
        if held is None or (need.earliest, need.latest) < (needs[held].earliest, needs[held].latest):
            earliest[need.customer_id] = index
    needs = list(needs)
    for index in earliest.values():
        need = needs[index]
        if by < need.latest and (need.first_by is None or by < need.first_by):
            needs[index] = replace(need, first_by=by)
    visiting = {n.customer_id for n in needs if n.plan_channel == "visit"}
    return needs, sorted(visiting - set(earliest))


def build_request(plan, *, today: dt.date | None = None) -> gen.GenerateRequest:
    """The generator's input for a month plan."""
    user, start, end = plan.owner, plan.period_start, plan.period_end
    today = today or timezone.localdate()
    conf = plan_settings(user)
    policy: PlanPolicy = conf["policy"]
    days = calendar_days(start, end, conf["visit_weekdays"])
    customers = list(
        Customer.objects.filter(owner=user, merged_into=None).exclude(status__in=INACTIVE).order_by("pk")
    )
    ids = [c.pk for c in customers]
    needs, min_minutes, lead_hours = rule_needs(user, start, end, today, days)
    needs += special_needs(user, start, end, today)
    known = set(ids)
    extra_ids = {n.customer_id for n in needs} - known  # e.g. a manager's rules on others' customers
    if extra_ids:
        customers += list(Customer.objects.filter(pk__in=extra_ids))
    first = max(start, today)
    if policy.cover_every_two_months:
        seen = _visited_last_month(user, start, ids)
        needs += [
            gen.Need(
                f"coverage:{cid}",
                cid,
                gen.NeedKind.COVERAGE,
                frozenset({"visit", "invited"}),
                "visit",
                1,
                first,
                end,
                _("Not visited last month"),
            )
            for cid in ids
            if cid not in seen
        ]
    if policy.first_visit_by_day:
        by = min(start.replace(day=policy.first_visit_by_day), end)
        if by >= first:
            needs, visiting = _first_visit_by(needs, by)
            needs += [
                gen.Need(
                    f"first:{cid}",
                    cid,
                    gen.NeedKind.FIRST,
                    frozenset({"visit", "invited"}),
                    "visit",
                    1,
                    first,
                    by,
                    _("First visit of the month by day %(day)d") % {"day": policy.first_visit_by_day},
                )
                for cid in visiting
            ]
    fixed = [
        gen.FixedItem(i.customer_id, i.day, i.channel)
        for i in PlanItem.objects.filter(
            plan__owner=user, plan__kind=PlanKind.MONTH, day__gte=first, day__lte=end + dt.timedelta(days=62)
        ).exclude(plan=plan)
    ]
    fixed += [gen.FixedItem(i.customer_id, i.day, i.channel) for i in kept_items(plan, first)]
    base, _label = rep_base(user, customers)
    return gen.GenerateRequest(
        days=days,
        customers=[
            gen.CustomerInfo(
                c.pk,
                c.point,
                max(policy.visit_minutes, min_minutes.get(c.pk, 0)) * 60,
                business_window(c),
                c.order_weekday,
                lead_days=math.ceil(lead_hours.get(c.pk, 0) / 24),
            )
            for c in customers
        ],
        needs=needs,
        base=base,
        fixed=fixed,
        today=today,
        reserve_share=policy.reserve_percent / 100,
        max_visits_per_day=conf["max_visits"],
        min_visits_per_day=conf["min_visits"],
        max_calls_per_day=policy.max_calls_per_day,
        call_s=policy.call_minutes * 60,
        fill_candidates=_last_touch_order(user, ids),
        travel=travel_model(),
        seed=start.toordinal() + user.pk,
    )


def _time(seconds: int | None) -> dt.time | None:
    if seconds is None:
        return None
    seconds = min(seconds, 24 * 3600 - 1)
    return dt.time(seconds // 3600, seconds % 3600 // 60)


def kept_items(plan, first: dt.date):
    """Items regeneration keeps and plans around: added, moved or changed by hand, from ``first`` on."""
    return plan.items.filter(day__gte=first).filter(
        models.Q(source=ItemSource.MANUAL) | models.Q(edited=True)
    )


def write_generated(
    plan, result: gen.GeneratedPlan, customers: dict[int, gen.CustomerInfo], *, first: dt.date
) -> None:
    """Replace the plan's generated items from ``first`` on, and its unplanned list, with the result.

    Items the rep added, moved or changed by hand stay where they are (the generator counted them as
    fixed), and so does every item before ``first`` (days already begun are left alone).
    """
    purposes = {p.code: p for p in PlanPurpose.objects.filter(is_active=True)}
    default_purpose = purposes.get("relationship")
    kept = list(kept_items(plan, first))
    plan.items.filter(day__gte=first).exclude(pk__in=[i.pk for i in kept]).delete()
    plan.unplanned.all().delete()
    manual = {(i.customer_id, i.day, i.channel): i for i in kept}
    # A first visit placed after its deadline (R-FREQ-3, issue 17) is planned, late: the item says so.
    late_by = {
        (late.customer_id, late.planned_on, channel): late.first_by
        for late in result.late
        for channel in late.channels
    }
    new_items, touched = [], []
    for item in result.items:
        info = customers.get(item.customer_id)
        minutes = max(1, (info.service_s if info else 900) // 60) if item.is_visit else 5
        if item.fixed:
            kept = manual.get((item.customer_id, item.day, item.channel))
            if kept is not None:
                kept.sequence, kept.start_time = item.sequence, _time(item.start_s)
                kept.end_time = _time(item.end_s)
                kept.missed_deadline = late_by.get((item.customer_id, item.day, item.channel))
                touched.append(kept)
            continue
        new_items.append(
            PlanItem(
                plan=plan,
                customer_id=item.customer_id,
                day=item.day,
                start_time=_time(item.start_s),
                end_time=_time(item.end_s),
                sequence=item.sequence,
                channel=item.channel,
                purpose=purposes.get(SOURCE_PURPOSE.get(item.kind, "")) or default_purpose,
                expected_minutes=minutes,
                source=str(item.kind),
                reason=item.label[:200],
                travel_minutes=min(item.travel_s // 60, 32767),
                distance_m=item.distance_m,
                earliest=item.earliest,
                latest=item.latest,
                missed_deadline=late_by.get((item.customer_id, item.day, item.channel)),
                appointment_by=item.day - dt.timedelta(days=info.lead_days)
                if info and info.lead_days
                else None,
            )
        )
    PlanItem.objects.bulk_create(new_items, batch_size=500)
    if touched:
        PlanItem.objects.bulk_update(touched, ["sequence", "start_time", "end_time", "missed_deadline"])
    UnplannedNeed.objects.bulk_create(
        [
            UnplannedNeed(
                plan=plan,
                customer_id=c.customer_id,
                need_key=c.need_key[:80],
                reason=str(c.reason),
                missing=c.missing,
                label=c.label[:200],
            )
            for c in result.cannot_fit
        ]
    )


def route_day(plan, day: dt.date) -> None:
    """Re-order one day's visits after an edit (R-ROUTE-1): sequence, times and travel follow the route."""
    items = list(plan.items.filter(day=day).select_related("customer").order_by("sequence", "pk"))
    visits = [i for i in items if i.is_visit]
    calls = [i for i in items if not i.is_visit]
    located = [v for v in visits if v.customer.point is not None]
    base, _label = rep_base(plan.owner, [v.customer for v in visits])
    order: dict[int, object] = {}
    if located and base is not None:
        stops = [customer_stop(str(v.pk), v.customer, v.expected_minutes * 60) for v in located]
        route = solve_day_route(day_request(base, stops, day, time_limit=0.01))
        order = {int(v.stop_id): v for v in route.visits}
    sequence = 0
    for item in sorted(visits, key=lambda i: (order[i.pk].sequence if i.pk in order else 10_000, i.pk)):
        sequence += 1
        visit = order.get(item.pk)
        item.sequence = sequence
        item.start_time = _time(visit.start) if visit else None
        item.end_time = _time(visit.departure) if visit else None
        item.travel_minutes = min(visit.travel_s // 60, 32767) if visit else 0
        item.distance_m = visit.distance_m if visit else 0
    for item in calls:
        sequence += 1
        item.sequence = sequence
    PlanItem.objects.bulk_update(
        visits + calls, ["sequence", "start_time", "end_time", "travel_minutes", "distance_m"]
    )
