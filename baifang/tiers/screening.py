"""Admission screening of channel customers through a multi-step approval chain (R-TIER-4)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baifang.tiers.choices import ScreeningStage, ScreeningStatus
from baifang.tiers.models import Screening, ScreeningAnswer, ScreeningChecklist, in_customer_service


def visible_screenings(user):
    """Screenings of customers the user may see, plus those waiting at the customer-service stage for CS staff."""
    from django.db.models import Q

    from baifang.customers.models import Customer

    condition = Q(customer__in=Customer.objects.visible_to(user).values("pk"))
    if in_customer_service(user):
        condition |= Q(status=ScreeningStatus.IN_REVIEW, stage=ScreeningStage.CUSTOMER_SERVICE)
    return Screening.objects.filter(condition)


def may_decide(user, screening: Screening) -> bool:
    """Whether ``user`` decides the screening's current stage now (R-TIER-4; see Screening.workflow)."""
    return screening.can_approve(user)


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
    if not locked.can_answer(by):
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
    """Send a draft into the chain (Screening.submit)."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    locked.submit(by=by)
    screening.refresh_from_db()
    return locked


@transaction.atomic
def decide(screening: Screening, *, by, approved: bool, note: str = "") -> Screening:
    """Approve (move to the next stage, or admit at the last) or reject; each step is recorded."""
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if approved:
        locked.approve(by=by, note=note)
    else:
        locked.reject(by=by, note=note)
    return locked
