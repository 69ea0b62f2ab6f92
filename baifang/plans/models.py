"""Month, week and day plans with their items, approval history and versions (R-PLAN-1..5, R-CAL-3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core.models import TimeStampedModel
from baifang.plans.choices import (
    CannotFitReason,
    ItemChannel,
    ItemSource,
    MonthlyDeadline,
    PlanKind,
    PlanStatus,
    RhythmWhen,
)

USER = settings.AUTH_USER_MODEL

plan_status_changed = Signal()  # sender=Plan, plan, old_status, new_status, by


class InvalidTransition(ValidationError):
    """A plan cannot move to that status from where it is."""


class StaleVersion(ValidationError):
    """Someone else changed the plan since the page was loaded (optimistic locking)."""


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


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanQuerySet:
        """Plans of the people whose work the user may see: oneself, a managed subtree, everyone (R-ORG-4)."""
        from baifang.customers.filtersets import people_in_scope

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(owner__in=people_in_scope(user).values("pk")) | models.Q(owner__supervisor_override=user)
        )

    def for_lists(self) -> PlanQuerySet:
        return self.select_related("owner", "owner__unit", "approved_by").annotate(
            item_count=models.Count("items")
        )


class Plan(TimeStampedModel):
    """A rep's plan for one month, week or day, approved by the supervisor (R-PLAN-2, R-PLAN-3)."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED}),
        PlanStatus.RETURNED: frozenset({PlanStatus.SUBMITTED}),
        PlanStatus.SUBMITTED: frozenset({PlanStatus.APPROVED, PlanStatus.RETURNED}),
        PlanStatus.APPROVED: frozenset({PlanStatus.DRAFT}),  # reopened by the rep to change it
    }

    owner = models.ForeignKey(USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=8, choices=PlanKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("refines"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("submitted version"), default=0)
    lock_version = models.PositiveIntegerField(_("edit counter"), default=0)
    deadline = models.DateField(_("submit by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("submitted late"), default=False)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_version = models.PositiveIntegerField(_("approved version"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    comment = models.TextField(_("rep's note"), blank=True)
    summary = models.TextField(
        _("summary and analysis"),
        blank=True,
        help_text=_("Written by the rep once the period has begun (R-PLAN-5)."),
    )
    summary_at = models.DateTimeField(_("summary written at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "lock_version"])
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-period_start", "kind", "owner"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "period_start"],
                name="%(app_label)s_%(class)s_unique_owner_period",
                violation_error_message=_("This rep already has a plan for this period."),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("A plan cannot end before it starts."),
            ),
        ]
        indexes = [
            # The approval queue: submitted plans, oldest first.
            models.Index(fields=["status", "submitted_at"], name="plans_plan_queue"),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s of %(rep)s, %(period)s") % {
            "kind": self.get_kind_display(),
            "rep": self.owner,
            "period": self.period_label,
        }

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == PlanKind.MONTH:
            return f"{self.period_start:%Y-%m}"
        if self.kind == PlanKind.WEEK:
            return f"{self.period_start:%Y-%m-%d} – {self.period_end:%m-%d}"
        return f"{self.period_start:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        """The rep edits drafts and returned plans; an approver edits a submitted one."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.SUBMITTED)

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED

    def days(self) -> list[dt.date]:
        n = (self.period_end - self.period_start).days + 1
        return [self.period_start + dt.timedelta(days=i) for i in range(n)]

    def available_statuses(self) -> frozenset[str]:
        return self.TRANSITIONS[self.status]

    def _set_status(self, new_status: str, *, by, comment: str = "") -> None:
        if new_status not in self.available_statuses():
            raise InvalidTransition(
                gettext("A plan that is %(old)s cannot become %(new)s.")
                % {"old": self.get_status_display(), "new": PlanStatus(new_status).label}
            )
        old_status = self.status
        self.status = new_status
        self.lock_version += 1
        self.save()
        PlanStatusChange.objects.create(
            plan=self,
            old_status=old_status,
            new_status=new_status,
            changed_by=by,
            comment=comment,
            version=self.version,
        )
        plan_status_changed.send(
            sender=type(self), plan=self, old_status=old_status, new_status=new_status, by=by
        )

    def submit(self, *, by, comment: str = "") -> None:
        """The rep hands the plan to the supervisor; the first submission after the deadline is late."""
        now = timezone.now()
        self.version += 1
        if self.submitted_at is None:
            self.is_late = timezone.localdate(now) > self.deadline
        self.submitted_at = now
        self._set_status(PlanStatus.SUBMITTED, by=by, comment=comment)

    def approve(self, *, by, comment: str = "") -> None:
        self.approved_by, self.approved_at, self.approved_version = by, timezone.now(), self.version
        self._set_status(PlanStatus.APPROVED, by=by, comment=comment)

    def return_(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise InvalidTransition(gettext("Say what should be changed when returning a plan."))
        self._set_status(PlanStatus.RETURNED, by=by, comment=reason)

    def reopen(self, *, by, reason: str = "") -> None:
        """An approved plan goes back to draft so the rep can change it (it must be approved again)."""
        self.approved_by, self.approved_at = None, None
        self._set_status(PlanStatus.DRAFT, by=by, comment=reason)


class PlanItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanItemQuerySet:
        return self.filter(plan__in=Plan.objects.visible_to(user).values("pk"))

    def for_lists(self) -> PlanItemQuerySet:
        return self.select_related("customer", "purpose").order_by("day", "sequence", "pk")


class PlanItem(models.Model):
    """One planned touch with the fields of R-PLAN-1."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="plan_items"
    )
    day = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("to"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("order"), default=0)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ItemChannel.choices, default=ItemChannel.VISIT
    )
    purpose = models.ForeignKey(
        PlanPurpose,
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    expected_minutes = models.PositiveSmallIntegerField(_("expected duration (min)"), default=15)
    expected_outcome = models.CharField(_("expected outcome"), max_length=200, blank=True)
    participants = models.CharField(_("participants"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    materials = models.CharField(_("materials to bring"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ItemSource.choices, default=ItemSource.MANUAL
    )
    reason = models.CharField(_("why planned"), max_length=200, blank=True)
    appointment_by = models.DateField(_("make the appointment by"), null=True, blank=True)
    travel_minutes = models.PositiveSmallIntegerField(_("travel from the previous stop (min)"), default=0)
    distance_m = models.PositiveIntegerField(_("distance from the previous stop (m)"), default=0)
    earliest = models.DateField(_("may move from"), null=True, blank=True)
    latest = models.DateField(_("may move until"), null=True, blank=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["day", "sequence", "pk"]
        indexes = [
            # Plan vs. actual: a rep's items on a day matched to their touches.
            models.Index(fields=["plan", "day"], name="plans_item_plan_day"),
            models.Index(fields=["customer", "day"], name="plans_item_customer_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.customer}"

    @property
    def is_visit(self) -> bool:
        return self.channel in (ItemChannel.VISIT, ItemChannel.INVITED)

    def snapshot(self) -> dict:
        """What a version keeps of the item, to show the approver what changed."""
        return {
            "customer": self.customer_id,
            "customer_name": str(self.customer.name) if self.customer_id else "",
            "day": self.day.isoformat(),
            "start": self.start_time.strftime("%H:%M") if self.start_time else "",
            "channel": self.channel,
            "purpose": self.purpose_id,
            "minutes": self.expected_minutes,
            "outcome": self.expected_outcome,
            "agenda": self.agenda,
        }


class UnplannedNeed(models.Model):
    """An obligation the generator could not fit, and why (R-PLAN-4)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="unplanned")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    need_key = models.CharField(_("obligation"), max_length=80)
    reason = models.CharField(_("reason"), max_length=16, choices=CannotFitReason.choices)
    missing = models.PositiveSmallIntegerField(_("missing touches"), default=1)
    label = models.CharField(_("rule"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("obligation that could not be planned")
        verbose_name_plural = _("obligations that could not be planned")
        ordering = ["reason", "customer_id"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_reason_display()}"


class PlanStatusChange(models.Model):
    """One step of a plan's approval history (R-PLAN-2)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(_("from"), max_length=10, choices=PlanStatus.choices)
    new_status = models.CharField(_("to"), max_length=10, choices=PlanStatus.choices)
    version = models.PositiveIntegerField(_("version"), default=0)
    changed_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    changed_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan status change")
        verbose_name_plural = _("plan status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.old_status} → {self.new_status}"


class PlanVersion(models.Model):
    """The items of a plan as submitted, so the approver sees what changed since the last version."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    items = models.JSONField(_("items"), default=list)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This version of the plan is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"
