"""A rep's weekly call load by area and their channel width, for a month plan (R-ROUTE-3, R-ROUTE-4).

The adapter from the ORM to ``baifang.routing.call_load`` and ``channel_width_cap``: the rep's
obligations in the windows containing the plan's first day give each customer's calls and visits per
week (a rule's required count over its period); the plan's items give what is planned; the rep's
planning settings (``drafting.plan_settings``) give the capacity. Queries: one obligation query per
rule in force plus a fixed handful, whatever the number of customers or items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from baifang.customers.models import Customer
from baifang.maps.adapters import rep_base
from baifang.plans import drafting
from baifang.plans.choices import ItemChannel
from baifang.plans.models import Plan, PlanPolicy, WorkPattern
from baifang.routing import (
    WEEKS_PER_PERIOD,
    CallLoad,
    ChannelWidth,
    ContactFrequency,
    Period,
    TierFrequency,
    call_load,
    channel_width_cap,
)
from baifang.rules import compliance
from baifang.rules.choices import RuleChannel

# Rule channels that ask for a visit; every other channel is a call (phone, online, SMS, e-mail).
VISIT_RULE_CHANNELS = (RuleChannel.VISIT, RuleChannel.ANY)
# Plan items that are visits (as ``PlanItem.is_visit``); the others are calls.
VISIT_ITEM_CHANNELS = (ItemChannel.VISIT, ItemChannel.INVITED)


@dataclass(frozen=True)
class Area:
    """One area of the rep's territory: the customers called on one working day of a typical week."""

    number: int  # 1-based, as shown
    customers: int
    calls_per_week: float
    call_minutes_per_week: float
    visits_needed_per_week: float
    visits_planned_per_week: float


@dataclass(frozen=True)
class Workload:
    """The rep's weekly load, its areas, and the channel width (cap on the customer count)."""

    load: CallLoad
    areas: tuple[Area, ...]
    width: ChannelWidth
    call_minutes: int
    visits_planned_per_week: float
    calls_planned_per_week: float
    visits_per_week_capacity: float
    calls_per_week_capacity: float
    unlocated: int

    @property
    def call_minutes_per_week(self) -> float:
        return self.load.calls_per_week * self.call_minutes


def frequencies(plan: Plan, customers: list) -> dict[int, tuple[float, float, str]]:
    """{customer id: (calls per week, visits per week, tier)} from the rep's obligations.

    The tier is that of the first rule the customer falls under ("" under none): the channel width
    weighs each tier's mean frequency by its number of customers.
    """
    owner = plan.owner
    scope = compliance.Scope(user=owner, responsible_user=owner)
    rows = compliance.obligations(plan.period_start, scope=scope, today=plan.period_start)
    return _frequencies_of(rows, customers)


def _frequencies_of(rows, customers: list) -> dict[int, tuple[float, float, str]]:
    calls: dict[int, float] = defaultdict(float)
    visits: dict[int, float] = defaultdict(float)
    tiers: dict[int, str] = {}
    for ob in rows:
        per_week = int(ob.required) / WEEKS_PER_PERIOD[Period(ob.rule.period)]
        if ob.rule.channel in VISIT_RULE_CHANNELS:
            visits[ob.customer_id] += per_week
        else:
            calls[ob.customer_id] += per_week
        tiers.setdefault(ob.customer_id, str(ob.rule.tier_id))
    return {c.pk: (calls[c.pk], visits[c.pk], tiers.get(c.pk, "")) for c in customers}


