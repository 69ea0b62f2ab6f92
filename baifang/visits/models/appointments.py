"""Appointments with customers, their changes told to the customer, fulfilled by a check-in (R-VISIT-6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baifang.visits.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus, Purpose
from baifang.visits.exceptions import InvalidTransition
from baifang.visits.signals import appointment_status_changed

USER = settings.AUTH_USER_MODEL


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Appointments with customers the user may see, plus the user's own (R-ORG-4)."""
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(rep=user)
        )

    def active(self):
        return self.filter(status__in=ACTIVE_APPOINTMENT_STATUSES)

    def on_day(self, day: dt.date):
        """Appointments starting on a local calendar day."""
        from django.utils import timezone

        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))

    def for_lists(self):
        return self.select_related("customer", "rep")


class Appointment(models.Model):
    """A visit agreed with the customer in advance: when, where, why (R-VISIT-6).

    Made at least half a day ahead, or the customer's tier rule lead time when stricter. A change or a
    cancellation needs a reason and the record that the customer was told (an ``AppointmentChange``
    row); a check-in at the customer that day fulfils it.
    """

    TRANSITIONS: dict[str, frozenset[str]] = {
        AppointmentStatus.PLANNED: frozenset(
            {AppointmentStatus.CHANGED, AppointmentStatus.CANCELLED, AppointmentStatus.DONE}
        ),
        AppointmentStatus.CHANGED: frozenset(
            {AppointmentStatus.CHANGED, AppointmentStatus.CANCELLED, AppointmentStatus.DONE}
        ),
        AppointmentStatus.CANCELLED: frozenset(),
        AppointmentStatus.DONE: frozenset(),
    }

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
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("An appointment must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.customer}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("visits:appointment", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_APPOINTMENT_STATUSES

    def available_statuses(self) -> frozenset[str]:
        return self.TRANSITIONS[self.status]

    def _set_status(self, new_status: str, *, by, **change) -> AppointmentChange:
        if new_status not in self.available_statuses():
            raise InvalidTransition(
                gettext("An appointment that is %(old)s cannot become %(new)s.")
                % {"old": self.get_status_display(), "new": AppointmentStatus(new_status).label}
            )
        old_status = self.status
        history = AppointmentChange(
            appointment=self,
            old_status=old_status,
            new_status=new_status,
            old_starts_at=self.starts_at,
            old_ends_at=self.ends_at,
            old_place=self.place,
            changed_by=by,
            **change,
        )
        self.status = new_status
        return history

    def _finish(self, history: AppointmentChange, *, by) -> AppointmentChange:
        self.full_clean(exclude=["customer", "rep", "touch"])
        self.save()
        history.new_starts_at, history.new_ends_at, history.new_place = (
            self.starts_at,
            self.ends_at,
            self.place,
        )
        history.full_clean(exclude=["appointment", "changed_by"])
        history.save()
        appointment_status_changed.send(
            sender=type(self),
            appointment=self,
            old_status=history.old_status,
            new_status=history.new_status,
            by=by,
        )
        return history

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
        history = self._set_status(
            AppointmentStatus.CHANGED,
            by=by,
            reason=reason.strip(),
            customer_told_at=told_at,
            customer_told_whom=told_whom.strip(),
        )
        self.starts_at, self.ends_at, self.place = starts_at, ends_at, place
        return self._finish(history, by=by)

    def cancel(self, *, by, reason: str, told_at, told_whom: str = "") -> AppointmentChange:
        """Call the appointment off; the customer was told why (R-VISIT-6)."""
        self._check_told(reason, told_at)
        history = self._set_status(
            AppointmentStatus.CANCELLED,
            by=by,
            reason=reason.strip(),
            customer_told_at=told_at,
            customer_told_whom=told_whom.strip(),
        )
        return self._finish(history, by=by)

    def mark_done(self, *, by, touch) -> AppointmentChange:
        """A check-in at the customer fulfilled the appointment (R-VISIT-6)."""
        history = self._set_status(AppointmentStatus.DONE, by=by)
        self.touch = touch
        return self._finish(history, by=by)


class AppointmentChange(models.Model):
    """One step of an appointment's history: a change or cancellation told to the customer, or done."""

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
    changed_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")
        ordering = ["changed_at", "id"]
        constraints = [
            # R-VISIT-6: a change or cancellation is told to the customer, with a reason.
            models.CheckConstraint(
                condition=models.Q(new_status=AppointmentStatus.DONE)
                | (~models.Q(reason="") & models.Q(customer_told_at__isnull=False)),
                name="%(app_label)s_%(class)s_told_with_reason",
                violation_error_message=_(
                    "A change or cancellation needs a reason and when the customer was told."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id}: {self.old_status} → {self.new_status}"
