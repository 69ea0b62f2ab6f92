"""Admission screening of channel customers through a multi-step approval chain (R-TIER-4)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.org.choices import PositionKind, UnitKind
from baifang.tiers.choices import SCREENING_STAGE_ORDER, ScreeningStage, ScreeningStatus
from baifang.tiers.models import Screening, ScreeningAnswer, ScreeningChecklist, ScreeningDecision


def visible_screenings(user):
    """Screenings of customers the user may see, plus those waiting at the customer-service stage for CS staff."""
    from django.db.models import Q

    from baifang.customers.models import Customer

    condition = Q(customer__in=Customer.objects.visible_to(user).values("pk"))
    if _in_customer_service(user):
        condition |= Q(status=ScreeningStatus.IN_REVIEW, stage=ScreeningStage.CUSTOMER_SERVICE)
    return Screening.objects.filter(condition)


def _in_customer_service(user) -> bool:
    return user.has_position(PositionKind.CS_ASSISTANT) or (
        user.unit is not None and user.unit.get_department().kind == UnitKind.CUSTOMER_SERVICE
    )


def may_decide(user, screening: Screening) -> bool:
    """Who decides each stage: the submitter's supervisor, market staff, the customer-service department, a leader."""
    if screening.status != ScreeningStatus.IN_REVIEW or not user.is_active:
        return False
    if screening.stage == ScreeningStage.REGIONAL:
        supervisor = screening.submitted_by.supervisor
        return supervisor is not None and supervisor.pk == user.pk
    if screening.stage == ScreeningStage.COMMERCE:
        return user.has_position(PositionKind.MARKET_STAFF)
    if screening.stage == ScreeningStage.CUSTOMER_SERVICE:
        return _in_customer_service(user)
    if screening.stage == ScreeningStage.FINAL:
        return user.has_position(PositionKind.LEADER, PositionKind.DEPUTY_LEADER)
    return False


@transaction.atomic
def start(customer, checklist: ScreeningChecklist, *, by) -> Screening:
    screening = Screening.objects.create(customer=customer, checklist=checklist, submitted_by=by)
    ScreeningAnswer.objects.bulk_create(
        [ScreeningAnswer(screening=screening, item_code=item["code"]) for item in checklist.items]
    )
    return screening


@transaction.atomic
def save_answers(screening: Screening, answers: dict[str, dict], *, by) -> Screening:
    """Record the submitter's answers on a draft: {item_code: {"passed", "note", "evidence"}}."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.submitted_by_id != by.pk:
        raise PermissionDenied(_("Only the person who started the screening can answer it."))
    if locked.status != ScreeningStatus.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    for answer in locked.answers.filter(item_code__in=list(answers)):
        values = answers[answer.item_code]
        answer.passed = bool(values.get("passed"))
        answer.note = str(values.get("note", ""))[:300]
        if values.get("evidence") is not None:
            answer.evidence = values["evidence"]
        answer.save()
    return locked


@transaction.atomic
def submit(screening: Screening, *, by) -> Screening:
    """Send a draft into the chain; evidence items that are ticked must carry an attachment."""
    if screening.submitted_by_id != by.pk:
        raise PermissionDenied
    if screening.status != ScreeningStatus.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    needs_evidence = {
        item["code"]: item["label"] for item in screening.checklist.items if item.get("evidence")
    }
    missing = [
        needs_evidence[a.item_code]
        for a in screening.answers.all()
        if a.item_code in needs_evidence and a.passed and not a.evidence
    ]
    if missing:
        raise ValidationError(_("Attach evidence for: %(items)s") % {"items": "、".join(missing)})
    screening.status = ScreeningStatus.IN_REVIEW
    screening.stage = SCREENING_STAGE_ORDER[0]
    screening.save(update_fields=["status", "stage", "updated_at"])
    return screening


@transaction.atomic
def decide(screening: Screening, *, by, approved: bool, note: str = "") -> Screening:
    """Approve (move to the next stage, or admit at the last) or reject; each step is recorded."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if not may_decide(by, locked):
        raise PermissionDenied(_("You cannot decide this screening at its current stage."))
    if not approved and not note.strip():
        raise ValidationError({"note": _("Give a reason for not admitting the customer.")})
    ScreeningDecision.objects.create(
        screening=locked, stage=locked.stage, approved=approved, note=note, decided_by=by
    )
    if not approved:
        locked.status = ScreeningStatus.REJECTED
    else:
        position = SCREENING_STAGE_ORDER.index(locked.stage)
        if position + 1 < len(SCREENING_STAGE_ORDER):
            locked.stage = SCREENING_STAGE_ORDER[position + 1]
        else:
            locked.status = ScreeningStatus.APPROVED
    locked.save(update_fields=["status", "stage", "updated_at"])
    audit.record(AuditAction.APPROVE if approved else AuditAction.REJECT, locked, user=by, message=note)
    return locked