def workload(plan: Plan) -> Workload:
    """The call load by area and the channel width of ``plan``'s rep over its period (R-ROUTE-3, R-ROUTE-4)."""
    owner = plan.owner
    conf = drafting.plan_settings(owner)
    policy = conf["policy"]
    customers = list(
        Customer.objects.filter(owner=owner, merged_into=None)
        .exclude(status__in=drafting.INACTIVE)
        .order_by("pk")
    )
    freq = frequencies(plan, customers)
    days_per_week = max(1, len(conf["visit_weekdays"]))
    base, _label = rep_base(owner, customers)
    load = call_load(
        [
            ContactFrequency(str(c.pk), calls=freq[c.pk][0], visits=freq[c.pk][1], point=c.point)
            for c in customers
        ],
        working_days_per_week=days_per_week,
        base=base,
    )
    weeks = ((plan.period_end - plan.period_start).days + 1) / 7
    planned_visits: dict[str, int] = defaultdict(int)
    planned_calls = 0
    for customer_id, is_visit in _planned(plan):
        if is_visit:
            planned_visits[str(customer_id)] += 1
        else:
            planned_calls += 1
    needed = {str(pk): f[1] for pk, f in freq.items()}
    areas = tuple(
        Area(
            number=day.area + 1,
            customers=len(day.customer_ids),
            calls_per_week=day.expected_calls,
            call_minutes_per_week=day.expected_calls * policy.call_minutes,
            visits_needed_per_week=sum(needed.get(c, 0.0) for c in day.customer_ids),
            visits_planned_per_week=sum(planned_visits.get(c, 0) for c in day.customer_ids) / weeks,
        )
        for day in load.days
        if day.customer_ids
    )
    visit_capacity, call_capacity = _capacities(conf)
    width = _width(customers, freq, conf)
    return Workload(
        load=load,
        areas=areas,
        width=width,
        call_minutes=policy.call_minutes,
        visits_planned_per_week=sum(planned_visits.values()) / weeks,
        calls_planned_per_week=planned_calls / weeks,
        visits_per_week_capacity=visit_capacity,
        calls_per_week_capacity=call_capacity,
        unlocated=len(load.unlocated),
    )


def _capacities(conf: dict) -> tuple[float, float]:
    """Visits and calls a week the rep can make: visit days × the day's capacity, less the reserve."""
    policy = conf["policy"]
    days_per_week = max(1, len(conf["visit_weekdays"]))
    visits = conf["max_visits"] * days_per_week * (1 - policy.reserve_percent / 100)
    return visits, float(policy.max_calls_per_day * days_per_week)


def _width(customers: list, freq: dict[int, tuple[float, float, str]], conf: dict) -> ChannelWidth:
    """The cap on the rep's customer count at their tier mix, and whether it is exceeded (R-ROUTE-4)."""
    visit_capacity, call_capacity = _capacities(conf)
    by_tier: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in customers:
        calls, visits, tier = freq[c.pk]
        by_tier[tier].append((calls, visits))
    return channel_width_cap(
        [
            TierFrequency(
                tier,
                customers=len(rows),
                visits=sum(v for _c, v in rows) / len(rows),
                calls=sum(c for c, _v in rows) / len(rows),
                period=Period.WEEK,
            )
            for tier, rows in sorted(by_tier.items())
        ],
        visits_per_week_capacity=visit_capacity,
        calls_per_week_capacity=call_capacity,
    )


def channel_widths(plans, viewer) -> dict[int, ChannelWidth]:
    """{plan id: the channel width of its rep over its period} for a list of plans (R-ROUTE-4).

    The same figures as ``workload(plan).width``, read for all the plans at once: one obligation query
    per rule in force for each distinct period start, the reps' customers, their work patterns and the
    plan policies: the queries do not grow with the number of plans or reps. The obligations are those
    the viewer may see whose responsible person is the plan's rep.
    """
    plans = list(plans)
    owners = {plan.owner_id: plan.owner for plan in plans}
    if not owners:
        return {}
    customers: dict[int, list] = defaultdict(list)
    for customer in (
        Customer.objects.filter(owner_id__in=owners, merged_into=None)
        .exclude(status__in=drafting.INACTIVE)
        .only("pk", "owner_id")
        .order_by("pk")
    ):
        customers[customer.owner_id].append(customer)
    policies = PlanPolicy.for_users(owners.values())
    patterns = {p.user_id: p for p in WorkPattern.objects.filter(user_id__in=owners)}
    confs = {
        pk: drafting.plan_settings(user, policy=policies[pk], pattern=patterns.get(pk))
        for pk, user in owners.items()
    }
    scope = compliance.Scope(user=viewer)
    rows_by_start: dict = {}
    for start in {plan.period_start for plan in plans}:
        rows_by_start[start] = compliance.obligations(start, scope=scope, today=start)
    widths = {}
    for plan in plans:
        mine = {c.pk for c in customers[plan.owner_id]}
        rows = [
            ob
            for ob in rows_by_start[plan.period_start]
            if ob.responsible_id == plan.owner_id and ob.customer_id in mine
        ]
        freq = _frequencies_of(rows, customers[plan.owner_id])
        widths[plan.pk] = _width(customers[plan.owner_id], freq, confs[plan.owner_id])
    return widths


def _planned(plan: Plan):
    """(customer id, is a visit) of every item of the plan."""
    for customer_id, channel in plan.items.values_list("customer_id", "channel"):
        yield customer_id, channel in VISIT_ITEM_CHANNELS
