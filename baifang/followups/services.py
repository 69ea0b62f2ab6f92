"""Follow-up services: open questions answered within 3 working days (R-VISIT-7), commitments from
visit records (R-FU-1), and their reminders."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.core.validators import validate_due_date
from baifang.customers.access import can_edit
from baifang.followups import conf
from baifang.followups.models import Commitment, OpenQuestion
from baifang.visits.models import Touch, VisitRecord

# -- open questions (R-VISIT-7) --------------------------------------------------------------------


def question_due_on(asked_on: dt.date) -> dt.date:
    """The answer is due 3 Chinese working days after the day it was asked (R-VISIT-7)."""
    return add_workdays(asked_on, int(conf.setting("QUESTION_ANSWER_WORKDAYS")))


@transaction.atomic
def record_question(user, touch: Touch, *, text: str, asked_by_name: str = "") -> OpenQuestion:
    """Record a question the rep could not answer at the touch; the rep owns the answer (R-VISIT-7)."""
    if touch.user_id != user.pk:
        raise PermissionDenied
    question = OpenQuestion(
        customer_id=touch.customer_id,
        touch=touch,
        text=(text or "").strip(),
        asked_by_name=(asked_by_name or "").strip(),
        owner=user,
        due_on=question_due_on(timezone.localdate(touch.started_at)),
        created_by=user,
    )
    question.full_clean(exclude=["customer", "touch", "owner", "created_by", "answered_by"])
    question.save()
    return question


@transaction.atomic
def answer_question(user, question: OpenQuestion, *, text: str) -> OpenQuestion:
    """Answer an open question: its owner, or someone who may edit the customer; the owner is told (R-VISIT-7).

    Readers do not answer: neither a read-only archive grant (R-ARCH-8) nor the company leader.
    """
    if question.owner_id != user.pk and not can_edit(user, question.customer):
        raise PermissionDenied
    question = OpenQuestion.objects.select_for_update().get(pk=question.pk)
    question.mark_answered(by=user, text=text)
    if question.owner_id != user.pk:
        Notification.objects.send(
            question.owner,
            "question_answered",
            reverse("followups:question", args=[question.pk]),
            text=_("%(who)s answered the question of %(customer)s: %(text)s")
            % {"who": user, "customer": question.customer, "text": question.text},
            dedup_key=f"question-answered:{question.pk}",
        )
    return question


def my_open_questions(user):
    """The user's open questions, soonest due first (R-VISIT-7)."""
    return OpenQuestion.objects.visible_to(user).open().filter(owner=user).for_lists().soonest_first()


def open_questions(user):
    """Open questions the user may see, soonest due first."""
    return OpenQuestion.objects.visible_to(user).open().for_lists().soonest_first()


def may_answer(user, question: OpenQuestion) -> bool:
    """Whether ``user`` may answer: their own open question, or one of a customer they may edit (R-VISIT-7)."""
    return question.can_answer(user)


# -- commitments (R-FU-1) --------------------------------------------------------------------------


@transaction.atomic
def add_commitment(user, record: VisitRecord, *, text: str, due_on: dt.date) -> Commitment:
    """A promise made in one's own visit, with a due date, while the record can be edited (R-FU-1)."""
    touch = record.touch
    if touch.user_id != user.pk:
        raise PermissionDenied
    if not record.is_editable:
        raise ValidationError(_("This record was submitted and can no longer be changed."))
    if due_on is None or due_on < timezone.localdate(touch.started_at):
        raise ValidationError({"due_on": _("A promise cannot be due before the visit.")})
    try:
        validate_due_date(due_on, max_days=int(conf.setting("FOLLOWUP_MAX_DAYS_AHEAD")))
    except ValidationError as exc:
        raise ValidationError({"due_on": exc.error_list}) from exc
    commitment = Commitment(
        customer_id=touch.customer_id,
        record=record,
        owner=user,
        text=(text or "").strip(),
        due_on=due_on,
        created_by=user,
    )
    commitment.full_clean(exclude=["customer", "record", "owner", "created_by", "closed_by"])
    commitment.save()
    return commitment


def may_close(user, commitment: Commitment) -> bool:
    """The owner, or a manager who may edit the customer, closes a commitment (not a grant's reader)."""
    return commitment.workflow.may(commitment, "complete", user)


@transaction.atomic
def complete_commitment(user, commitment: Commitment, *, note: str = "") -> Commitment:
    """Mark a promise kept (R-FU-1)."""
    if not may_close(user, commitment):
        raise PermissionDenied
    commitment.complete(by=user, note=note)
    return commitment


@transaction.atomic
def cancel_commitment(user, commitment: Commitment, *, reason: str) -> Commitment:
    """Withdraw a promise with the reason (R-FU-1)."""
    if not may_close(user, commitment):
        raise PermissionDenied
    commitment.cancel(by=user, reason=reason)
    return commitment


def my_open_commitments(user):
    """The user's open commitments, overdue first because soonest due first (R-FU-1)."""
    return Commitment.objects.visible_to(user).open().filter(owner=user).for_lists().soonest_first()


# -- reminders -------------------------------------------------------------------------------------


def _remind(rows, today: dt.date, *, kind: str, url_name: str, due_text: str, overdue_text: str) -> int:
    supervisors: dict[int, object] = {}
    created = 0
    for row in rows:
        words = {"customer": row.customer.name, "text": row.text[:80], "due": f"{row.due_on:%Y-%m-%d}"}
        url = reverse(url_name, args=[row.pk])
        if row.due_on >= today:
            created += Notification.objects.send(
                row.owner, kind, url, text=due_text % words, dedup_key=f"{kind}-due:{row.pk}"
            )
            continue
        if row.owner_id not in supervisors:
            supervisors[row.owner_id] = row.owner.supervisor
        for user in (row.owner, supervisors[row.owner_id]):
            created += Notification.objects.send(
                user, kind, url, text=overdue_text % words, dedup_key=f"{kind}-overdue:{row.pk}"
            )
    return created


def send_reminders(today: dt.date | None = None) -> int:
    """Remind owners of questions and commitments due today; when overdue, also their supervisor.

    Idempotent: each occasion has a deduplication key, so a re-run notifies nobody twice.
    """
    today = today or timezone.localdate()
    questions = (
        OpenQuestion.objects.open().filter(due_on__lte=today).select_related("customer", "owner__unit")
    )
    commitments = (
        Commitment.objects.open().filter(due_on__lte=today).select_related("customer", "owner__unit")
    )
    return _remind(
        questions,
        today,
        kind="open_question",
        url_name="followups:question",
        due_text=_("The answer to %(customer)s is due today: %(text)s"),
        overdue_text=_("Overdue since %(due)s: the answer to %(customer)s: %(text)s"),
    ) + _remind(
        commitments,
        today,
        kind="commitment",
        url_name="followups:commitment",
        due_text=_("Promise to %(customer)s due today: %(text)s"),
        overdue_text=_("Overdue since %(due)s: promise to %(customer)s: %(text)s"),
    )
