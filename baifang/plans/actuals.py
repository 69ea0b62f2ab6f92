"""Plan vs. actual at every level (R-PLAN-3, R-KPI-1 plan completion): items matched to the rep's touches.

An item is *done* when the rep recorded a touch of a matching channel with that customer on that
day, *done on another day* when it happened elsewhere in the plan's period, *missed* when its day
has passed without either, and *open* otherwise. Touches with no item are *unplanned*. A touch made
for an item while its plan was not approved is counted as "executed before approval" (R-PLAN-2).

Only touches that count as done match (R-VISIT-8: a visit checked out, and accepted on review when
it carries a serious flag). An item whose only touch waits for its supervisor's review stays open
or missed, marked ``pending_review``; open visits and rejected ones are neither done nor unplanned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.plans.choices import PlanStatus
from baifang.plans.models import Plan, PlanItem
from baifang.visits.choices import CountState
from baifang.visits.models import Touch

DONE, ELSEWHERE, MISSED, OPEN = "done", "elsewhere", "missed", "open"
VISIT_TOUCHES = ("visit", "invited")
REMOTE_TOUCHES = ("phone", "online", "sms", "email")


def channel_group(channel: str) -> str:
    return "visit" if channel in VISIT_TOUCHES else "remote"


@dataclass
class ItemOutcome:
    item: PlanItem
    status: str
    touch_id: int | None = None
    before_approval: bool = False
    pending_review: bool = False  # a flagged visit for it waits for the supervisor (R-VISIT-8)

    @property
    def is_settled(self) -> bool:
        """Done, done elsewhere or missed: the plan page marks it (an open item shows no mark)."""
        return self.status != OPEN

    @property
    def mark(self) -> str:
        return {DONE: "✓", ELSEWHERE: "↷"}.get(self.status, "✗")

    @property
    def title(self) -> str:
        labels = {DONE: _("done"), ELSEWHERE: _("done on another day")}
        return str(labels.get(self.status, _("missed")))


@dataclass
class PlanActuals:
    """Plan vs. actual for one plan."""

    plan: Plan
    outcomes: list[ItemOutcome]
    unplanned: list[Touch] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def planned(self) -> int:
        return len(self.outcomes)

    @property
    def done(self) -> int:
        return self.count(DONE)

    @property
    def completion(self) -> float | None:
        """Planned items done on their day ÷ planned items (R-KPI-1 plan completion rate)."""
        return self.done / self.planned if self.planned else None

    @property
    def before_approval(self) -> int:
        return sum(1 for o in self.outcomes if o.before_approval)

    @property
    def pending_review(self) -> int:
        return sum(1 for o in self.outcomes if o.pending_review)


def _bounds(first: dt.date, last: dt.date):
    lo = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return lo, hi


def _match(items, touches: list[Touch]) -> tuple[dict[int, Touch], dict[int, Touch]]:
    """Items matched to touches: same day first, then another day of the period; ({item pk: touch}, free)."""
    free = {t.pk: t for t in touches}
    # Candidates per (customer, kind of touch), in time order, so matching never scans every touch.
    candidates: dict[tuple[int, str], list[Touch]] = defaultdict(list)
    for t in touches:
        candidates[(t.customer_id, channel_group(t.channel))].append(t)
    matched: dict[int, Touch] = {}
    for same_day in (True, False):
        for item in items:
            if item.pk in matched:
                continue
            for t in candidates[(item.customer_id, channel_group(item.channel))]:
                if t.pk not in free or (same_day and timezone.localdate(t.started_at) != item.day):
                    continue
                matched[item.pk] = free.pop(t.pk)
                break
    return matched, free


def plan_actuals(plan: Plan, *, today: dt.date | None = None) -> PlanActuals:
    """Match a plan's items to the owner's touches in its period (two queries)."""
    today = today or timezone.localdate()
    items = list(plan.items.select_related("customer", "purpose").order_by("day", "sequence", "pk"))
    lo, hi = _bounds(plan.period_start, plan.period_end)
    touches = list(
        Touch.objects.filter(user_id=plan.owner_id, started_at__gte=lo, started_at__lt=hi)
        .filter(count_state__in=(CountState.COUNTED, CountState.PENDING_REVIEW))
        .select_related("customer")
        .order_by("started_at", "pk")
    )
    matched, free = _match(items, [t for t in touches if t.count_state == CountState.COUNTED])
    # Then the visits waiting for review, to the items still without a touch (R-VISIT-8).
    waiting, _rest = _match(
        [item for item in items if item.pk not in matched],
        [t for t in touches if t.count_state == CountState.PENDING_REVIEW],
    )
    outcomes: list[ItemOutcome] = []
    approved_at = plan.approved_at if plan.status == PlanStatus.APPROVED else None
    for item in items:
        touch = matched.get(item.pk)
        if touch is None:
            status = MISSED if item.day < today else OPEN
            pending = waiting.get(item.pk)
            outcomes.append(
                ItemOutcome(item, status, pending.pk if pending else None, pending_review=pending is not None)
            )
            continue
        status = DONE if timezone.localdate(touch.started_at) == item.day else ELSEWHERE
        early = approved_at is None or touch.started_at < approved_at
        outcomes.append(ItemOutcome(item, status, touch.pk, early))
    return PlanActuals(plan, outcomes, list(free.values()))


@dataclass
class RepRow:
    """One rep's line of the plan vs. actual report."""

    plan: Plan
    planned: int
    done: int
    touches: int

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None

    @property
    def unplanned(self) -> int:
        return max(0, self.touches - self.done)


def report(plans) -> list[RepRow]:
    """Plan vs. actual per plan in SQL: planned items, items done on their day, touches in the period.

    ``plans`` is a queryset (already limited to what the viewer may see). Three aggregate queries
    in all, whatever the number of plans.
    """
    plans = list(plans.select_related("owner", "owner__unit"))
    if not plans:
        return []
    ids = [p.pk for p in plans]
    done_touch = Touch.objects.counted().filter(
        user_id=models.OuterRef("plan__owner_id"),
        customer_id=models.OuterRef("customer_id"),
        started_at__date=models.OuterRef("day"),
    )
    counts = {
        row["plan_id"]: row
        for row in PlanItem.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(
            planned=models.Count("pk"),
            done=models.Count(
                "pk",
                filter=(
                    models.Q(channel__in=VISIT_TOUCHES)
                    & models.Q(models.Exists(done_touch.filter(channel__in=VISIT_TOUCHES)))
                )
                | (
                    ~models.Q(channel__in=VISIT_TOUCHES)
                    & models.Q(models.Exists(done_touch.exclude(channel__in=VISIT_TOUCHES)))
                ),
            ),
        )
    }
    first = min(p.period_start for p in plans)
    last = max(p.period_end for p in plans)
    lo, hi = _bounds(first, last)
    per_day: dict[int, dict[dt.date, int]] = {}
    for row in (
        Touch.objects.counted()
        .filter(user_id__in={p.owner_id for p in plans}, started_at__gte=lo, started_at__lt=hi)
        .annotate(d=TruncDate("started_at"))
        .values("user_id", "d")
        .annotate(n=models.Count("pk"))
    ):
        per_day.setdefault(row["user_id"], {})[row["d"]] = row["n"]
    rows = []
    for p in plans:
        c = counts.get(p.pk, {"planned": 0, "done": 0})
        days = per_day.get(p.owner_id, {})
        touches = sum(n for d, n in days.items() if p.period_start <= d <= p.period_end)
        rows.append(RepRow(p, c["planned"], c["done"], touches))
    return rows
