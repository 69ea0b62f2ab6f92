"""Month, week and day plans with their items, approval history and versions (R-PLAN-1..4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core import exceptions as core_exceptions
from baifang.core.choices import AuditAction
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.workflow import Transition, Workflow
from baifang.org.choices import UNIT_MANAGER_KINDS, PositionKind
from baifang.plans.choices import CannotFitReason, ItemChannel, ItemSource, PlanKind, PlanStatus

USER = settings.AUTH_USER_MODEL
MINUTES_A_DAY = 24 * 60

# Plans raise the one ``InvalidTransition`` of core (through ``core.workflow``); the name stays here for imports.
InvalidTransition = core_exceptions.InvalidTransition


class StaleVersion(core_exceptions.StaleVersion):
    """Someone else changed the plan since the page was loaded (optimistic locking)."""


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

    def approvable_by(self, user) -> PlanQuerySet:
        """Plans ``user`` decides on: the rep's supervisor chain only (R-PLAN-2, R-ORG-3).

        A manager (department manager, supervisor) approves the people of the units they manage, and
        anyone approves the people who name them as supervisor. Company-wide readers (leader, market,
        administrator) approve nobody's plan unless named; nobody approves their own.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        condition = models.Q(owner__supervisor_override=user)
        if user.has_position(*UNIT_MANAGER_KINDS):
            subtree = models.Q()
            for unit in user.managed_units:
                subtree |= models.Q(owner__unit__path__startswith=unit.path)
            if subtree:
                condition |= subtree
        return self.filter(condition).exclude(owner=user)

    def overdue(self, today: dt.date | None = None) -> PlanQuerySet:
        """Late plans: submitted after the deadline, or still not submitted once it has passed (R-PLAN-3)."""
        return self.filter(late_condition(today))

    def of_plan_makers(self) -> PlanQuerySet:
        """Without the empty plans of people who make no plans (an admin's or leader's stray draft)."""
        has_items = models.Exists(PlanItem.objects.filter(plan=models.OuterRef("pk")))
        return self.filter(has_items | models.Q(owner__in=plan_makers()))


def late_condition(today: dt.date | None = None) -> models.Q:
    today = today or timezone.localdate()
    return models.Q(is_late=True) | models.Q(submitted_at__isnull=True, deadline__lt=today)


def plan_makers():
    """The people who keep visit plans: field reps and whoever looks after customers (R-PLAN-3)."""
    from baifang.org.models import User

    return User.objects.filter(
        models.Q(assignments__position__kind=PositionKind.FIELD_REP) | models.Q(owned_customers__isnull=False)
    ).values("pk")


def makes_plans(user) -> bool:
    """Whether ``user`` keeps plans of their own (a field rep, or someone who looks after customers)."""
    if user is None or not user.is_authenticated:
        return False
    return user.has_position(PositionKind.FIELD_REP) or user.owned_customers.exists()


@dataclass(frozen=True)
class PlanActions:
    """What one user may do with one plan now; pages and the API show only these (R-PLAN-2)."""

    edit: bool = False
    generate: bool = False
    submit: bool = False
    reopen: bool = False
    approve: bool = False
    summary: bool = False


def _is_owner(plan: Plan, user) -> bool:
    return plan.is_owner(user)


def _is_approver(plan: Plan, user) -> bool:
    return plan.is_approver(user)


