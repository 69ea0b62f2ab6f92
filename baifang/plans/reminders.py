"""Plan reminders (R-PLAN-3, R-PLAN-5): deadlines coming up, late plans, and the month rhythm.

Every reminder carries a deduplication key and is sent with ``Notification.objects.send_many`` (one
query), so a task that runs twice (or on two workers) never notifies twice.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from baifang.core.calendar import calendar_for
from baifang.core.models import Notification
from baifang.org.choices import PositionKind
from baifang.org.models import User
from baifang.plans import periods
from baifang.plans.choices import PlanKind, PlanStatus
from baifang.plans.models import Plan, PlanPolicy, RhythmReminder

DONE = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
RHYTHM_LINKS = {"report": "plans:report", "month": "plans:index", "week": "plans:index", "day": "plans:index"}


def planners():
    """Who makes plans: active users holding a field-rep position."""
    return (
        User.objects.filter(is_active=True, assignments__position__kind=PositionKind.FIELD_REP)
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )


class _Policies:
    """The policy of each user's unit, resolved once per unit."""

    def __init__(self):
        self.by_unit: dict[int | None, PlanPolicy] = {}

    def of(self, user) -> PlanPolicy:
        key = user.unit_id
        if key not in self.by_unit:
            self.by_unit[key] = PlanPolicy.for_user(user)
        return self.by_unit[key]


def _upcoming(today: dt.date, cal) -> list[tuple[str, dt.date]]:
    """The periods whose plans may be due around ``today``: this and next month, next week, the next working day."""
    return [
        (PlanKind.MONTH, periods.month_start(today)),
        (PlanKind.MONTH, periods.next_month(today)),
        (PlanKind.WEEK, periods.week_start(today) + dt.timedelta(days=7)),
        (PlanKind.DAY, cal.add_workdays(today, 1)),
    ]


def _in_use(kind: str, policy) -> bool:
    return (
        kind == PlanKind.MONTH
        or (kind == PlanKind.WEEK and policy.weekly_plans)
        or (kind == PlanKind.DAY and policy.daily_plans)
    )


def deadline_reminders(today: dt.date) -> int:
    """Remind reps of plans due soon, and tell rep and supervisor once a plan is late. Returns rows offered."""
    reps = list(planners())
    policies = _Policies()
    cal = calendar_for(today - dt.timedelta(days=40), today + dt.timedelta(days=40))
    rows: list[Notification | None] = []
    for kind, start in _upcoming(today, cal):
        status = dict(
            Plan.objects.filter(owner__in=reps, kind=kind, period_start=start).values_list(
                "owner_id", "status"
            )
        )
        label = (
            f"{PlanKind(kind).label} {start:%Y-%m}"
            if kind == PlanKind.MONTH
            else f"{PlanKind(kind).label} {start:%m-%d}"
        )
        for rep in reps:
            if status.get(rep.pk) in DONE:
                continue
            policy = policies.of(rep)
            if not _in_use(kind, policy):
                continue
            due = periods.deadline(kind, start, policy)
            url = reverse("plans:open", args=[kind, start.isoformat()])
            remind_from = cal.add_workdays(due, -policy.reminder_workdays)
            if remind_from <= today <= due:
                rows.append(
                    Notification.objects.compose(
                        rep,
                        "plan_due",
                        url,
                        text=_("Your %(plan)s is due on %(day)s.") % {"plan": label, "day": due.isoformat()},
                        dedup_key=f"plan-due:{kind}:{start}:{due}",
                    )
                )
            elif due < today <= periods.bounds(kind, start)[1]:  # late until the period is over
                text = _("%(rep)s's %(plan)s is late (due %(day)s).") % {
                    "rep": rep,
                    "plan": label,
                    "day": due.isoformat(),
                }
                rows.append(
                    Notification.objects.compose(
                        rep, "plan_late", url, text=text, dedup_key=f"plan-late:{kind}:{start}"
                    )
                )
                rows.append(
                    Notification.objects.compose(
                        rep.supervisor,
                        "plan_late",
                        reverse("plans:approvals"),
                        text=text,
                        dedup_key=f"plan-late:{kind}:{start}:{rep.pk}",
                    )
                )
    return Notification.objects.send_many(rows)


def rhythm_reminders(today: dt.date) -> int:
    """The month rhythm of R-PLAN-5: each active step firing today reaches the reps under its policy."""
    steps = list(RhythmReminder.objects.filter(is_active=True).select_related("policy"))
    if not steps:
        return 0
    last_workday = periods.last_workday_of_month(today)
    policies = _Policies()
    rows = []
    for rep in planners():
        policy = policies.of(rep)
        for step in steps:
            if step.policy_id != policy.pk or not step.fires_on(today, last_workday):
                continue
            rows.append(
                Notification.objects.compose(
                    rep,
                    "plan_rhythm",
                    reverse(RHYTHM_LINKS.get(step.link, "plans:index")),
                    text=step.text,
                    dedup_key=f"rhythm:{step.pk}:{today}",
                )
            )
    return Notification.objects.send_many(rows)
