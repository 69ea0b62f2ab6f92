"""Rating services: criteria validation, rating with reasons, overrides and batch re-rating (R-TIER-2, 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.customers.models import Customer
from baifang.org.choices import PositionKind
from baifang.tiers import shares
from baifang.tiers.choices import BatchStatus, ProposalDecision, TierSource
from baifang.tiers.criteria import parse_criteria
from baifang.tiers.engine import Criterion, RatingResult, rate
from baifang.tiers.facts import customer_facts
from baifang.tiers.models import (
    ClassificationScheme,
    CustomerTier,
    RatingBatch,
    RatingProposal,
    Tier,
    TierChange,
)


def compiled_tiers(scheme: ClassificationScheme) -> list[tuple[Tier, Criterion | None]]:
    """The scheme's tiers in evaluation order with parsed criteria."""
    return [
        (tier, parse_criteria(tier.criteria) if tier.criteria.strip() else None)
        for tier in scheme.tiers.order_by("rank")
    ]


@dataclass
class Rating:
    customer_id: int
    tier: Tier | None
    result: RatingResult

    @property
    def reason(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.result.reason_en if english else self.result.reason_zh


def rate_customers(scheme: ClassificationScheme, customers, today: dt.date | None = None) -> list[Rating]:
    """Suggested tier and reason for each customer of the queryset (facts read in one query)."""
    today = today or timezone.localdate()
    tiers = compiled_tiers(scheme)
    by_code = {tier.code: tier for tier, _criterion in tiers}
    plan = [(tier.code, criterion) for tier, criterion in tiers]
    ratings = []
    for customer_id, facts in customer_facts(customers, today).items():
        result = rate(plan, facts)
        ratings.append(Rating(customer_id, by_code.get(result.tier) if result.tier else None, result))
    return ratings


def _require_archive_admin(user) -> None:
    if not user.has_position(PositionKind.MARKET_STAFF, PositionKind.ADMIN):
        raise PermissionDenied(_("Only the market department rates customers."))


def _set_tier(customer_id: int, tier: Tier, *, source: str, reason: str, by, batch=None) -> TierChange | None:
    now = timezone.now()
    current = (
        CustomerTier.objects.select_for_update()
        .filter(customer_id=customer_id, scheme_id=tier.scheme_id)
        .first()
    )
    if current is not None and current.tier_id == tier.pk and source == TierSource.RULE:
        return None
    old_tier = current.tier if current else None
    CustomerTier.objects.update_or_create(
        customer_id=customer_id,
        scheme_id=tier.scheme_id,
        defaults={"tier": tier, "source": source, "reason": reason, "assigned_by": by, "assigned_at": now},
    )
    return TierChange.objects.create(
        customer_id=customer_id,
        scheme_id=tier.scheme_id,
        old_tier=old_tier,
        new_tier=tier,
        source=source,
        reason=reason,
        changed_by=by,
        batch=batch,
    )


@transaction.atomic
def override_tier(customer, tier: Tier, *, by, reason: str) -> TierChange:
    """Set a tier by hand; a reason is required and the change is audited (R-TIER-3)."""
    _require_archive_admin(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A manual override needs a reason.")})
    change = _set_tier(customer.pk, tier, source=TierSource.MANUAL, reason=reason.strip(), by=by)
    audit.record(
        AuditAction.OVERRIDE,
        customer,
        user=by,
        after={"scheme": tier.scheme.code, "tier": tier.code},
        message=reason,
    )
    return change


@transaction.atomic
def propose_rerating(
    scheme: ClassificationScheme, customers, *, by, today: dt.date | None = None
) -> RatingBatch:
    """Rate every customer of the queryset and propose the changes for approval (R-TIER-3)."""
    _require_archive_admin(by)
    if not scheme.tiers.exclude(criteria="").exists():
        raise ValidationError(_("This scheme's tiers have no criteria: its customers are rated by hand."))
    ratings = rate_customers(scheme, customers, today)
    current = dict(
        CustomerTier.objects.filter(
            scheme=scheme, customer_id__in=[r.customer_id for r in ratings]
        ).values_list("customer_id", "tier_id")
    )
    batch = RatingBatch.objects.create(scheme=scheme, created_by=by, rated_count=len(ratings))
    RatingProposal.objects.bulk_create(
        [
            RatingProposal(
                batch=batch,
                customer_id=r.customer_id,
                current_tier_id=current.get(r.customer_id),
                proposed_tier=r.tier,
                reason=r.reason,
            )
            for r in ratings
            if r.tier is not None and current.get(r.customer_id) != r.tier.pk
        ],
        batch_size=2000,
    )
    return batch


@transaction.atomic
def apply_batch(batch: RatingBatch, *, by, rejected_ids: set[int] | frozenset[int] = frozenset()) -> int:
    """Apply a batch's proposals except the rejected ones; a batch is decided once (R-TIER-3).

    Set-based: the current tiers are read once and the changes written in bulk, so a company-wide
    re-rating costs a handful of queries per few thousand customers, not several per customer.
    """
    _require_archive_admin(by)
    claimed = RatingBatch.objects.filter(pk=batch.pk, status=BatchStatus.PROPOSED).update(
        status=BatchStatus.APPLIED, decided_by=by, decided_at=timezone.now()
    )
    if claimed != 1:
        raise ValidationError(_("This batch has already been decided."))
    proposals = list(batch.proposals.all())
    current = {
        ct.customer_id: ct
        for ct in CustomerTier.objects.select_for_update().filter(
            scheme_id=batch.scheme_id, customer_id__in=batch.proposals.values("customer_id")
        )
    }
    now = timezone.now()
    to_create, to_update, changes = [], [], []
    for proposal in proposals:
        if proposal.pk in rejected_ids:
            proposal.decision = ProposalDecision.REJECTED
            continue
        proposal.decision = ProposalDecision.ACCEPTED
        existing = current.get(proposal.customer_id)
        if existing is not None and existing.tier_id == proposal.proposed_tier_id:
            continue
        changes.append(
            TierChange(
                customer_id=proposal.customer_id,
                scheme_id=batch.scheme_id,
                old_tier_id=existing.tier_id if existing else None,
                new_tier_id=proposal.proposed_tier_id,
                source=TierSource.RULE,
                reason=proposal.reason,
                changed_by=by,
                batch=batch,
            )
        )
        values = {
            "tier_id": proposal.proposed_tier_id,
            "source": TierSource.RULE,
            "reason": proposal.reason,
            "assigned_by": by,
            "assigned_at": now,
        }
        if existing is None:
            to_create.append(
                CustomerTier(customer_id=proposal.customer_id, scheme_id=batch.scheme_id, **values)
            )
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            to_update.append(existing)
    CustomerTier.objects.bulk_create(to_create, batch_size=2000)
    CustomerTier.objects.bulk_update(
        to_update, ["tier", "source", "reason", "assigned_by", "assigned_at"], batch_size=2000
    )
    TierChange.objects.bulk_create(changes, batch_size=2000)
    RatingProposal.objects.bulk_update(proposals, ["decision"], batch_size=2000)
    audit.record(
        AuditAction.APPROVE, batch, user=by, after={"applied": len(changes), "rejected": len(rejected_ids)}
    )
    batch.refresh_from_db()
    return len(changes)


@transaction.atomic
def discard_batch(batch: RatingBatch, *, by) -> None:
    _require_archive_admin(by)
    if (
        RatingBatch.objects.filter(pk=batch.pk, status=BatchStatus.PROPOSED).update(
            status=BatchStatus.DISCARDED, decided_by=by, decided_at=timezone.now()
        )
        != 1
    ):
        raise ValidationError(_("This batch has already been decided."))


# --- expected shares (R-FREQ-10) ---------------------------------------------------------------------


def tier_shares(scheme: ClassificationScheme, user) -> list[tuple[Tier, shares.Share]]:
    """Each tier of the scheme with its share of the rated customers ``user`` may see (merged ones left
    out) against the share it expects, in one grouped query; drift beyond ``TIER_SHARE_TOLERANCE_POINTS``
    (settings, 1 point) is flagged."""
    tiers = list(scheme.tiers.order_by("rank"))
    visible = Customer.objects.visible_to(user).filter(merged_into__isnull=True).values("pk")
    counted = dict(
        CustomerTier.objects.filter(scheme=scheme, customer__in=visible)
        .values_list("tier_id")
        .annotate(n=models.Count("pk"))
        .values_list("tier_id", "n")
    )
    result = shares.shares(
        {t.code: counted.get(t.pk, 0) for t in tiers},
        {t.code: (t.expected_share_min, t.expected_share_max) for t in tiers},
        settings.BAIFANG.get("TIER_SHARE_TOLERANCE_POINTS", 1),
    )
    return list(zip(tiers, result, strict=True))
