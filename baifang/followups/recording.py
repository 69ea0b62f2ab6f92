"""Follow-up records, stage moves and touch reminders (R-FU-2, R-FU-3).

A follow-up record always stands on a ``visits.Touch`` of its method's channel, so the one written
rule of docs/obligations.md (``Touch.count_state``) counts it everywhere: live SQL, kept counters,
due lists. A direct visit (直接登门) stands on the on-site visit the follower checked in and out —
a visit is only done with its check-in/out, so the record links it instead of creating one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.models import Notification
from baifang.customers.access import check_can_work_on
from baifang.followups import stages
from baifang.followups.choices import METHOD_CHANNEL, FollowUpMethod
from baifang.followups.models import FollowUpRecord, StageHint, StageMove, StageScheme, TouchReminderRule
from baifang.org.choices import PositionKind
from baifang.tiers.choices import TierSource
from baifang.tiers.models import CustomerTier, Tier
from baifang.visits.choices import Channel
from baifang.visits.models import Touch
from baifang.visits.services import check_touch_time

REFUSALS = {
    stages.SAME_STAGE: lambda: _("The customer is already in this stage."),
    stages.REASON_REQUIRED: lambda: _("Moving the stage back needs a reason."),
    stages.NOT_FOLLOWER: lambda: _("Only the rep who follows the customer moves its stage."),
    stages.NOT_FOLLOWER_MOVED: lambda: _(
        "This scheme is not moved by the follower; ask the market department."
    ),
}


def _is_market_staff(user) -> bool:
    return user.has_position(PositionKind.MARKET_STAFF, PositionKind.ADMIN)


def follower_schemes():
    """Stage schemes the follower moves, with their tiers in order."""
    return (
        StageScheme.objects.filter(moved_by_follower=True, scheme__is_active=True)
        .select_related("scheme")
        .prefetch_related("scheme__tiers__stage_hint")
        .order_by("scheme__name")
    )


def hints_for(tier: Tier | None) -> list[str]:
    """The seed-002 suggested methods of a stage (a hint on the record form)."""
    if tier is None:
        return []
    hint = StageHint.objects.filter(tier=tier).first()
    return hint.method_labels() if hint else []


# -- stage moves --------------------------------------------------------------------------------------


@transaction.atomic
def move_stage(user, customer, tier: Tier, *, reason: str = "", record=None) -> StageMove:
    """Move a customer's stage in a follower-moved scheme; history with who, when, from, to and why.

    Refusals raise ``ValidationError`` with a code from ``stages`` (``same_stage``, ``reason_required``)
    or ``PermissionDenied`` (``not_follower``, ``not_follower_moved``); a refused move changes nothing.
    """
    check_can_work_on(user, customer)
    settings_row = StageScheme.objects.filter(scheme_id=tier.scheme_id).first()
    current = (
        CustomerTier.objects.select_for_update()
        .select_related("tier")
        .filter(customer_id=customer.pk, scheme_id=tier.scheme_id)
        .first()
    )
    from_tier = current.tier if current else None
    move = stages.Move(
        from_rank=from_tier.rank if from_tier else None,
        to_rank=tier.rank,
        reason=reason or "",
        forward_is_lower=settings_row.forward_is_lower if settings_row else True,
    )
    code = stages.refusal(
        move,
        is_follower=customer.owner_id == user.pk,
        follower_moved=bool(settings_row and settings_row.moved_by_follower),
        is_market_staff=_is_market_staff(user),
    )
    if code in (stages.NOT_FOLLOWER, stages.NOT_FOLLOWER_MOVED):
        raise PermissionDenied(REFUSALS[code]())
    if code is not None:
        field = "reason" if code == stages.REASON_REQUIRED else "tier"
        raise ValidationError({field: ValidationError(REFUSALS[code](), code=code)})
    return _apply(customer, from_tier, tier, reason=move.reason.strip(), by=user, record=record, move=move)


def _apply(customer, from_tier, tier, *, reason, by, record=None, move=None, automatic=False) -> StageMove:
    CustomerTier.objects.update_or_create(
        customer_id=customer.pk,
        scheme_id=tier.scheme_id,
        defaults={
            "tier": tier,
            "source": TierSource.MANUAL,
            "reason": reason,
            "assigned_by": by,
            "assigned_at": timezone.now(),
        },
    )
    return StageMove.objects.create(
        customer_id=customer.pk,
        scheme_id=tier.scheme_id,
        from_tier=from_tier,
        to_tier=tier,
        reason=reason,
        backwards=bool(move and stages.is_backward(move)),
        automatic=automatic,
        moved_by=by,
        record=record,
    )


def stage_history(user, customer):
    return (
        StageMove.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("scheme", "from_tier", "to_tier", "moved_by")
    )


@transaction.atomic
def update_lifecycle(customer_id: int, *, orders: int, long_term_contract: bool = False) -> StageMove | None:
    """Move the lifecycle where the data says so (first order → 新签, long-term contract → 长期)."""
    moves = None
    for settings_row in StageScheme.objects.filter(is_lifecycle=True).select_related("scheme"):
        current = (
            CustomerTier.objects.select_for_update()
            .select_related("tier")
            .filter(customer_id=customer_id, scheme_id=settings_row.scheme_id)
            .first()
        )
        target = stages.lifecycle_target(
            current.tier.code if current else None, orders=orders, long_term_contract=long_term_contract
        )
        if target is None:
            continue
        tier = Tier.objects.filter(scheme_id=settings_row.scheme_id, code=target).first()
        if tier is None:
            continue
        from baifang.customers.models import Customer

        customer = Customer.objects.get(pk=customer_id)
        reason = _("First order") if target == stages.LIFECYCLE_NEW else _("Long-term contract")
        moves = _apply(
            customer, current.tier if current else None, tier, reason=reason, by=None, automatic=True
        )
    return moves


# -- follow-up records --------------------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    user,
    customer,
    *,
    method: str,
    topic: str,
    followed_on: dt.date | None = None,
    situation: str = "",
    next_step: str = "",
    next_on: dt.date | None = None,
    stage: Tier | None = None,
    stage_reason: str = "",
    visit: Touch | None = None,
    client_token: str = "",
) -> FollowUpRecord:
    """Record a follow-up (R-FU-2) on a touch of its method's channel; optionally move the stage.

    A double submit (same ``client_token``) answers the record already made. Anything refused
    changes nothing.
    """
    check_can_work_on(user, customer)
    if client_token:
        existing = FollowUpRecord.objects.filter(follower=user, client_token=client_token).first()
        if existing is not None:
            return existing
    if method not in METHOD_CHANNEL:
        raise ValidationError({"method": _("Choose how the customer was followed.")})
    if not (topic or "").strip():
        raise ValidationError({"topic": _("Give the topic of the follow-up.")})
    today = timezone.localdate()
    followed_on = followed_on or today
    if followed_on > today:
        raise ValidationError({"followed_on": _("A follow-up cannot be in the future.")})
    if next_on is not None and next_on < followed_on:
        raise ValidationError({"next_on": _("The next follow-up cannot be before this one.")})
    if method == FollowUpMethod.DIRECT_VISIT:
        touch = _the_visit(user, customer, visit, followed_on)
    else:
        started_at = timezone.make_aware(dt.datetime.combine(followed_on, dt.time(12)))
        if followed_on == today:
            started_at = timezone.now()
        try:
            check_touch_time(started_at)
        except ValidationError as exc:
            raise ValidationError({"followed_on": exc.messages}) from exc
        touch = Touch.objects.create(
            customer=customer,
            user=user,
            channel=METHOD_CHANNEL[method],
            started_at=started_at,
            notes=(topic or "").strip(),
        )
    record = FollowUpRecord(
        customer=customer,
        follower=user,
        touch=touch,
        followed_on=followed_on,
        method=method,
        stage=stage,
        topic=topic.strip(),
        situation=(situation or "").strip(),
        next_step=(next_step or "").strip(),
        next_on=next_on,
        client_token=client_token or "",
    )
    record.full_clean(exclude=["customer", "follower", "touch", "stage"])
    record.save()  # a racing double submit hits the unique token and rolls back entirely
    if stage is not None:
        current = CustomerTier.objects.filter(customer=customer, scheme_id=stage.scheme_id).first()
        if current is None or current.tier_id != stage.pk:
            move_stage(user, customer, stage, reason=stage_reason, record=record)
    return record


def _the_visit(user, customer, visit: Touch | None, day: dt.date) -> Touch:
    if visit is None:
        visit = (
            Touch.objects.filter(
                customer=customer,
                user=user,
                channel=Channel.VISIT,
                started_at__date=day,
                ended_at__isnull=False,
                follow_up__isnull=True,
            )
            .order_by("-started_at")
            .first()
        )
    if (
        visit is None
        or visit.channel != Channel.VISIT
        or visit.customer_id != customer.pk
        or visit.user_id != user.pk
        or visit.ended_at is None
    ):
        raise ValidationError(
            {"method": _("A direct visit is recorded by checking in and out at the customer first.")}
        )
    if FollowUpRecord.objects.filter(touch=visit).exists():
        raise ValidationError({"method": _("This visit already has a follow-up record.")})
    return visit


def records_for(user, customer=None):
    rows = FollowUpRecord.objects.visible_to(user).for_lists()
    return rows.filter(customer=customer) if customer is not None else rows


# -- touch reminders (R-FU-3) --------------------------------------------------------------------------


def send_touch_reminders(today: dt.date | None = None) -> int:
    """Tell each owner which customers were never touched or not touched for their tier's N days.

    One notification per owner, customer and occasion (never / stale since the last touch), so a
    re-run — or two at once — notifies nobody twice (the unique dedup key decides on the database).
    """
    today = today or timezone.localdate()
    rules = {r.tier_id: r.days for r in TouchReminderRule.objects.all()}
    if not rules:
        return 0
    last_touch = (
        Touch.objects.filter(customer=models.OuterRef("customer_id"), count_state="counted")
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    rows = (
        CustomerTier.objects.filter(tier_id__in=rules, customer__owner__isnull=False)
        .annotate(last=models.Subquery(last_touch))
        .values("customer_id", "tier_id", "last", "customer__owner_id", "customer__name")
    )
    messages = []
    users = {}
    for row in rows:
        last = row["last"]
        days = None if last is None else (today - timezone.localdate(last)).days
        kind = stages.reminder_due(days, rules[row["tier_id"]])
        if kind is None:
            continue
        owner_id = row["customer__owner_id"]
        if owner_id not in users:
            users[owner_id] = get_user_model().objects.get(pk=owner_id)
        if kind == "never":
            text = _("%(customer)s has never been touched.") % {"customer": row["customer__name"]}
            key = f"touch-never:{row['customer_id']}"
        else:
            text = _("%(customer)s has not been touched for %(days)s days.") % {
                "customer": row["customer__name"],
                "days": days,
            }
            key = f"touch-stale:{row['customer_id']}:{last:%Y%m%d}"
        messages.append(
            Notification.objects.compose(
                users[owner_id],
                "touch_reminder",
                reverse("customers:detail", args=[row["customer_id"]]),
                text=text,
                dedup_key=key,
            )
        )
    return Notification.objects.send_many(messages)