# The states in which the rep works on the plan (edits, regenerates, submits).
OWNER_WORKS_ON = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class Plan(TimeStampedModel):
    """A rep's plan for one month, week or day, approved by the supervisor (R-PLAN-2, R-PLAN-3)."""

    # R-PLAN-2: the rep submits a draft (or a returned plan); the supervisor chain approves or returns
    # it; the rep reopens an approved plan to change it, and it must be approved again.
    workflow = Workflow(
        Transition("submit", source=OWNER_WORKS_ON, targets=[PlanStatus.SUBMITTED], may=_is_owner),
        Transition(
            "approve",
            source=[PlanStatus.SUBMITTED],
            targets=[PlanStatus.APPROVED],
            may=_is_approver,
            audit_action=AuditAction.APPROVE,
        ),
        Transition(
            "return",
            source=[PlanStatus.SUBMITTED],
            targets=[PlanStatus.RETURNED],
            may=_is_approver,
            audit_action=AuditAction.REJECT,
        ),
        Transition(
            "reopen",
            source=[PlanStatus.APPROVED],
            targets=[PlanStatus.DRAFT],
            may=_is_owner,
            wrong_state=_("Only an approved plan can be reopened."),
        ),
        history=lambda plan: plan.status_changes,
        wrong_state=_("A plan that is %(old)s cannot become %(new)s."),
    )

    owner = models.ForeignKey(USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=8, choices=PlanKind.choices)
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"))
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

    def days(self) -> list[dt.date]:
        n = (self.period_end - self.period_start).days + 1
        return [self.period_start + dt.timedelta(days=i) for i in range(n)]

    @property
    def status_notice(self) -> str:
        """What the plan's page says about an unapproved plan (R-PLAN-2: unapproved plans show as such)."""
        notices = {
            PlanStatus.SUBMITTED: _(
                "Waiting for approval: items carried out now are recorded as done before approval."
            ),
            PlanStatus.RETURNED: _("Returned by your supervisor: change the plan and submit it again."),
            PlanStatus.DRAFT: _("Draft: not yet submitted for approval."),
        }
        return notices.get(self.status, "")

    @property
    def is_overdue(self) -> bool:
        """Late: submitted after the deadline, or still not submitted once it has passed (R-PLAN-3)."""
        return self.is_late or (self.submitted_at is None and timezone.localdate() > self.deadline)

    # --- who may do what (asked by services, pages and the API) ----------------------------------
    def is_approver(self, user) -> bool:
        """Whether ``user`` is on the rep's supervisor chain for this plan (R-PLAN-2)."""
        return Plan.objects.approvable_by(user).filter(pk=self.pk).exists()

    def is_owner(self, user) -> bool:
        return user is not None and user.pk == self.owner_id

    def can_edit(self, user) -> bool:
        """The rep edits a draft or returned plan; the approver edits a submitted one (R-PLAN-2)."""
        if self.status in OWNER_WORKS_ON:
            return self.is_owner(user)
        return self.can_approve(user)

    def can_generate(self, user) -> bool:
        """Only the rep drafts (or redrafts) their own month plan; the approver edits items instead."""
        return self.kind == PlanKind.MONTH and self.status in OWNER_WORKS_ON and self.is_owner(user)

    # can_submit, can_approve, can_return and can_reopen come from the workflow.

    def can_write_summary(self, user, today: dt.date | None = None) -> bool:
        return self.is_owner(user) and (today or timezone.localdate()) >= self.period_start

    def actions_for(self, user) -> PlanActions:
        """Everything ``user`` may do now, asked once per page."""
        approver = self.can_approve(user)
        owner_edits = self.status in OWNER_WORKS_ON and self.is_owner(user)
        return PlanActions(
            edit=owner_edits or approver,
            generate=self.can_generate(user),
            submit=self.can_submit(user),
            reopen=self.can_reopen(user),
            approve=approver,
            summary=self.can_write_summary(user),
        )

    def _move(self, name: str, *, by, comment: str = "", **changes) -> None:
        """Every move counts as an edit (``lock_version``); the history row keeps the plan's version."""
        changes["lock_version"] = self.lock_version + 1
        version = changes.get("version", self.version)
        self.workflow.run(self, name, by=by, comment=comment, changes=changes, version=version)

    def submit(self, *, by, comment: str = "") -> None:
        """The rep hands the plan to the supervisor; the first submission after the deadline is late."""
        now = timezone.now()
        changes = {"version": self.version + 1, "submitted_at": now}
        if self.submitted_at is None:
            changes["is_late"] = timezone.localdate(now) > self.deadline
        self._move("submit", by=by, comment=comment, **changes)

    def approve(self, *, by, comment: str = "") -> None:
        self._move(
            "approve",
            by=by,
            comment=comment,
            approved_by=by,
            approved_at=timezone.now(),
            approved_version=self.version,
        )

    def return_(self, *, by, reason: str) -> None:
        self.workflow.check(self, "return", by=by)
        if not reason.strip():
            raise InvalidTransition(gettext("Say what should be changed when returning a plan."))
        self._move("return", by=by, comment=reason)

    def reopen(self, *, by, reason: str = "") -> None:
        """An approved plan goes back to draft so the rep can change it (it must be approved again)."""
        self._move("reopen", by=by, comment=reason, approved_by=None, approved_at=None)


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
    start_time = models.TimeField(pgettext_lazy("time of day", "from"), null=True, blank=True)
    end_time = models.TimeField(pgettext_lazy("time of day", "to"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("order"), default=0)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ItemChannel.choices, default=ItemChannel.VISIT
    )
    purpose = models.ForeignKey(
        "plans.PlanPurpose",
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    expected_minutes = models.PositiveSmallIntegerField(
        _("expected duration (min)"),
        default=15,
        validators=[
            MinValueValidator(1, _("A planned touch takes at least one minute.")),
            MaxValueValidator(
                MINUTES_A_DAY, _("A planned touch cannot take longer than a day (1440 minutes).")
            ),
        ],
    )
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
    missed_deadline = models.DateField(
        _("late for its deadline"),
        null=True,
        blank=True,
        help_text=_(
            "The first visit was due by this day (R-FREQ-3) but no earlier day had room: it is planned, "
            "late, not left out."
        ),
    )
    edited = models.BooleanField(
        _("changed by hand"),
        default=False,
        help_text=_("Moved or changed after it was generated: regenerating the plan keeps it."),
    )

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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_minutes__gte=1, expected_minutes__lte=MINUTES_A_DAY),
                name="%(app_label)s_%(class)s_minutes_within_a_day",
                violation_error_message=_(
                    "A planned touch takes between one minute and a day (1440 minutes)."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.customer}"

    @property
    def kept_on_regeneration(self) -> bool:
        """Added or changed by hand: regenerating the plan keeps it where the rep put it (R-PLAN-4)."""
        return self.source == ItemSource.MANUAL or self.edited

    @property
    def is_visit(self) -> bool:
        return self.channel in (ItemChannel.VISIT, ItemChannel.INVITED)

    def snapshot(self) -> dict:
        """What a version keeps of the item, to show the approver what changed."""
        return {
            "id": self.pk,
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


class PlanStatusChange(StatusChange):
    """One step of a plan's approval history (R-PLAN-2), written by ``core.workflow``."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(pgettext_lazy("status", "from"), max_length=10, choices=PlanStatus.choices)
    new_status = models.CharField(pgettext_lazy("status", "to"), max_length=10, choices=PlanStatus.choices)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta(StatusChange.Meta):
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
    based_on = models.PositiveIntegerField(
        _("edits version"),
        null=True,
        blank=True,
        help_text=_("Set on a version the approver made by editing the version the rep submitted."),
    )

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
