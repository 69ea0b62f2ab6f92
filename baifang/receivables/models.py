"""Invoices, payments and credit terms: what a customer owes and may owe (R-AR-1, seed 002)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import AuditAction
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.workflow import Transition, Workflow
from baifang.org.choices import PositionKind
from baifang.receivables import open_amounts
from baifang.receivables.choices import OPEN_CREDIT_STATUSES, CreditStatus
from baifang.receivables.querysets import CreditTermsQuerySet, InvoiceQuerySet, PaymentQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = MinValueValidator(Decimal("0.01"))
DEFAULT_SOURCE = "erp"


class AgeingPolicy(models.Model):
    """The company's receivables rules as data (one row): the target, its exception, terms, reminders."""

    target_days = models.PositiveSmallIntegerField(
        _("target (days)"),
        default=90,
        help_text=_("Nothing should stay unpaid longer than this many days after the invoice date."),
    )
    except_new_products = models.BooleanField(
        _("new products excepted"),
        default=True,
        help_text=_("Invoices of new products do not count against the target (seed 002)."),
    )
    default_term_days = models.PositiveSmallIntegerField(
        _("default term (days)"),
        default=30,
        help_text=_("Due date of an invoice without one, when the customer has no approved term."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before due"), default=3, help_text=_("Seed 004: remind 3 days before payment is due.")
    )

    class Meta:
        verbose_name = _("receivables policy")
        verbose_name_plural = _("receivables policy")

    def __str__(self) -> str:
        return str(_("Receivables policy"))

    @classmethod
    def current(cls) -> AgeingPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


class _Document(models.Model):
    """What an invoice and a payment share: the customer, the source's number, the import."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source system"), max_length=20, default=DEFAULT_SOURCE)
    number = models.CharField(_("document number"), max_length=40)
    amount = models.DecimalField(_("amount"), validators=[POSITIVE], **MONEY)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class Invoice(_Document):
    """An invoice (应收) as the ERP knows it; its number is unique per source system."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    invoiced_on = models.DateField(_("invoice date"))
    due_on = models.DateField(_("due date"))
    order = models.ForeignKey(
        "commerce.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
    )
    new_products = models.BooleanField(
        _("new products"), default=False, help_text=_("Excepted from the 90-day target (seed 002).")
    )
    open_amount = models.DecimalField(
        _("open amount"),
        default=Decimal(0),
        editable=False,
        help_text=_("What is still owed after every payment received (kept by receivables.open_amounts)."),
        **MONEY,
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-invoiced_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This invoice number is already taken."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("An amount must be above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("invoiced_on")),
                name="%(app_label)s_%(class)s_due_after_invoice",
                violation_error_message=_("The due date cannot be before the invoice date."),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "invoiced_on"], name="receivables_invoice_customer"),
            models.Index(fields=["due_on"], name="receivables_invoice_due"),
            # The ageing report and the tier fact read only what is still open (R-SCALE-1).
            models.Index(
                fields=["customer", "invoiced_on"],
                include=["due_on", "open_amount", "new_products"],
                condition=models.Q(open_amount__gt=0),
                name="receivables_invoice_open",
            ),
        ]

    def save(self, *args, **kwargs):
        with transaction.atomic():
            before = _stored_customer(type(self), self.pk)
            super().save(*args, **kwargs)
            _refresh_open_amounts({self.customer_id, before})
            self.open_amount = type(self).objects.filter(pk=self.pk).values_list("open_amount", flat=True)[0]

    def get_absolute_url(self) -> str:
        return reverse("receivables:invoice", args=[self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            customer = self.customer_id
            answer = super().delete(*args, **kwargs)  # its payments are PROTECTed: none was allocated
            _refresh_open_amounts({customer})
            return answer


def _stored_customer(model, pk):
    """The customer a stored document had before this save (None for a new one)."""
    if pk is None:
        return None
    return model.objects.filter(pk=pk).values_list("customer_id", flat=True).first()


def _refresh_open_amounts(customer_ids) -> None:
    open_amounts.refresh(customer_ids)


class Payment(_Document):
    """A payment (回款) received; may name the invoice it settles, else it settles the oldest first."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("payment date"))
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("allocated to invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This payment number is already taken."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("An amount must be above zero."),
            ),
        ]
        indexes = [models.Index(fields=["customer", "paid_on"], name="receivables_payment_customer")]

    def save(self, *args, **kwargs):
        with transaction.atomic():
            before = _stored_customer(type(self), self.pk)
            super().save(*args, **kwargs)
            _refresh_open_amounts({self.customer_id, before})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            customer = self.customer_id
            answer = super().delete(*args, **kwargs)
            _refresh_open_amounts({customer})
            return answer


# --- credit terms: a proposal of market + finance, decided by a vice-president (seed 002) ------------

PROPOSER_KINDS = (PositionKind.MARKET_STAFF, PositionKind.FINANCE)
DECIDER_KINDS = (PositionKind.DEPUTY_LEADER, PositionKind.LEADER)


def may_propose(user) -> bool:
    return bool(user is not None and user.is_active and user.has_position(*PROPOSER_KINDS))


def _may_propose(terms, user) -> bool:
    return may_propose(user) and user.pk == terms.proposed_by_id


def _may_countersign(terms, user) -> bool:
    """The other side of the joint team: a finance clerk for a market proposal, and the other way round."""
    if user.pk == terms.proposed_by_id or not user.has_position(*PROPOSER_KINDS):
        return False
    sides = set(terms.proposed_by.position_kinds) | set(user.position_kinds)
    return set(PROPOSER_KINDS) <= sides


def _may_decide(terms, user) -> bool:
    return user.has_position(*DECIDER_KINDS) and user.pk != terms.proposed_by_id


def _may_reject(terms, user) -> bool:
    if terms.status == CreditStatus.PROPOSED and _may_countersign(terms, user):
        return True
    return _may_decide(terms, user)


class CreditTerms(TimeStampedModel):
    """A customer's credit limit and term; in force once approved (the newest approved one counts)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="credit_terms",
    )
    credit_limit = models.DecimalField(
        _("credit limit (yuan)"), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    term_days = models.PositiveSmallIntegerField(_("credit term (days)"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CreditStatus.choices, default=CreditStatus.DRAFT
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("countersigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CreditTermsQuerySet.as_manager()

    workflow = Workflow(
        Transition(
            "propose",
            source=[CreditStatus.DRAFT],
            targets=[CreditStatus.PROPOSED],
            may=_may_propose,
            audit_action=AuditAction.CREATE,
            refusal=_("Only market or finance staff may propose credit terms."),
        ),
        Transition(
            "countersign",
            source=[CreditStatus.PROPOSED],
            targets=[CreditStatus.AGREED],
            may=_may_countersign,
            audit_action=AuditAction.APPROVE,
            refusal=_("The other side of the market + finance team countersigns (not the proposer)."),
        ),
        Transition(
            "approve",
            source=[CreditStatus.AGREED],
            targets=[CreditStatus.APPROVED],
            may=_may_decide,
            audit_action=AuditAction.APPROVE,
            refusal=_("Only a vice-president may approve credit terms."),
        ),
        Transition(
            "reject",
            source=[CreditStatus.PROPOSED, CreditStatus.AGREED],
            targets=[CreditStatus.REJECTED],
            may=_may_reject,
            audit_action=AuditAction.REJECT,
            refusal=_("Only the countersigning side or a vice-president may reject credit terms."),
        ),
        history=lambda terms: terms.status_changes,
        wrong_state=_("Credit terms that are %(old)s cannot become %(new)s."),
    )

    class Meta:
        verbose_name = _("credit terms")
        verbose_name_plural = _("credit terms")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status__in=OPEN_CREDIT_STATUSES),
                name="%(app_label)s_%(class)s_one_open_per_customer",
                violation_error_message=_("This customer already has credit terms waiting for a decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.credit_limit} / {self.term_days}"

    def get_absolute_url(self) -> str:
        return reverse("receivables:credit", args=[self.pk])

    @property
    def status_tone(self) -> str:
        """The badge colour of its status: ok (approved), bad (rejected), pending (still open)."""
        return {CreditStatus.APPROVED: "ok", CreditStatus.REJECTED: "bad"}.get(self.status, "pending")

    def propose(self, *, by, comment: str = ""):
        return self.workflow.run(self, "propose", by=by, comment=comment)

    def countersign(self, *, by, comment: str = ""):
        return self.workflow.run(
            self, "countersign", by=by, comment=comment, changes={"countersigned_by": by}
        )

    def approve(self, *, by, comment: str = "", at=None):
        return self.workflow.run(
            self, "approve", by=by, comment=comment, changes={"decided_by": by, "decided_at": at}
        )

    def reject(self, *, by, comment: str = "", at=None):
        return self.workflow.run(
            self, "reject", by=by, comment=comment, changes={"decided_by": by, "decided_at": at}
        )


class CreditTermsChange(StatusChange):
    """One step of a credit-terms proposal."""

    terms = models.ForeignKey(
        CreditTerms, verbose_name=_("credit terms"), on_delete=models.CASCADE, related_name="status_changes"
    )

    STEP_LABELS = {
        "propose": _("Propose"),
        "countersign": _("Countersign"),
        "approve": _("Approve"),
        "reject": _("Reject"),
    }

    def step_label(self) -> str:
        return str(self.STEP_LABELS.get(self.transition, self.transition))

    def old_label(self) -> str:
        return (
            str(CreditStatus(self.old_status).label)
            if self.old_status in CreditStatus.values
            else self.old_status
        )

    def new_label(self) -> str:
        return (
            str(CreditStatus(self.new_status).label)
            if self.new_status in CreditStatus.values
            else self.new_status
        )

    class Meta(StatusChange.Meta):
        verbose_name = _("credit terms step")
        verbose_name_plural = _("credit terms steps")
