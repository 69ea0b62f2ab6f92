"""Lead intake for showrooms and sales offices (R-FU-4; seed 002: 4S 三表一卡, 房地产 客户接待制度).

A showroom belongs to an org unit; each day it has a duty order (排岗顺序) and a shared register of
visitors and callers (来店(电)顾客登记表). The rotation itself is ``engine.next_receiver``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.org.choices import DataScope

USER = settings.AUTH_USER_MODEL


class ShowroomQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Showrooms of the user's own unit, of the units they manage (subtrees), or all (R-ORG-4)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.data_scope == DataScope.ALL:
            return self
        condition = models.Q(unit_id=user.unit_id) if user.unit_id else models.Q(pk__in=[])
        for unit in user.managed_units:
            condition |= models.Q(unit__path__startswith=unit.path)
        return self.filter(condition)


class Showroom(models.Model):
    """A 4S showroom or a sales office whose reps take walk-ins and calls in turn (R-FU-4)."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="showrooms"
    )
    day_ends_at = models.TimeField(
        _("working day ends at"),
        default=dt.time(18, 0),
        help_text=_("Registrations are due by this time on the day of the reception."),
    )

    objects = ShowroomQuerySet.as_manager()

    class Meta:
        verbose_name = _("showroom")
        verbose_name_plural = _("showrooms")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DutySlot(models.Model):
    """One place in a showroom's duty order for one day (案场经理的排岗顺序)."""

    showroom = models.ForeignKey(
        Showroom, verbose_name=_("showroom"), on_delete=models.CASCADE, related_name="duty_slots"
    )
    day = models.DateField(_("day"))
    position = models.PositiveSmallIntegerField(_("position"))
    rep = models.ForeignKey(USER, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="duty_slots")

    class Meta:
        verbose_name = _("duty slot")
        verbose_name_plural = _("duty slots")
        ordering = ["showroom", "day", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["showroom", "day", "position"], name="followups_duty_position_once"
            ),
            models.UniqueConstraint(fields=["showroom", "day", "rep"], name="followups_duty_rep_once"),
        ]

    def __str__(self) -> str:
        return f"{self.showroom} {self.day} #{self.position} {self.rep}"


class VisitorKind(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    CALL = "call", _("Call")


class IntentLevel(models.TextChoices):
    """Seed 002: H within 7 days, A within a month, B 1–3 months, C over 3 months."""

    H = "H", _("H: within 7 days")
    A = "A", _("A: within a month")
    B = "B", _("B: in 1–3 months")
    C = "C", _("C: over 3 months")


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Registrations of showrooms the user may see: the register is shared (大家共用一张表)."""
        return self.filter(showroom__in=Showroom.objects.visible_to(user).values("pk"))

    def on_day(self, day: dt.date):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(time_in__gte=start, time_in__lt=start + dt.timedelta(days=1))

    def for_lists(self):
        return self.select_related("showroom", "received_by", "credited_to", "customer")


class Registration(models.Model):
    """One line of the visitor/caller register (来店(电)顾客登记表, R-FU-4).

    Contact details are optional: a visitor who leaves none is registered as 某先生/某女士 or by plate.
    """

    showroom = models.ForeignKey(
        Showroom, verbose_name=_("showroom"), on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.CharField(_("walk-in or call"), max_length=10, choices=VisitorKind.choices)
    time_in = models.DateTimeField(_("time in"))
    time_out = models.DateTimeField(_("time out"), null=True, blank=True)
    received_by = models.ForeignKey(
        USER, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="receptions"
    )
    credited_to = models.ForeignKey(
        USER,
        verbose_name=_("customer of"),
        on_delete=models.PROTECT,
        related_name="credited_receptions",
        help_text=_("The first receiver keeps the customer even when a colleague stands in."),
    )
    visitor_name = models.CharField(
        _("name"), max_length=60, help_text=_("A name, or just 某先生 / 某女士 / the plate number.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    intended_product = models.CharField(_("intended model or product"), max_length=100, blank=True)
    intent_level = models.CharField(_("intent level"), max_length=1, choices=IntentLevel.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    bought_on_spot = models.BooleanField(_("bought on the spot"), default=False)
    first_visit = models.BooleanField(_("first visit"), default=True)
    in_turn = models.BooleanField(_("received in turn"), default=False)
    named_rep = models.BooleanField(_("asked for this rep"), default=False)
    returning_of = models.ForeignKey(
        "self",
        verbose_name=_("earlier registration"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="returns",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="showroom_registrations",
    )
    due_at = models.DateTimeField(_("registration due"))
    late = models.BooleanField(_("registered late"), default=False)
    info_due_at = models.DateTimeField(_("information to send by"), null=True, blank=True)
    info_sent_at = models.DateTimeField(_("information sent at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        USER, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("showroom registration")
        verbose_name_plural = _("showroom registrations")
        ordering = ["-time_in", "-pk"]
        indexes = [models.Index(fields=["showroom", "time_in"], name="followups_reg_showroom_in")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(visitor_name=""),
                name="followups_registration_has_name",
                violation_error_message=_("Write a name, or 某先生 / 某女士 / the plate number."),
            ),
            models.CheckConstraint(
                condition=models.Q(time_out__isnull=True) | models.Q(time_out__gte=models.F("time_in")),
                name="followups_registration_out_after_in",
                violation_error_message=_("The time out cannot be before the time in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_name} {self.time_in:%Y-%m-%d %H:%M}"

    @property
    def left_details(self) -> bool:
        return bool(self.phone.strip())

    @property
    def info_overdue(self) -> bool:
        return (
            self.info_due_at is not None and self.info_sent_at is None and timezone.now() > self.info_due_at
        )
