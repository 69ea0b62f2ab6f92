"""Follow-up of a visit: questions answered later (R-VISIT-7) and promises kept (R-FU-1)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import StatusChange
from baifang.core.workflow import Transition, Workflow
from baifang.customers.access import can_edit
from baifang.followups.choices import CommitmentStatus, QuestionStatus
from baifang.followups.querysets import CommitmentQuerySet, OpenQuestionQuerySet
from baifang.org.choices import UNIT_MANAGER_KINDS, PositionKind

USER = settings.AUTH_USER_MODEL


def _may_answer(question: OpenQuestion, user) -> bool:
    """Their own question, or one of a customer they may edit (R-VISIT-7)."""
    return question.owner_id == user.pk or can_edit(user, question.customer)


def _may_close(commitment: Commitment, user) -> bool:
    """The owner, or a manager who may edit the customer, closes a commitment (not a grant's reader)."""
    if commitment.owner_id == user.pk:
        return True
    return user.has_position(*UNIT_MANAGER_KINDS, PositionKind.ADMIN) and can_edit(user, commitment.customer)


class OpenQuestion(models.Model):
    """A customer's question the rep could not answer on the spot; answered within 3 working days (R-VISIT-7)."""

    workflow = Workflow(
        Transition(
            "answer",
            source=[QuestionStatus.OPEN],
            targets=[QuestionStatus.ANSWERED],
            may=_may_answer,
            wrong_state=_("This question is already answered."),
        ),
        history=lambda question: question.status_changes,
    )

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="open_questions",
    )
    touch = models.ForeignKey(
        "visits.Touch", verbose_name=_("asked at"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(_("question"))
    asked_by_name = models.CharField(_("asked by (customer's person)"), max_length=60, blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("to be answered by"), on_delete=models.PROTECT, related_name="open_questions"
    )
    due_on = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        USER,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = OpenQuestionQuerySet.as_manager()

    class Meta:
        db_table = "visits_openquestion"
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        ordering = ["due_on", "pk"]
        indexes = [
            # "My open questions, soonest due first" on the today page; the reminder task.
            models.Index(fields=["owner", "status", "due_on"], name="visits_question_owner_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="visits_openquestion_has_text",
                violation_error_message=_("Write the question."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=QuestionStatus.OPEN)
                | (~models.Q(answer="") & models.Q(answered_at__isnull=False)),
                name="visits_openquestion_answered_with_text",
                violation_error_message=_("An answered question needs the answer."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status == QuestionStatus.OPEN

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def mark_answered(self, *, by, text: str) -> None:
        """Record the answer given to the customer (R-VISIT-7)."""
        self.workflow.check(self, "answer", by=by)
        if not (text or "").strip():
            raise InvalidTransition(gettext("Write the answer."))
        changes = {"answer": text.strip(), "answered_by": by, "answered_at": timezone.now()}
        self.workflow.run(self, "answer", by=by, comment=changes["answer"], changes=changes)


class Commitment(models.Model):
    """A promise made to a customer in a visit record, with an owner and a due date (R-FU-1)."""

    # R-FU-1: an open promise is kept or withdrawn (with the reason), by its owner or a manager.
    workflow = Workflow(
        Transition(
            "complete", source=[CommitmentStatus.OPEN], targets=[CommitmentStatus.DONE], may=_may_close
        ),
        Transition(
            "cancel", source=[CommitmentStatus.OPEN], targets=[CommitmentStatus.CANCELLED], may=_may_close
        ),
        wrong_state=_("A commitment that is %(old)s cannot become %(new)s."),
        history=lambda commitment: commitment.status_changes,
    )

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="commitments"
    )
    record = models.ForeignKey(
        "visits.VisitRecord",
        verbose_name=_("source record"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="commitments"
    )
    text = models.CharField(_("promise"), max_length=300)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        db_table = "visits_commitment"
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "pk"]
        indexes = [
            # Open and overdue commitments of one owner, soonest due first; the reminder task.
            models.Index(fields=["owner", "status", "due_on"], name="visits_commitment_owner_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="visits_commitment_has_text",
                violation_error_message=_("Write what was promised."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CommitmentStatus.CANCELLED) | ~models.Q(close_note=""),
                name="visits_commitment_cancel_reason",
                violation_error_message=_("Say why the promise is cancelled."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status == CommitmentStatus.OPEN

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def _close(self, name: str, *, by, note: str) -> None:
        changes = {"close_note": (note or "").strip(), "closed_by": by, "closed_at": timezone.now()}
        self.workflow.run(self, name, by=by, comment=changes["close_note"], changes=changes)

    def complete(self, *, by, note: str = "") -> None:
        """The promise was kept (R-FU-1)."""
        self._close("complete", by=by, note=note)

    def cancel(self, *, by, reason: str) -> None:
        """The promise is withdrawn, with the reason (R-FU-1)."""
        self.workflow.check(self, "cancel", by=by)
        if not (reason or "").strip():
            raise InvalidTransition(gettext("Say why the promise is cancelled."))
        self._close("cancel", by=by, note=reason)


class QuestionStatusChange(StatusChange):
    """One step of an open question's history: who answered it, when, with what (core.workflow, R-VISIT-7)."""

    question = models.ForeignKey(
        OpenQuestion, verbose_name=_("open question"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=10, choices=QuestionStatus.choices
    )
    new_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=10, choices=QuestionStatus.choices
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("open question status change")
        verbose_name_plural = _("open question status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.old_status} → {self.new_status}"


class CommitmentStatusChange(StatusChange):
    """One step of a commitment's history: kept or withdrawn, by whom, with the note (core.workflow, R-FU-1)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=10, choices=CommitmentStatus.choices
    )
    new_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=10, choices=CommitmentStatus.choices
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("commitment status change")
        verbose_name_plural = _("commitment status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.old_status} → {self.new_status}"
