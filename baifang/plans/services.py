"""Plan services: create, generate, edit with optimistic locking, submit / approve / return, refine (R-PLAN-1..4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.calendar import calendar_for
from baifang.core.choices import AuditAction
from baifang.core.models import Notification
from baifang.customers.models import Customer
from baifang.plans import drafting, periods
from baifang.plans import generate as gen
from baifang.plans.choices import ItemSource, PlanKind, PlanStatus
from baifang.plans.models import (
    Plan,
    PlanItem,
    PlanPolicy,
    PlanVersion,
    StaleVersion,
    makes_plans,
)

# The fields of R-PLAN-1 a rep (or the approver) may edit on an item.
ITEM_FIELDS = (
    "customer",
    "day",
    "start_time",
    "end_time",
    "channel",
    "purpose",
    "place",
    "expected_minutes",
    "expected_outcome",
    "participants",
    "agenda",
    "materials",
)


# --- creating -----------------------------------------------------------------------------------
def get_or_create_plan(owner, kind: str, day: dt.date) -> Plan:
    """The owner's plan of ``kind`` for the period containing ``day`` (created as a draft if missing)."""
    start, end = periods.bounds(kind, day)
    plan = Plan.objects.filter(owner=owner, kind=kind, period_start=start).first()
    if plan is not None:
        return plan
    parent = None
    if kind == PlanKind.WEEK:
        parent = Plan.objects.filter(
            owner=owner, kind=PlanKind.MONTH, period_start=periods.month_start(start)
        ).first()
    elif kind == PlanKind.DAY:
        parent = Plan.objects.filter(
            owner=owner, kind=PlanKind.WEEK, period_start=periods.week_start(start)
        ).first()
    deadline = periods.deadline(kind, start, PlanPolicy.for_user(owner))
    try:
        with transaction.atomic():
            return Plan.objects.create(
                owner=owner, kind=kind, period_start=start, period_end=end, parent=parent, deadline=deadline
            )
    except IntegrityError:  # created by a concurrent request
        return Plan.objects.get(owner=owner, kind=kind, period_start=start)


def open_own_plan(user, kind: str, day: dt.date, *, refine_above: bool = True) -> Plan:
    """Create (or find) the caller's own plan of ``kind`` for the period containing ``day``.

    Only people who keep plans get one (R-PLAN-3): an administrator, leader or market user who opens
    a plan page is refused rather than given an empty draft that would count in plan vs. actual.
    A week or day plan refines the plan above when there is one.
    """
    if not makes_plans(user):
        raise PermissionDenied(_("Only reps and people who look after customers keep visit plans."))
    if kind == PlanKind.MONTH or not refine_above:
        return get_or_create_plan(user, kind, day)
    try:
        return refine(user, kind, day, by=user)
    except ValidationError:  # nothing above to refine yet: an empty plan of that period
        return get_or_create_plan(user, kind, day)


def may_edit(user, plan: Plan) -> bool:
    """The rep edits a draft or returned plan; the approver edits a submitted one (R-PLAN-2)."""
    return plan.can_edit(user)


def _lock(plan: Plan, expected: int | None) -> Plan:
    """Re-read the plan under a row lock; refuse when someone changed it since ``expected``."""
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected is not None and current.lock_version != expected:
        raise StaleVersion(
            _(
                "Someone else changed this plan in the meantime. Reload the page to see their changes, then try again."
            )
        )
    return current


