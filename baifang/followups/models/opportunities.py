"""Opportunities (商机, seed 004 跟单总控表, R-FU-6) and lost orders (丢单报告, R-FU-5).

An opportunity is one deal followed at one customer: its stage moves through ``core.workflow`` (every
move is a history row, with the visit record it came from); won and lost end it and nothing reopens
it — a new chance at the customer is a new opportunity. Losing one needs its lost-order report in the
same request (``followups.opportunities.lose``). The lost-order reasons are data (``LostReason``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baifang.core.models import StatusChange
from baifang.core.workflow import Transition, Workflow
from baifang.customers.access import can_edit
from baifang.followups.choices import OPEN_OPPORTUNITY_STAGES, OpportunityStage

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = MinValueValidator(Decimal(0))


def _may_move(opportunity: Opportunity, user) -> bool:
    """Its owner, or someone who may edit the customer (owner, co-owners, managers, market, admins)."""
    return opportunity.owner_id == user.pk or can_edit(user, opportunity.customer)


class CustomerRowsQuerySet(models.QuerySet):
    """Rows about one customer: visible exactly when the customer is (R-ORG-4)."""

    def visible_to(self, user):
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))


class OpportunityQuerySet(CustomerRowsQuerySet):
    def open(self):
        return self.filter(stage__in=OPEN_OPPORTUNITY_STAGES)

    def for_lists(self):
        return self.select_related("customer", "owner")


class Opportunity(models.Model):
    """A deal followed at a customer (商机, R-FU-6): stage, expected amount and close date, the rep."""

    workflow = Workflow(
        Transition("advance", source=OPEN_OPPORTUNITY_STAGES, targets=OPEN_OPPORTUNITY_STAGES, may=_may_move),
        Transition("win", source=OPEN_OPPORTUNITY_STAGES, targets=[OpportunityStage.WON], may=_may_move),
        Transition("lose", source=OPEN_OPPORTUNITY_STAGES, targets=[OpportunityStage.LOST], may=_may_move),
        status_field="stage",
        wrong_state=_("An opportunity that is %(old)s cannot become %(new)s."),
        history=lambda opportunity: opportunity.stage_changes,
    )

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    title = models.CharField(_("title"), max_length=120)
    stage = models.CharField(
        _("stage"), max_length=16, choices=OpportunityStage.choices, default=OpportunityStage.CONTACT
    )
    expected_amount = models.DecimalField(
        _("expected amount (yuan)"), validators=[NOT_NEGATIVE], default=Decimal(0), **MONEY
    )
    expected_close_on = models.DateField(_("expected close date"))
    owner = models.ForeignKey(
        USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="opportunities"
    )
    note = models.TextField(_("note"), blank=True)
    source_record = models.ForeignKey(
        "visits.VisitRecord",
        verbose_name=_("from visit record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "stage", "expected_close_on"], name="followups_opp_owner_stage"),
            models.Index(fields=["customer", "stage"], name="followups_opp_customer_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_amount__gte=0),
                name="followups_opportunity_amount_not_negative",
                violation_error_message=_("The expected amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="followups_opportunity_has_title",
                violation_error_message=_("Give the opportunity a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followups:opportunity", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_OPPORTUNITY_STAGES

    @property
    def stage_tone(self) -> str:
        return {OpportunityStage.WON: "badge-ok", OpportunityStage.LOST: "badge-bad"}.get(
            self.stage, "badge-active"
        )


class OpportunityStageChange(StatusChange):
    """One stage move of an opportunity: from, to, who, when, the comment and the visit record (R-FU-6)."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    old_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=16, blank=True, choices=OpportunityStage.choices
    )
    new_status = models.CharField(
        pgettext_lazy("status", "to"), max_length=16, choices=OpportunityStage.choices
    )
    record = models.ForeignKey(
        "visits.VisitRecord",
        verbose_name=_("visit record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("opportunity stage change")
        verbose_name_plural = _("opportunity stage changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.old_status or '—'} → {self.new_status}"


class LostReason(models.Model):
    """Why an order was lost (丢单原因): a list kept as data, edited in the admin (R-FU-5)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lost-order reason")
        verbose_name_plural = _("lost-order reasons")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class LostOrderQuerySet(CustomerRowsQuerySet):
    def for_lists(self):
        return self.select_related("customer", "reason", "product", "rep", "opportunity")


class LostOrder(models.Model):
    """A lost-order report (丢单报告, seed 004): to whom, why, which product, how much, what we learn (R-FU-5)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="lost_orders"
    )
    opportunity = models.OneToOneField(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lost_order",
    )
    lost_on = models.DateField(_("lost on"))
    competitor = models.CharField(_("lost to (competitor)"), max_length=100, blank=True)
    reason = models.ForeignKey(
        LostReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="lost_orders"
    )
    product = models.ForeignKey(
        "commerce.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(_("amount (yuan)"), validators=[NOT_NEGATIVE], default=Decimal(0), **MONEY)
    lessons = models.TextField(_("lessons learned"))
    rep = models.ForeignKey(USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="lost_orders")
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LostOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("lost order")
        verbose_name_plural = _("lost orders")
        ordering = ["-lost_on", "-pk"]
        indexes = [models.Index(fields=["lost_on"], name="followups_lost_order_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="followups_lost_order_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(lessons=""),
                name="followups_lost_order_has_lessons",
                violation_error_message=_("Write the lessons learned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.lost_on:%Y-%m-%d} · {self.reason}"
