"""Appointments with customers, their changes told to the customer, fulfilled by a check-in (R-VISIT-6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import StatusChange
from baifang.core.workflow import Transition, Workflow
from baifang.followups.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus
from baifang.followups.querysets import AppointmentQuerySet
from baifang.visits.choices import Purpose

USER = settings.AUTH_USER_MODEL


def _is_the_rep(appointment: Appointment, user) -> bool:
    return appointment.rep_id == user.pk


class Appointment(models.Model):
    """A visit agreed with the customer in advance: when, where, why (R-VISIT-6).

    Made at least half a day ahead, or the customer's tier rule lead time when stricter. A change or a
    cancellation needs a reason and the record that the customer was told (an ``AppointmentChange``
    row); a check-in at the customer that day fulfils it.
    """

    # R-VISIT-6: the rep moves or calls off an active appointment (telling the customer); a check-in at
    # the customer, by whoever visits, fulfils it.
    workflow = Workflow(
        Transition(
            "reschedule",
            source=ACTIVE_APPOINTMENT_STATUSES,
            targets=[AppointmentStatus.CHANGED],
            may=_is_the_rep,
        ),
        Transition(
            "cancel",
            source=ACTIVE_APPOINTMENT_STATUSES,
            targets=[AppointmentStatus.CANCELLED],
            may=_is_the_rep,
        ),
        Transition("mark_done", source=ACTIVE_APPOINTMENT_STATUSES, targets=[AppointmentStatus.DONE]),
        history=lambda appointment: appointment.changes,
        wrong_state=_("An appointment that is %(old)s cannot become %(new)s."),
    )

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    rep = models.ForeignKey(
        USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.PLANNED
    )
    # The lead time that applied when it was made (default or the tier rule's), kept for the record.
    lead_hours = models.PositiveSmallIntegerField(_("lead time (h)"), editable=False, default=0)
    touch = models.OneToOneField(
        "visits.Touch",
        verbose_name=_("check-in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        db_table = "visits_appointment"
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            # The rep's coming appointments on the today page.
            models.Index(fields=["rep", "starts_at"], name="visits_appt_rep_start"),
            # A check-in looks for the customer's appointment of the day.
            models.Index(fields=["customer", "starts_at"], name="visits_appt_customer_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="visits_appointment_ends_after_start",
                violation_error_message=_("An appointment must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.customer}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("followups:appointment", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_APPOINTMENT_STATUSES

    @property
    def status_tone(self) -> str:
        """The badge colour of the status: done is good, cancelled bad, changed a warning."""
        tones = {
            AppointmentStatus.DONE: "ok",
            AppointmentStatus.CANCELLED: "bad",
            AppointmentStatus.CHANGED: "warn",
        }
        return tones.get(self.status, "")

    def _move(self, name: str, *, by, changes: dict | None = None, **told) -> AppointmentChange:
        """Validate the appointment as it will be and the history row, then let the workflow move it."""
        self.workflow.check(self, name, by=by)
        old = {"old_starts_at": self.starts_at, "old_ends_at": self.ends_at, "old_place": self.place}
        before = {field: getattr(self, field) for field in changes or {}}
        for field, value in (changes or {}).items():
            setattr(self, field, value)
        try:
            self.full_clean(exclude=["customer", "rep", "touch"])
            new = {"new_starts_at": self.starts_at, "new_ends_at": self.ends_at, "new_place": self.place}
        finally:
            for field, value in before.items():  # the workflow sets them once the move is allowed
                setattr(self, field, value)
        row = {**old, **new, **told}
        target = self.workflow.transition(name).targets
        AppointmentChange(
            appointment=self, old_status=self.status, new_status=next(iter(target)), transition=name, **row
        ).full_clean(exclude=["appointment", "changed_by"])
        return self.workflow.run(self, name, by=by, changes=changes, **row)

    @staticmethod
    def _check_told(reason: str, told_at) -> None:
        if not (reason or "").strip():
            raise InvalidTransition(gettext("Give the reason the customer was told."))
        if told_at is None:
            raise InvalidTransition(gettext("Say when the customer was told."))

    def reschedule(
        self, *, by, starts_at, ends_at, place: str, reason: str, told_at, told_whom: str = ""
    ) -> AppointmentChange:
        """Move the appointment; the customer was told why (R-VISIT-6)."""
        self._check_told(reason, told_at)
        return self._move(
            "reschedule",
            by=by,
            changes={"starts_at": starts_at, "ends_at": ends_at, "place": place},
            reason=reason.strip(),
            customer_told_at=told_at,
            customer_told_whom=told_whom.strip(),
        )

    def cancel(self, *, by, reason: str, told_at, told_whom: str = "") -> AppointmentChange:
        """Call the appointment off; the customer was told why (R-VISIT-6)."""
        self._check_told(reason, told_at)
        return self._move(
            "cancel",
            by=by,
            reason=reason.strip(),
            customer_told_at=told_at,
            customer_told_whom=told_whom.strip(),
        )

    def mark_done(self, *, by, touch) -> AppointmentChange:
        """A check-in at the customer fulfilled the appointment (R-VISIT-6)."""
        return self._move("mark_done", by=by, changes={"touch": touch})


class AppointmentChange(StatusChange):
    """One step of an appointment's history: a change or cancellation told to the customer, or done
    (core.workflow)."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE, related_name="changes"
    )
    old_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=10, choices=AppointmentStatus.choices
    )
    new_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=10, choices=AppointmentStatus.choices
    )
    old_starts_at = models.DateTimeField(_("old start"), null=True, blank=True)
    old_ends_at = models.DateTimeField(_("old end"), null=True, blank=True)
    old_place = models.CharField(_("old place"), max_length=200, blank=True)
    new_starts_at = models.DateTimeField(_("new start"), null=True, blank=True)
    new_ends_at = models.DateTimeField(_("new end"), null=True, blank=True)
    new_place = models.CharField(_("new place"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    customer_told_at = models.DateTimeField(_("customer told at"), null=True, blank=True)
    customer_told_whom = models.CharField(_("customer's person told"), max_length=60, blank=True)

    class Meta(StatusChange.Meta):
        db_table = "visits_appointmentchange"
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")
        ordering = ["changed_at", "id"]
        constraints = [
            # R-VISIT-6: a change or cancellation is told to the customer, with a reason.
            models.CheckConstraint(
                condition=models.Q(new_status=AppointmentStatus.DONE)
                | (~models.Q(reason="") & models.Q(customer_told_at__isnull=False)),
                name="visits_appointmentchange_told_with_reason",
                violation_error_message=_(
                    "A change or cancellation needs a reason and when the customer was told."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id}: {self.old_status} → {self.new_status}"

    @property
    def is_move(self) -> bool:
        """A reschedule: the history shows the old and the new time."""
        return self.new_status == AppointmentStatus.CHANGED