def _touch(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(
        lock_version=models.F("lock_version") + 1, updated_at=timezone.now()
    )
    plan.refresh_from_db(fields=["lock_version", "updated_at"])


@transaction.atomic
def generate_month(
    plan: Plan, *, by, lock_version: int | None = None, today: dt.date | None = None
) -> gen.GeneratedPlan:
    """Draft (or redraft) a month plan from the rep's obligations (R-PLAN-4); hand-added items are kept."""
    if plan.kind != PlanKind.MONTH:
        raise ValidationError(_("Only a monthly plan is generated; weekly and daily plans refine it."))
    plan = _lock(plan, lock_version)
    if not plan.can_generate(by):  # the approver edits items, never redrafts
        raise PermissionDenied
    request = drafting.build_request(plan, today=today)
    result = gen.generate(request)
    drafting.write_generated(
        plan, result, {c.id: c for c in request.customers}, first=max(plan.period_start, request.today)
    )
    plan.generated_at = timezone.now()
    plan.lock_version += 1
    plan.save(update_fields=["generated_at", "lock_version", "updated_at"])
    return result


# --- editing ------------------------------------------------------------------------------------
def _check_item(plan: Plan, by, values: dict) -> None:
    day = values.get("day")
    if day is not None:
        if not plan.period_start <= day <= plan.period_end:
            raise ValidationError(
                {"day": _("The date must fall within the plan (%(period)s).") % {"period": plan.period_label}}
            )
        if not calendar_for(day, day).is_workday(day):
            raise ValidationError({"day": _("%(day)s is not a working day.") % {"day": day.isoformat()}})
    customer = values.get("customer")
    if customer is not None:
        visible = Customer.objects.workable_by(plan.owner).filter(pk=customer.pk).exists()
        if not visible or not Customer.objects.visible_to(by).filter(pk=customer.pk).exists():
            raise ValidationError({"customer": _("This customer is not one the rep looks after.")})
    start, end = values.get("start_time"), values.get("end_time")
    if start and end and end <= start:
        raise ValidationError({"end_time": _("The end time must be after the start time.")})


@transaction.atomic
def add_item(plan: Plan, *, by, lock_version: int | None, **values) -> PlanItem:
    plan = _lock(plan, lock_version)
    if not may_edit(by, plan):
        raise PermissionDenied
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown item fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "customer" not in values or "day" not in values:
        raise ValidationError(_("An item needs a customer and a date."))
    _check_item(plan, by, values)
    sequence = (plan.items.filter(day=values["day"]).aggregate(m=models.Max("sequence"))["m"] or 0) + 1
    item = PlanItem(plan=plan, source=ItemSource.MANUAL, sequence=sequence, **values)
    item.full_clean(exclude=["plan"])
    item.save()
    if not values.get("start_time"):
        drafting.route_day(plan, item.day)
    _touch(plan)
    return item


@transaction.atomic
def update_item(item: PlanItem, *, by, lock_version: int | None, **values) -> PlanItem:
    plan = _lock(item.plan, lock_version)
    if not may_edit(by, plan):
        raise PermissionDenied
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown item fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_item(plan, by, values)
    item = PlanItem.objects.get(pk=item.pk, plan=plan)
    old_day = item.day
    for name, value in values.items():
        setattr(item, name, value)
    item.edited = True  # a generated item the rep moved or changed is kept on regeneration
    if item.missed_deadline is not None and item.day <= item.missed_deadline:
        item.missed_deadline = None  # moved onto or before its deadline: no longer late
    item.full_clean(exclude=["plan"])
    item.save()
    if item.day != old_day:  # both days are routed again: order, times and travel follow
        drafting.route_day(plan, old_day)
        drafting.route_day(plan, item.day)
        item.refresh_from_db()
    _touch(plan)
    return item


def leaves_its_window(item: PlanItem) -> bool:
    """True when an item sits outside the days its obligation allows (the rep moved it there)."""
    return bool(item.earliest and item.latest and not item.earliest <= item.day <= item.latest)


def move_item(item: PlanItem, day: dt.date, *, by, lock_version: int | None) -> PlanItem:
    """Drag an item to another day (the rep's edit of the draft)."""
    return update_item(item, by=by, lock_version=lock_version, day=day)


@transaction.atomic
def remove_item(item: PlanItem, *, by, lock_version: int | None) -> None:
    plan = _lock(item.plan, lock_version)
    if not may_edit(by, plan):
        raise PermissionDenied
    PlanItem.objects.filter(pk=item.pk, plan=plan).delete()
    drafting.route_day(plan, item.day)
    _touch(plan)


# --- approval -----------------------------------------------------------------------------------
def approval_queue(user):
    """Submitted plans waiting for ``user``, oldest first (R-PLAN-2)."""
    return (
        Plan.objects.filter(status=PlanStatus.SUBMITTED)
        .approvable_by(user)
        .select_related("owner", "owner__unit")
        .annotate(item_count=models.Count("items"))
        .order_by("submitted_at", "pk")
    )


def snapshot(plan: Plan) -> list[dict]:
    return [i.snapshot() for i in plan.items.select_related("customer").order_by("day", "sequence", "pk")]


@transaction.atomic
def submit(plan: Plan, *, by, lock_version: int | None = None, comment: str = "") -> Plan:
    """The rep submits; the items are kept as a version and the supervisor is told (R-PLAN-2, R-PLAN-3)."""
    plan = _lock(plan, lock_version)
    plan.workflow.check(plan, "submit", by=by)
    if not plan.items.exists():
        raise ValidationError(_("An empty plan cannot be submitted: generate it or add items first."))
    plan.submit(by=by, comment=comment)
    PlanVersion.objects.create(plan=plan, number=plan.version, items=snapshot(plan), created_by=by)
    late = _(" (late)") if plan.is_late else ""
    Notification.objects.send(
        by.supervisor,
        "plan_submitted",
        plan,
        text=_("%(rep)s submitted %(plan)s%(late)s")
        % {"rep": by, "plan": plan.get_kind_display() + " " + plan.period_label, "late": late},
        dedup_key=f"plan-submitted:{plan.pk}:{plan.version}",
    )
    return plan


def _decided(plan: Plan, version: int, status: str) -> bool:
    """The decision on ``version`` was already taken (a double click, a retry): nothing to do again.

    When the approver had edited the items, the decision is on their version, made from ``version``.
    """
    if plan.status != status:
        return False
    if plan.version == version:
        return True
    return plan.versions.filter(number=plan.version, based_on=version).exclude(created_by=plan.owner).exists()


def _check_decision(plan: Plan, version: int) -> None:
    if plan.version != version or plan.status != PlanStatus.SUBMITTED:
        raise StaleVersion(
            _(
                "The plan changed since you opened it (now version %(v)d, %(status)s). Reload and review it again."
            )
            % {"v": plan.version, "status": plan.get_status_display()}
        )


@transaction.atomic
def approve(plan: Plan, *, by, version: int, comment: str = "") -> Plan:
    """Approve the submitted ``version``; approving it again is a no-op, not a second approval."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.workflow.may(plan, "approve", by):
        raise PermissionDenied
    if _decided(plan, version, PlanStatus.APPROVED):
        return plan
    _check_decision(plan, version)
    _record_approver_edits(plan, by)
    plan.approve(by=by, comment=comment)  # audited by the workflow
    Notification.objects.send(
        plan.owner,
        "plan_approved",
        plan,
        text=_("Your %(plan)s was approved") % {"plan": plan.get_kind_display() + " " + plan.period_label},
        dedup_key=f"plan-approved:{plan.pk}:{version}",
    )
    return plan


@transaction.atomic
def return_plan(plan: Plan, *, by, version: int, reason: str) -> Plan:
    """Return the submitted ``version`` to the rep with comments (R-PLAN-2)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.workflow.may(plan, "return", by):
        raise PermissionDenied
    if _decided(plan, version, PlanStatus.RETURNED):
        return plan
    _check_decision(plan, version)
    _record_approver_edits(plan, by)
    plan.return_(by=by, reason=reason)  # audited by the workflow
    Notification.objects.send(
        plan.owner,
        "plan_returned",
        plan,
        text=_("Your %(plan)s was returned: %(reason)s")
        % {"plan": plan.get_kind_display() + " " + plan.period_label, "reason": reason},
        dedup_key=f"plan-returned:{plan.pk}:{version}",
    )
    return plan


def _record_approver_edits(plan: Plan, by) -> None:
    """When the approver edited the submitted items, their edit becomes a new version of its own.

    The version the rep submitted stays as submitted (R-PLAN-2): the rep, the approver and the diff
    see both, and the decision is taken on the approver's version.
    """
    current = snapshot(plan)
    submitted = plan.versions.filter(number=plan.version).first()
    if submitted is None or submitted.items == current:
        return
    based_on = plan.version
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    PlanVersion.objects.create(
        plan=plan, number=plan.version, items=current, created_by=by, based_on=based_on
    )
    audit.record(
        AuditAction.UPDATE,
        plan,
        user=by,
        message=_("Items edited by the approver: version %(new)d made from version %(old)d")
        % {"new": plan.version, "old": based_on},
    )


@transaction.atomic
def reopen(plan: Plan, *, by, lock_version: int | None = None, reason: str = "") -> Plan:
    """The rep reopens an approved plan to change it; it must then be approved again."""
    plan = _lock(plan, lock_version)
    plan.reopen(
        by=by, reason=reason
    )  # the rep only, an approved plan only (PermissionDenied, InvalidTransition)
    return plan


# What an item change is made of, besides its day (a change of day is a move).
DIFF_FIELDS = ("start", "purpose", "minutes", "outcome", "agenda")


def diff(plan: Plan, number: int | None = None) -> dict:
    """What changed in version ``number`` (default: the latest) against the version before it.

    Items are compared one by one by their identity: the item's id, which stays when the rep or the
    approver moves or edits it. An item regenerated in between has a new id; it is the same planned
    touch when customer, channel and day are the same. A matched item on another day is *moved*;
    other differences are *changed*. Returns added / removed / moved / changed lists.
    """
    versions = {v.number: v for v in plan.versions.order_by("number")}
    number = number or plan.version
    new = versions.get(number)
    old = versions.get(number - 1)
    if new is None:
        return {"added": [], "removed": [], "moved": [], "changed": [], "base": None}
    new_items = new.items if plan.status != PlanStatus.SUBMITTED or number != plan.version else snapshot(plan)
    if old is None:
        return {"added": new_items, "removed": [], "moved": [], "changed": [], "base": None}
    return {**compare_items(old.items, new_items), "base": old.number}


def compare_items(old_items: list[dict], new_items: list[dict]) -> dict:
    """Item-by-item comparison of two snapshots (see :func:`diff`)."""
    old_by_id = {i["id"]: i for i in old_items if i.get("id") is not None}
    pairs, added = [], []
    for item in new_items:
        before = old_by_id.pop(item.get("id"), None) if item.get("id") is not None else None
        if before is None:
            added.append(item)
        else:
            pairs.append((before, item))
    removed = [i for i in old_items if i.get("id") is None or i["id"] in old_by_id]

    def touch(i: dict) -> tuple:
        return (i["customer"], i["channel"], i["day"])

    leftovers: dict[tuple, list[dict]] = {}
    for item in removed:
        leftovers.setdefault(touch(item), []).append(item)
    still_added = []
    for item in added:  # the same touch under a new id (regenerated): not an addition
        same = leftovers.get(touch(item))
        if same:
            pairs.append((same.pop(0), item))
        else:
            still_added.append(item)
    removed = [i for rest in leftovers.values() for i in rest]
    moved, changed = [], []
    for before, item in pairs:
        if before["day"] != item["day"]:
            moved.append({**item, "from_day": before["day"]})
        elif any(before.get(k) != item.get(k) for k in DIFF_FIELDS):
            changed.append({**item, "before": before})

    def order(items: list[dict]) -> list[dict]:
        return sorted(items, key=lambda i: (i["day"], i["customer"], i.get("id") or 0))

    return {
        "added": order(still_added),
        "removed": order(removed),
        "moved": order(moved),
        "changed": order(changed),
    }


# --- refining -----------------------------------------------------------------------------------
@transaction.atomic
def refine(owner, kind: str, day: dt.date, *, by) -> Plan:
    """Create the week (or day) plan from the plan above: its items of that period are copied (R-PLAN-3)."""
    if kind not in (PlanKind.WEEK, PlanKind.DAY):
        raise ValidationError(_("Only weekly and daily plans refine another plan."))
    if by.pk != owner.pk or not makes_plans(owner):
        raise PermissionDenied
    above_kind = PlanKind.MONTH if kind == PlanKind.WEEK else PlanKind.WEEK
    above_start = periods.bounds(above_kind, day)[0]
    above = Plan.objects.filter(owner=owner, kind=above_kind, period_start=above_start).first()
    if kind == PlanKind.DAY and (above is None or not above.items.exists()):
        try:  # a day plan refines the week, which refines the month
            above = refine(owner, PlanKind.WEEK, day, by=by)
        except ValidationError:
            above = None
    plan = get_or_create_plan(owner, kind, day)
    if plan.parent_id is None and above is not None:
        plan.parent = above
        plan.save(update_fields=["parent", "updated_at"])
    if plan.items.exists():
        return plan
    if plan.parent is None:
        raise ValidationError(_("There is no plan above this one to refine yet."))
    copies = [
        PlanItem(
            plan=plan,
            source=ItemSource.REFINED,
            reason=item.reason,
            **{f: getattr(item, f) for f in ITEM_FIELDS if f not in ("customer", "purpose")},
            customer_id=item.customer_id,
            purpose_id=item.purpose_id,
            sequence=item.sequence,
            appointment_by=item.appointment_by,
            travel_minutes=item.travel_minutes,
            distance_m=item.distance_m,
        )
        for item in plan.parent.items.filter(day__gte=plan.period_start, day__lte=plan.period_end)
    ]
    PlanItem.objects.bulk_create(copies)
    _touch(plan)
    return plan


@transaction.atomic
def write_summary(plan: Plan, *, by, text: str) -> Plan:
    """The rep's summary and analysis of a period (monthly on the 1st, weekly on Monday: R-PLAN-5)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if by.pk != plan.owner_id:
        raise PermissionDenied
    if timezone.localdate() < plan.period_start:
        raise ValidationError(_("A summary can be written once the period has begun."))
    plan.summary, plan.summary_at = text.strip(), timezone.now()
    plan.save(update_fields=["summary", "summary_at", "updated_at"])
    return plan
