"""Classification schemes, tiers, a customer's tier per scheme, and their history (R-TIER-1..3)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core.choices import AuditAction
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.workflow import Transition, Workflow
from baifang.org.choices import PositionKind, UnitKind
from baifang.tiers.choices import (
    SCREENING_STAGE_ORDER,
    BatchStatus,
    ProposalDecision,
    ScreeningStage,
    ScreeningStatus,
    TierSource,
)
from baifang.tiers.criteria import parse_criteria

USER = settings.AUTH_USER_MODEL


class ClassificationScheme(TimeStampedModel):
    """An ordered list of tiers with criteria, e.g. importance A/B/C (R-TIER-1)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_("Where the scheme comes from.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("classification scheme")
        verbose_name_plural = _("classification schemes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """One tier of a scheme; criteria are evaluated in rank order, an empty criterion is the default."""

    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="tiers"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    rank = models.PositiveSmallIntegerField(_("evaluation order"))
    criteria = models.TextField(
        _("criteria"),
        blank=True,
        help_text=_(
            "An expression such as 年交易额 >= 200万 或 (合作年限 >= 2 且 不良信用 = 否). Empty: the default tier."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_important = models.BooleanField(
        _("important"),
        default=False,
        help_text=_("Customers in this tier need at least two people who know them."),
    )
    # R-FREQ-10: the share of the scheme's customers this tier expects (seed 003: core 5 %, potential
    # 15 %–35 %); the scheme page shows how far the actual share drifts from it (tiers/shares.py).
    expected_share_min = models.DecimalField(
        _("expected share from (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expected_share_max = models.DecimalField(
        _("expected share up to (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The same figure in both for a single share (core customers: 5 and 5)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["scheme", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="%(app_label)s_%(class)s_unique_scheme_code",
                violation_error_message=_("This scheme already has a tier with this code."),
            ),
            models.UniqueConstraint(
                fields=["scheme", "rank"],
                name="%(app_label)s_%(class)s_unique_scheme_rank",
                violation_error_message=_("Two tiers of a scheme cannot share an evaluation order."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} · {self.name}"

    def clean(self):
        """Refuse a criterion that does not parse, naming the bad token (R-TIER-2)."""
        if self.criteria.strip():
            try:
                parse_criteria(self.criteria)
            except ValidationError as exc:
                raise ValidationError({"criteria": exc.messages}) from exc
        elif self.scheme_id and self.rank is not None:
            # An empty criterion is the default tier: in a rated scheme only the last tier may be one.
            later = self.scheme.tiers.filter(rank__gt=self.rank).exclude(pk=self.pk)
            if later.exclude(criteria="").exists():
                raise ValidationError(
                    {"criteria": _("Only the last tier may have no criteria (the default tier).")}
                )
        low, high = self.expected_share_min, self.expected_share_max
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {"expected_share_max": _("The expected share cannot end below where it starts.")},
                code="invalid",
            )


class CustomerTier(models.Model):
    """The tier a customer holds in one scheme (one per scheme, R-TIER-1)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tiers"
    )
    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="+"
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="customer_tiers"
    )
    source = models.CharField(_("source"), max_length=10, choices=TierSource.choices)
    reason = models.TextField(_("reason"), blank=True)
    assigned_by = models.ForeignKey(
        USER,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "scheme"],
                name="%(app_label)s_%(class)s_unique_customer_scheme",
                violation_error_message=_("A customer holds one tier per scheme."),
            )
        ]
        indexes = [
            # Obligations: the customers of one tier (R-OBL-1).
            models.Index(fields=["tier", "customer"], name="tiers_customer_by_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.tier}"


class TierChange(models.Model):
    """Every tier change with who, when, why, old and new (R-TIER-3)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="tier_changes",
    )
    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="+"
    )
    old_tier = models.ForeignKey(
        Tier, verbose_name=_("old tier"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_tier = models.ForeignKey(Tier, verbose_name=_("new tier"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=TierSource.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        USER, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    batch = models.ForeignKey(
        "RatingBatch",
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.old_tier or '—'} → {self.new_tier}"


class RatingBatch(TimeStampedModel):
    """A batch re-rating: proposed changes shown side by side for the market department's approval (R-TIER-3)."""

    scheme = models.ForeignKey(
        ClassificationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="batches"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rated_count = models.PositiveIntegerField(_("customers rated"), default=0)

    class Meta:
        verbose_name = _("rating batch")
        verbose_name_plural = _("rating batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scheme} {self.created_at:%Y-%m-%d}"

    @property
    def is_proposed(self) -> bool:
        """Still waiting for its changes to be applied or dismissed; decisions show once it is not."""
        return self.status == BatchStatus.PROPOSED


class RatingProposal(models.Model):
    """One proposed tier change inside a batch, with the engine's reason."""

    batch = models.ForeignKey(
        RatingBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="proposals"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    current_tier = models.ForeignKey(
        Tier,
        verbose_name=_("current tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_tier = models.ForeignKey(
        Tier, verbose_name=_("proposed tier"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=ProposalDecision.choices, default=ProposalDecision.PENDING
    )

    class Meta:
        verbose_name = _("rating proposal")
        verbose_name_plural = _("rating proposals")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "customer"],
                name="%(app_label)s_%(class)s_unique_batch_customer",
                violation_error_message=_("A batch proposes one change per customer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.current_tier or '—'} → {self.proposed_tier}"


class ScreeningChecklist(models.Model):
    """Admission criteria for channel customers as a checklist (R-TIER-4).

    ``items`` is a list of {"code", "label", "evidence": bool}; evidence items need an attachment when passed.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    items = models.JSONField(_("items"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("screening checklist")
        verbose_name_plural = _("screening checklists")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        codes = [item.get("code") for item in self.items if isinstance(item, dict)]
        if len(codes) != len(self.items) or not all(codes) or len(set(codes)) != len(codes):
            raise ValidationError({"items": _("Each item needs a unique code and a label.")})


def _is_submitter(screening: Screening, user) -> bool:
    return screening.submitted_by_id == user.pk


def in_customer_service(user) -> bool:
    return user.has_position(PositionKind.CS_ASSISTANT) or (
        user.unit is not None and user.unit.get_department().kind == UnitKind.CUSTOMER_SERVICE
    )


def _decides_the_stage(screening: Screening, user) -> bool:
    """Who decides each stage: the submitter's supervisor, market staff, the customer-service department, a leader."""
    if screening.stage == ScreeningStage.REGIONAL:
        supervisor = screening.submitted_by.supervisor
        return supervisor is not None and supervisor.pk == user.pk
    if screening.stage == ScreeningStage.COMMERCE:
        return user.has_position(PositionKind.MARKET_STAFF)
    if screening.stage == ScreeningStage.CUSTOMER_SERVICE:
        return in_customer_service(user)
    if screening.stage == ScreeningStage.FINAL:
        return user.has_position(PositionKind.LEADER, PositionKind.DEPUTY_LEADER)
    return False


class Screening(TimeStampedModel):
    """One customer's admission screening, moving through the approval chain (R-TIER-4)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="screenings"
    )
    checklist = models.ForeignKey(
        ScreeningChecklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="screenings"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ScreeningStage.choices, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )

    # R-TIER-4: the submitter sends a draft into the chain; each stage's decider approves (on to the next
    # stage, or admitted after the last) or rejects (the chain ends).
    workflow = Workflow(
        Transition(
            "submit", source=[ScreeningStatus.DRAFT], targets=[ScreeningStatus.IN_REVIEW], may=_is_submitter
        ),
        Transition(
            "approve",
            source=[ScreeningStatus.IN_REVIEW],
            targets=[ScreeningStatus.IN_REVIEW, ScreeningStatus.APPROVED],
            may=_decides_the_stage,
            audit_action=AuditAction.APPROVE,
            refusal=_("You cannot decide this screening at its current stage."),
        ),
        Transition(
            "reject",
            source=[ScreeningStatus.IN_REVIEW],
            targets=[ScreeningStatus.REJECTED],
            may=_decides_the_stage,
            audit_action=AuditAction.REJECT,
            refusal=_("You cannot decide this screening at its current stage."),
        ),
        history=lambda screening: screening.status_changes,
    )

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.checklist}"

    def can_answer(self, user) -> bool:
        """Answers change while the draft may still be submitted, by its submitter only."""
        return self.can_submit(user)

    def submit(self, *, by) -> None:
        """Send a draft into the chain; evidence items that are ticked must carry an attachment."""
        self.workflow.check(self, "submit", by=by)
        needs_evidence = {
            item["code"]: item["label"] for item in self.checklist.items if item.get("evidence")
        }
        missing = [
            needs_evidence[a.item_code]
            for a in self.answers.all()
            if a.item_code in needs_evidence and a.passed and not a.evidence
        ]
        if missing:
            raise ValidationError(gettext("Attach evidence for: %(items)s") % {"items": "、".join(missing)})
        first = SCREENING_STAGE_ORDER[0]
        self.workflow.run(self, "submit", by=by, changes={"stage": first}, stage=first)

    def approve(self, *, by, note: str = "") -> None:
        """The current stage agrees: on to the next stage, or admitted after the last one."""
        self.workflow.check(self, "approve", by=by, to=ScreeningStatus.IN_REVIEW)
        decided = self.stage
        position = SCREENING_STAGE_ORDER.index(decided)
        if position + 1 < len(SCREENING_STAGE_ORDER):
            target, changes = ScreeningStatus.IN_REVIEW, {"stage": SCREENING_STAGE_ORDER[position + 1]}
        else:
            target, changes = ScreeningStatus.APPROVED, {}
        self.workflow.run(self, "approve", by=by, to=target, comment=note, changes=changes, stage=decided)
        ScreeningDecision.objects.create(
            screening=self, stage=decided, approved=True, note=note, decided_by=by
        )

    def reject(self, *, by, note: str) -> None:
        """The current stage refuses, with a reason; the chain ends."""
        self.workflow.check(self, "reject", by=by)
        if not note.strip():
            raise ValidationError({"note": gettext("Give a reason for not admitting the customer.")})
        self.workflow.run(self, "reject", by=by, comment=note, stage=self.stage)
        ScreeningDecision.objects.create(
            screening=self, stage=self.stage, approved=False, note=note, decided_by=by
        )


class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.CASCADE, related_name="answers"
    )
    item_code = models.CharField(_("item"), max_length=40)
    passed = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="screening/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "item_code"],
                name="%(app_label)s_%(class)s_unique_item",
                violation_error_message=_("Each item is answered once."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_code}: {'✓' if self.passed else '✗'}"


class ScreeningDecision(models.Model):
    """One step of the chain: who decided, approve or reject, why (status history)."""

    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.CASCADE, related_name="decisions"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ScreeningStage.choices)
    approved = models.BooleanField(_("approved"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening decision")
        verbose_name_plural = _("screening decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {'✓' if self.approved else '✗'}"


class ScreeningStatusChange(StatusChange):
    """One step of a screening's status history: submitted, approved at a stage, rejected (R-TIER-4)."""

    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.CASCADE, related_name="status_changes"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ScreeningStage.choices, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("screening status change")
        verbose_name_plural = _("screening status changes")
