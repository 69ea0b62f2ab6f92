"""Planning rules as data: purposes, the plan policy, reps' work patterns, the month rhythm (R-PLAN-1, R-PLAN-5, R-CAL-3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baifang.plans.choices import MonthlyDeadline, RhythmWhen

USER = settings.AUTH_USER_MODEL


def parse_weekdays(text: str) -> frozenset[int]:
    """'0,2,3' → {0, 2, 3} (0 = Monday); a bad value raises ValidationError."""
    try:
        days = frozenset(int(x) for x in text.replace("，", ",").split(",") if x.strip())
    except ValueError as exc:
        raise ValidationError(
            _("Weekdays are numbers 0 (Monday) to 6 (Sunday), separated by commas.")
        ) from exc
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValidationError(_("Weekdays are numbers 0 (Monday) to 6 (Sunday), separated by commas."))
    return days


class PlanPurpose(models.Model):
    """A purpose a plan item may state (R-PLAN-1); the list is data, edited by administrators."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("plan purpose")
        verbose_name_plural = _("plan purposes")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class PlanPolicy(models.Model):
    """The company's planning rules; a unit may have its own (the nearest one up the tree applies)."""

    unit = models.OneToOneField(
        "org.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan_policy",
        help_text=_("Leave empty for the company-wide policy."),
    )
    monthly_deadline = models.CharField(
        _("monthly plan deadline"),
        max_length=16,
        choices=MonthlyDeadline.choices,
        default=MonthlyDeadline.LAST_WORKDAY,
    )
    monthly_days_before = models.PositiveSmallIntegerField(
        _("days before the month"), default=7, validators=[MaxValueValidator(28)]
    )
    weekly_weekday = models.PositiveSmallIntegerField(
        _("weekly plan due on"),
        default=4,
        validators=[MaxValueValidator(6)],
        help_text=_("Weekday of the week before (0 = Monday, 4 = Friday)."),
    )
    reminder_workdays = models.PositiveSmallIntegerField(
        _("remind this many working days before a deadline"), default=1
    )
    visit_weekdays = models.CharField(
        _("visit days"),
        max_length=20,
        default="0,1,2,3,4",
        help_text=_("Weekdays reserved for visits, e.g. 0,2,3 for Monday, Wednesday, Thursday (R-CAL-3)."),
    )
    min_visit_days_per_week = models.PositiveSmallIntegerField(
        _("at least this many visit days a week"), default=3, validators=[MaxValueValidator(7)]
    )
    max_visits_per_day = models.PositiveSmallIntegerField(_("at most visits a day"), default=20)
    min_visits_per_day = models.PositiveSmallIntegerField(_("at least visits a day"), default=0)
    max_calls_per_day = models.PositiveSmallIntegerField(_("at most calls a day"), default=30)
    call_minutes = models.PositiveSmallIntegerField(_("minutes per call"), default=5)
    visit_minutes = models.PositiveSmallIntegerField(
        _("default visit minutes"), default=15, validators=[MinValueValidator(1)]
    )
    reserve_percent = models.PositiveSmallIntegerField(
        _("share of each day kept for ad-hoc work (%)"), default=20, validators=[MaxValueValidator(80)]
    )
    first_visit_by_day = models.PositiveSmallIntegerField(
        _("first visit of each customer by day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "E.g. 10: every customer planned in a month gets its first visit by the 10th (R-FREQ-3)."
        ),
    )
    cover_every_two_months = models.BooleanField(
        _("two consecutive monthly plans cover every customer"), default=True
    )
    weekly_plans = models.BooleanField(
        _("reps submit weekly plans"), default=True, help_text=_("Reminders and deadlines for weekly plans.")
    )
    daily_plans = models.BooleanField(
        _("reps submit daily plans"),
        default=False,
        help_text=_("Reminders for the next working day's plan, due the working day before."),
    )

    class Meta:
        verbose_name = _("plan policy")
        verbose_name_plural = _("plan policies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(unit__isnull=True),
                name="%(app_label)s_%(class)s_one_company_policy",
                violation_error_message=_("There is already a company-wide plan policy."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_visits_per_day__lte=models.F("max_visits_per_day")),
                name="%(app_label)s_%(class)s_min_below_max",
                violation_error_message=_("The daily minimum cannot exceed the daily maximum."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit) if self.unit_id else gettext("Company-wide")

    def clean(self):
        days = parse_weekdays(self.visit_weekdays)
        if len(days) < self.min_visit_days_per_week:
            raise ValidationError(
                {
                    "visit_weekdays": _("At least %(n)d visit days a week are required.")
                    % {"n": self.min_visit_days_per_week}
                }
            )

    @property
    def visit_days(self) -> frozenset[int]:
        return parse_weekdays(self.visit_weekdays)

    @classmethod
    def for_users(cls, users) -> dict[int, PlanPolicy]:
        """{user id: the policy of their unit or its nearest ancestor, else the company's}, in one query."""
        policies = {p.unit_id: p for p in cls.objects.all()}
        chosen = {}
        for user in users:
            unit = getattr(user, "unit", None)
            chain = [int(part) for part in unit.path.strip("/").split("/") if part] if unit else []
            nearest = next((policies[pk] for pk in reversed(chain) if pk in policies), None)
            chosen[user.pk] = nearest or policies.get(None) or cls()
        return chosen

    @classmethod
    def for_user(cls, user) -> PlanPolicy:
        """The policy of the user's unit or its nearest ancestor, else the company's (unsaved default)."""
        units = [user.unit, *reversed(user.unit.ancestors())] if getattr(user, "unit", None) else []
        policies = {p.unit_id: p for p in cls.objects.filter(models.Q(unit__in=units) | models.Q(unit=None))}
        for unit in units:
            if unit.pk in policies:
                return policies[unit.pk]
        return policies.get(None) or cls()


class WorkPattern(models.Model):
    """One rep's own visit days and daily capacity, overriding the policy (R-CAL-3)."""

    user = models.OneToOneField(
        USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="work_pattern"
    )
    visit_weekdays = models.CharField(_("visit days"), max_length=20, blank=True)
    max_visits_per_day = models.PositiveSmallIntegerField(_("at most visits a day"), null=True, blank=True)
    min_visits_per_day = models.PositiveSmallIntegerField(_("at least visits a day"), null=True, blank=True)

    class Meta:
        verbose_name = _("work pattern")
        verbose_name_plural = _("work patterns")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self):
        if self.visit_weekdays:
            parse_weekdays(self.visit_weekdays)


class RhythmReminder(models.Model):
    """A month-rhythm step (R-PLAN-5): what reps are reminded of, and when."""

    policy = models.ForeignKey(
        PlanPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="rhythm"
    )
    when = models.CharField(_("when"), max_length=16, choices=RhythmWhen.choices)
    day = models.PositiveSmallIntegerField(
        _("day"), default=1, help_text=_("Day of the month (1–31) or weekday (0 = Monday).")
    )
    text = models.CharField(_("reminder"), max_length=200)
    link = models.CharField(_("link"), max_length=20, blank=True, help_text=_("report, month, week or day"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("month-rhythm reminder")
        verbose_name_plural = _("month-rhythm reminders")
        ordering = ["when", "day", "pk"]

    def __str__(self) -> str:
        return self.text

    def fires_on(self, day: dt.date, last_workday: dt.date) -> bool:
        if self.when == RhythmWhen.MONTH_DAY:
            return day.day == self.day
        if self.when == RhythmWhen.WEEKDAY:
            return day.weekday() == self.day
        return day == last_workday
