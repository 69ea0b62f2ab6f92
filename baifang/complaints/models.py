"""The complaint register: intake, first-receiver ownership, the handling flow (R-COMP-1..4)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baifang.complaints.choices import (
    VALID_STATUSES,
    ComplaintChannel,
    ComplaintStatus,
    Satisfaction,
)
from baifang.complaints.querysets import ComplaintQuerySet, RelatedToComplaintQuerySet
from baifang.core.choices import AuditAction
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.workflow import Transition, Workflow

USER = settings.AUTH_USER_MODEL
S = ComplaintStatus


class ComplaintCategory(models.Model):
    """What a complaint is about and which department its information goes to (R-COMP-4, seed 004 第十条:
    产品质量类信息归技术质检部, 服务类信息归生产部、销售部). Data: edited in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("receiving department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The department this category's information goes to."),
    )
    department_names = models.CharField(
        _("department names (default)"),
        max_length=120,
        blank=True,
        help_text=_(
            "When no receiving department is set: the first unit with one of these names (separated by commas)."
        ),
    )
    to_customer_department = models.BooleanField(
        _("else to the customer's department"),
        default=False,
        help_text=_("When neither of the above finds a unit: the department of the customer's unit (sales)."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


def _owns(complaint, user) -> bool:
    """首问负责制 (R-COMP-1): the current owner moves the complaint on, nobody else."""
    return complaint.owner_id == user.pk


def _required(message: str) -> ValidationError:
    return ValidationError(message, code="required")


_NOT_YOURS = _("Only the complaint's current owner can do this (first-receiver responsibility).")


class Complaint(TimeStampedModel):
    """One customer complaint from receipt to the customer's satisfaction with the handling."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    channel = models.CharField(_("received by way of"), max_length=10, choices=ComplaintChannel.choices)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints"
    )
    subject = models.CharField(_("subject"), max_length=120)
    description = models.TextField(_("what the customer says"))
    complainant = models.CharField(_("complainant"), max_length=60, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        USER, verbose_name=_("first receiver"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="complaints_owned"
    )
    touch = models.ForeignKey(
        "visits.Touch",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    routed_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("information sent to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    special_visit = models.ForeignKey(
        "visit_rules.SpecialVisit",
        verbose_name=_("special visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=S.choices, default=S.RECEIVED)

    # investigated
    investigation = models.TextField(_("investigation findings"), blank=True)
    # found valid (属实) or not (不成立)
    is_valid = models.BooleanField(_("valid"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_person = models.ForeignKey(
        USER,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_told = models.TextField(_("what the customer was told"), blank=True)
    compensation_due = models.BooleanField(_("compensation due"), default=False)
    compensation_amount = models.DecimalField(
        _("compensation (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    compensation_note = models.CharField(_("compensation details"), max_length=300, blank=True)
    # rectified, re-checked (seed 001 5.4.4: 整改情况…进行复查及记录)
    rectification = models.TextField(_("rectification"), blank=True)
    recheck_record = models.TextField(_("re-check record"), blank=True)
    rechecked_by = models.ForeignKey(
        USER,
        verbose_name=_("re-checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    # the customer's satisfaction with the handling (R-COMP-2)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    satisfaction_note = models.CharField(_("customer's words"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A double-submitted intake form (or a retried API call) registers one complaint.
    intake_key = models.CharField(_("intake key"), max_length=64, null=True, blank=True, unique=True)

    objects = ComplaintQuerySet.as_manager()

    workflow = Workflow(
        Transition(
            "investigate",
            source=[S.RECEIVED],
            targets=[S.INVESTIGATED],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "find_valid",
            source=[S.INVESTIGATED],
            targets=[S.VALID],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "find_not_valid",
            source=[S.INVESTIGATED],
            targets=[S.NOT_VALID],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "rectify",
            source=[S.VALID],
            targets=[S.RECTIFIED],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "recheck",
            source=[S.RECTIFIED],
            targets=[S.RECHECKED],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "ask_satisfaction",
            source=[S.RECHECKED, S.NOT_VALID],
            targets=[S.SATISFACTION_ASKED],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        Transition(
            "close",
            source=[S.SATISFACTION_ASKED],
            targets=[S.CLOSED],
            may=_owns,
            refusal=_NOT_YOURS,
            audit_action=AuditAction.UPDATE,
        ),
        history=lambda complaint: complaint.status_changes,
        wrong_state=_("A complaint that is %(old)s cannot become %(new)s: no step may be skipped."),
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The list: newest first, within a status (the default filter is the open ones).
            models.Index(fields=["status", "-received_at"], name="complaints_status_received"),
            models.Index(fields=["-received_at", "-id"], name="complaints_received"),
            # R-COMP-3 per unit and per person and year.
            models.Index(fields=["responsible_unit", "decided_at"], name="complaints_valid_unit"),
            models.Index(fields=["responsible_person", "decided_at"], name="complaints_valid_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compensation_amount__isnull=True) | models.Q(compensation_amount__gte=0),
                name="%(app_label)s_%(class)s_compensation_not_negative",
                violation_error_message=_("Compensation cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """The number read out to the customer: TS + year of receipt + id."""
        received = timezone.localtime(self.received_at) if self.received_at else timezone.localtime()
        return f"TS{received:%Y}-{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.status != S.CLOSED

    @property
    def counts_as_valid(self) -> bool:
        """R-COMP-3: a complaint found valid counts against its responsible unit and person."""
        return self.status in VALID_STATUSES and bool(self.is_valid)

    def age_days(self, now=None) -> int:
        """Whole days since receipt, up to closing (or now while open)."""
        end = self.closed_at or now or timezone.now()
        return max(0, (timezone.localdate(end) - timezone.localdate(self.received_at)).days)

    def status_tone(self) -> str:
        """The badge class of the status (templates never compare status strings)."""
        if self.status == S.CLOSED:
            return "badge-ok"
        if self.status == S.RECEIVED:
            return "badge-warn"
        return "badge-pending"

    def can_hand_on(self, user) -> bool:
        """首问负责制: the owner hands an open complaint on to someone else."""
        return self.is_open and user is not None and user.is_active and self.owner_id == user.pk

    # --- the transitions (R-COMP-2); services lock the row and call these -----------------------

    def investigate(self, *, by, findings: str) -> None:
        self.workflow.check(self, "investigate", by=by)
        if not findings.strip():
            raise ValidationError(
                {"investigation": _required(gettext("Write down what the investigation found."))}
            )
        self.workflow.run(self, "investigate", by=by, comment=findings, changes={"investigation": findings})

    def find_valid(
        self,
        *,
        by,
        responsible_unit,
        responsible_person=None,
        customer_told: str,
        compensation_due: bool = False,
        compensation_amount=None,
        compensation_note: str = "",
    ) -> None:
        """属实: the responsible unit (and person) named, the customer told the result, compensation recorded
        where due (seed 001 5.4.2, seed 004 第七条)."""
        self.workflow.check(self, "find_valid", by=by)
        errors = {}
        if responsible_unit is None:
            errors["responsible_unit"] = _required(gettext("Name the responsible unit."))
        if (
            responsible_person is not None
            and responsible_unit is not None
            and responsible_person.unit_id
            and (not responsible_person.unit.path.startswith(responsible_unit.path))
        ):
            errors["responsible_person"] = ValidationError(
                gettext("The responsible person does not work in the responsible unit."), code="invalid"
            )
        if not customer_told.strip():
            errors["customer_told"] = _required(
                gettext("Record what the customer was told about the result.")
            )
        if compensation_due and compensation_amount is None and not compensation_note.strip():
            errors["compensation_amount"] = _required(
                gettext("Record the compensation: an amount or what was given.")
            )
        if compensation_amount is not None and compensation_amount < 0:
            errors["compensation_amount"] = ValidationError(
                gettext("Compensation cannot be negative."), code="negative_amount"
            )
        if errors:
            raise ValidationError(errors)
        changes = {
            "is_valid": True,
            "decided_at": timezone.now(),
            "responsible_unit": responsible_unit,
            "responsible_person": responsible_person,
            "customer_told": customer_told,
            "compensation_due": compensation_due,
            "compensation_amount": compensation_amount if compensation_due else None,
            "compensation_note": compensation_note if compensation_due else "",
        }
        self.workflow.run(self, "find_valid", by=by, comment=customer_told, changes=changes)

    def find_not_valid(self, *, by, explanation: str) -> None:
        """不成立: the explanation given to the customer (seed 001 5.4.2: 应及时向客户解释清楚)."""
        self.workflow.check(self, "find_not_valid", by=by)
        if not explanation.strip():
            raise ValidationError(
                {"customer_told": _required(gettext("Record the explanation given to the customer."))}
            )
        changes = {"is_valid": False, "decided_at": timezone.now(), "customer_told": explanation}
        self.workflow.run(self, "find_not_valid", by=by, comment=explanation, changes=changes)

    def rectify(self, *, by, rectification: str) -> None:
        self.workflow.check(self, "rectify", by=by)
        if not rectification.strip():
            raise ValidationError(
                {"rectification": _required(gettext("Describe the rectification and corrective measures."))}
            )
        self.workflow.run(
            self, "rectify", by=by, comment=rectification, changes={"rectification": rectification}
        )

    def recheck(self, *, by, record: str) -> None:
        """复查及记录 (seed 001 5.4.4): whether the rectification worked, by whom, when."""
        self.workflow.check(self, "recheck", by=by)
        if not record.strip():
            raise ValidationError(
                {"recheck_record": _required(gettext("Write down the re-check and its result."))}
            )
        changes = {"recheck_record": record, "rechecked_by": by, "rechecked_at": timezone.now()}
        self.workflow.run(self, "recheck", by=by, comment=record, changes=changes)

    def ask_satisfaction(self, *, by, satisfaction: str, note: str = "") -> None:
        """The customer's satisfaction with the handling, or their recorded refusal to answer."""
        self.workflow.check(self, "ask_satisfaction", by=by)
        if satisfaction not in Satisfaction.values:
            raise ValidationError(
                {"satisfaction": _required(gettext("Record the customer's answer, or that they declined."))}
            )
        changes = {"satisfaction": satisfaction, "satisfaction_note": note}
        self.workflow.run(self, "ask_satisfaction", by=by, comment=note, changes=changes)

    def close(self, *, by, comment: str = "") -> None:
        """Closed only with the customer's answer and, for a valid complaint, the re-check record."""
        self.workflow.check(self, "close", by=by)
        if not self.satisfaction:
            raise ValidationError(
                gettext("The customer's answer (or their refusal) is missing."), code="required"
            )
        if self.is_valid and not self.recheck_record.strip():
            raise ValidationError(
                gettext("A valid complaint closes only after its re-check is recorded."), code="required"
            )
        self.workflow.run(self, "close", by=by, comment=comment, changes={"closed_at": timezone.now()})


class ComplaintStatusChange(StatusChange):
    """One step of a complaint's flow (R-COMP-2)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(pgettext_lazy("status", "from"), max_length=20, choices=S.choices)
    new_status = models.CharField(pgettext_lazy("status", "to"), max_length=20, choices=S.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("complaint status change")
        verbose_name_plural = _("complaint status changes")


class ComplaintHandOn(models.Model):
    """The owner handed the complaint on to someone else (首问负责制, R-COMP-1): every hand-on is kept."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="hand_ons"
    )
    from_user = models.ForeignKey(
        USER, verbose_name=_("handed on by"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        USER, verbose_name=_("handed on to"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = RelatedToComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint hand-on")
        verbose_name_plural = _("complaint hand-ons")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"
