"""Customer care: rules, tasks, gifts, message batches; the information-feedback form and quota.

R-CARE-1..4, R-INFO-1. Rules are data (seed 001 ships as ``data/seed001.json``); the daily job
(``services.run_daily``) turns them into tasks and messages; the unique constraints below are what
make a re-run or a second worker harmless.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baifang.care import placeholders
from baifang.care.choices import (
    CareAction,
    CareResponsible,
    Delivery,
    FeedbackSource,
    MessageChannel,
    Occasion,
    TaskStatus,
)
from baifang.care.querysets import (
    BatchQuerySet,
    CompanyDataQuerySet,
    CustomerScopedQuerySet,
    FeedbackQuerySet,
    OptOutQuerySet,
)
from baifang.core.calendar.festivals import festivals
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.validators import validate_past_date, validate_sane_date
from baifang.core.workflow import Transition, Workflow
from baifang.customers.choices import AudienceClass

USER = settings.AUTH_USER_MODEL

# The festival codes of R-CAL-2 (the same every year; 2024 only fixes an order).
FESTIVAL_CHOICES = [(f.code, f.name_zh) for f in festivals(2024)]


def validate_audience_classes(value) -> None:
    known = set(AudienceClass.values)
    if not isinstance(value, list) or any(v not in known for v in value):
        raise ValidationError(
            _("Audience classes are a list of %(known)s."),
            code="bad_audience",
            params={"known": "、".join(AudienceClass.values)},
        )


class CompanyDate(models.Model):
    """A yearly date of the company's own: its anniversary, the year-end thank-you (R-CAL-2)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1), MaxValueValidator(31)])

    class Meta:
        verbose_name = _("company date")
        verbose_name_plural = _("company dates")
        ordering = ["month", "day"]

    def __str__(self) -> str:
        return f"{self.name}（{self.month}月{self.day}日）"

    def clean(self):
        import datetime as dt

        try:
            dt.date(2024, self.month or 1, self.day or 1)
        except ValueError as exc:
            raise ValidationError({"day": _("This month has no such day.")}) from exc


class MessageTemplate(TimeStampedModel):
    """A greeting with placeholders ({name}, {title}, {festival} …), refused on save when one is unknown."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=MessageChannel.choices, default=MessageChannel.SMS
    )
    subject = models.CharField(_("subject"), max_length=120, blank=True, help_text=_("E-mail only."))
    body = models.TextField(_("text"), max_length=1000)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CompanyDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care:template_edit", args=[self.pk])

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            try:
                placeholders.check(getattr(self, field))
            except placeholders.PlaceholderError as exc:
                if exc.kind == "unknown":
                    errors[field] = ValidationError(placeholder_message(exc), code="placeholder_unknown")
                else:
                    errors[field] = ValidationError(placeholder_message(exc), code="placeholder_syntax")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Refused on every save path (admin, API, shell): a template that cannot render never exists.
        self.clean()
        super().save(*args, **kwargs)

    def render(self, values: dict) -> tuple[str, str]:
        return placeholders.render(self.subject, values), placeholders.render(self.body, values)


def placeholder_message(exc: placeholders.PlaceholderError) -> str:
    known = "、".join("{" + k + "}" for k in placeholders.PLACEHOLDERS)
    if exc.kind == "unknown":
        return gettext("Unknown placeholder %(names)s; the known ones are %(known)s.") % {
            "names": "、".join("{" + n + "}" for n in exc.names),
            "known": known,
        }
    return gettext(
        "The template's braces do not match (write {{ and }} for a literal brace); known placeholders are %(known)s."
    ) % {"known": known}


class CareRule(TimeStampedModel):
    """Who greets whom, how and when (R-CARE-1..3): e.g. festival gifts to A/B customers' class-I people."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    occasion = models.CharField(_("occasion"), max_length=14, choices=Occasion.choices)
    festival = models.CharField(
        _("festival"),
        max_length=14,
        choices=FESTIVAL_CHOICES,
        blank=True,
        help_text=_("Empty: every festival."),
    )
    company_date = models.ForeignKey(
        CompanyDate,
        verbose_name=_("company date"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    scheme = models.ForeignKey(
        "tiers.ClassificationScheme",
        verbose_name=_("classification scheme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tiers = models.ManyToManyField(
        "tiers.Tier", verbose_name=_("tiers"), blank=True, related_name="+", help_text=_("Empty: every tier.")
    )
    audience_classes = models.JSONField(
        _("audience classes"),
        default=list,
        blank=True,
        validators=[validate_audience_classes],
        help_text=_("Empty: every contact of the customer."),
    )
    action = models.CharField(_("action"), max_length=8, choices=CareAction.choices)
    responsible = models.CharField(
        _("responsible"), max_length=14, choices=CareResponsible.choices, default=CareResponsible.OWNER
    )
    lead_days = models.PositiveSmallIntegerField(
        _("lead days"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("How many days before the occasion the task appears."),
    )
    template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("message template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("For SMS and e-mail: sent automatically on the day; without one a task is made."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=120, blank=True)

    objects = CompanyDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")
        ordering = ["occasion", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.occasion == Occasion.COMPANY_DATE and not self.company_date_id:
            raise ValidationError({"company_date": _("Choose the company date this rule is for.")})
        if self.occasion != Occasion.FESTIVAL and self.festival:
            raise ValidationError({"festival": _("Only a festival rule names a festival.")})
        if self.template_id and self.action not in (CareAction.SMS, CareAction.EMAIL):
            raise ValidationError({"template": _("Only SMS and e-mail rules send a template.")})


def _may_work_task(task: CareTask, user) -> bool:
    """The assignee, or anyone in whose scope the customer is and who manages people (R-CARE-4)."""
    if task.assignee_id == user.pk:
        return True
    from baifang.customers.models import Customer
    from baifang.org.choices import DataScope

    return (
        user.data_scope != DataScope.OWN
        and Customer.objects.visible_to(user).filter(pk=task.customer_id).exists()
    )


class CareTask(TimeStampedModel):
    """One greeting owed: this person, this contact, this occasion (R-CARE-4); unique per rule and occasion."""

    rule = models.ForeignKey(
        CareRule, verbose_name=_("care rule"), on_delete=models.CASCADE, related_name="tasks"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="care_tasks"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="care_tasks"
    )
    assignee = models.ForeignKey(
        USER, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="care_tasks"
    )
    action = models.CharField(_("action"), max_length=8, choices=CareAction.choices)
    occasion = models.CharField(_("occasion"), max_length=14, choices=Occasion.choices)
    occasion_key = models.CharField(_("occasion key"), max_length=60)
    occasion_label = models.CharField(_("occasion"), max_length=60)
    occasion_date = models.DateField(_("date of the occasion"))
    remind_on = models.DateField(_("appears on"))
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    workflow = Workflow(
        Transition("complete", source=[TaskStatus.OPEN], targets=[TaskStatus.DONE], may=_may_work_task),
        Transition("skip", source=[TaskStatus.OPEN], targets=[TaskStatus.SKIPPED], may=_may_work_task),
        Transition(
            "reopen",
            source=[TaskStatus.DONE, TaskStatus.SKIPPED],
            targets=[TaskStatus.OPEN],
            may=_may_work_task,
        ),
        history=lambda task: task.status_changes,
        wrong_state=_("A care task that is %(old)s cannot become %(new)s."),
    )

    class Meta:
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        ordering = ["occasion_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "contact", "occasion_key"],
                name="care_task_once_per_rule_contact_occasion",
                violation_error_message=_("This care task already exists."),
            )
        ]
        indexes = [models.Index(fields=["assignee", "status", "occasion_date"], name="care_task_inbox")]

    def __str__(self) -> str:
        return f"{self.occasion_label} · {self.contact} · {self.get_action_display()}"

    def get_absolute_url(self) -> str:
        return reverse("care:tasks") + f"#task-{self.pk}"

    @property
    def status_tone(self) -> str:
        """The badge colour: an open task on or after its day is late (bad), open before it warn."""
        if self.status != TaskStatus.OPEN:
            return "ok" if self.status == TaskStatus.DONE else "lost"
        return "bad" if self.occasion_date <= timezone.localdate() else "warn"

    @property
    def is_gift(self) -> bool:
        return self.action == CareAction.GIFT

    def complete(self, *, by, note: str = "") -> None:
        self.workflow.run(self, "complete", by=by, comment=note, changes={"note": note[:300]} if note else {})

    def skip(self, *, by, note: str = "") -> None:
        self.workflow.check(self, "skip", by=by)
        if not note.strip():
            raise ValidationError(
                {"note": gettext("Say why this greeting is skipped.")}, code="reason_required"
            )
        self.workflow.run(self, "skip", by=by, comment=note, changes={"note": note[:300]})

    def reopen(self, *, by) -> None:
        self.workflow.run(self, "reopen", by=by)


class CareTaskStatusChange(StatusChange):
    task = models.ForeignKey(
        CareTask, verbose_name=_("care task"), on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("care task status change")
        verbose_name_plural = _("care task status changes")


class OptOut(models.Model):
    """A contact who asked for no greetings by SMS or e-mail (R-CARE-4): batches skip them."""

    contact = models.OneToOneField(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="care_opt_out"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = OptOutQuerySet.as_manager()

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return str(self.contact)


class Gift(TimeStampedModel):
    """The gift register: what was given, to whom, what it cost, when (R-CARE-1)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="care_gifts"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    task = models.ForeignKey(
        CareTask,
        verbose_name=_("care task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gifts",
    )
    item = models.CharField(_("gift"), max_length=120)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    cost = models.DecimalField(
        _("cost (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    given_on = models.DateField(
        _("given on"), default=timezone.localdate, validators=[validate_past_date, validate_sane_date]
    )
    occasion_label = models.CharField(_("occasion"), max_length=60, blank=True)
    given_by = models.ForeignKey(USER, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["customer", "-given_on"], name="care_gift_by_customer")]

    def __str__(self) -> str:
        return f"{self.item} → {self.contact or self.customer}"

    def clean(self):
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            raise ValidationError({"contact": _("This person is not a contact of the customer.")})


class MessageBatch(TimeStampedModel):
    """One send of a template to many contacts for one occasion (R-CARE-4)."""

    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("message template"), on_delete=models.PROTECT, related_name="batches"
    )
    rule = models.ForeignKey(
        CareRule,
        verbose_name=_("care rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
    )
    occasion_key = models.CharField(_("occasion key"), max_length=60)
    occasion_label = models.CharField(_("occasion"), max_length=60)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("message batch")
        verbose_name_plural = _("message batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The daily job builds one batch per rule and occasion, however often it runs.
            models.UniqueConstraint(
                fields=["rule", "occasion_key"],
                condition=models.Q(rule__isnull=False),
                name="care_batch_once_per_rule_occasion",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care:batch", args=[self.pk])


class Message(models.Model):
    """One greeting to one contact: never two for one contact and occasion (R-CARE-4)."""

    batch = models.ForeignKey(
        MessageBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="messages"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="care_messages"
    )
    occasion_key = models.CharField(_("occasion key"), max_length=60)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    token = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "occasion_key"],
                name="care_message_once_per_contact_occasion",
                violation_error_message=_("This contact already has a greeting for this occasion."),
            )
        ]
        indexes = [models.Index(fields=["delivery", "id"], name="care_message_queue")]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_delivery_display()}"

    @property
    def can_retry(self) -> bool:
        return self.delivery == Delivery.FAILED

    @property
    def is_opted_out(self) -> bool:
        return self.delivery == Delivery.OPTED_OUT

    @property
    def delivery_tone(self) -> str:
        return {
            Delivery.SENT: "ok",
            Delivery.FAILED: "bad",
            Delivery.PENDING: "warn",
            Delivery.SENDING: "warn",
        }.get(self.delivery, "muted")


class FeedbackQuota(TimeStampedModel):
    """How many information feedback forms a field department files a month (R-INFO-1), as data."""

    name = models.CharField(_("name"), max_length=80)
    scheme = models.ForeignKey(
        "tiers.ClassificationScheme",
        verbose_name=_("classification scheme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The grades (A/B/C) are the customer's tier in this scheme."),
    )
    total = models.PositiveSmallIntegerField(_("forms a month"), default=5)
    minimums = models.JSONField(
        _("minimum per grade"), default=dict, blank=True, help_text=_('e.g. {"A": 2, "B": 2, "C": 1}')
    )
    remind_days = models.PositiveSmallIntegerField(
        _("remind days before month end"), default=7, validators=[MaxValueValidator(27)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("feedback quota")
        verbose_name_plural = _("feedback quotas")
        ordering = ["-is_active", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        minimums = self.minimums
        if not isinstance(minimums, dict) or any(
            not isinstance(k, str) or not isinstance(v, int) or isinstance(v, bool) or v < 0
            for k, v in minimums.items()
        ):
            raise ValidationError(
                {"minimums": _('Give each grade a whole number, e.g. {"A": 2, "B": 2, "C": 1}.')}
            )
        if sum(minimums.values()) > self.total:
            raise ValidationError(
                {"total": _("The forms a month cannot be fewer than the grade minimums together.")}
            )


class FeedbackForm(TimeStampedModel):
    """客户信息反馈表: what a field department learned about a customer, filed to the market department (R-INFO-1)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="feedback_forms",
    )
    department = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="feedback_forms"
    )
    filed_by = models.ForeignKey(USER, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(
        _("date"), default=timezone.localdate, validators=[validate_past_date, validate_sane_date]
    )
    grade = models.CharField(
        _("customer grade"),
        max_length=20,
        blank=True,
        help_text=_("The customer's grade when the form was filed."),
    )
    market = models.TextField(_("market"), blank=True, max_length=2000)
    competitors = models.TextField(_("competitors"), blank=True, max_length=2000)
    needs = models.TextField(_("needs"), blank=True, max_length=2000)
    credit = models.TextField(_("credit"), blank=True, max_length=2000)
    other = models.TextField(_("other changes"), blank=True, max_length=2000)
    source = models.CharField(
        _("source"), max_length=12, choices=FeedbackSource.choices, default=FeedbackSource.VISIT
    )
    source_detail = models.CharField(_("source details"), max_length=200, blank=True)
    read_by = models.ForeignKey(
        USER,
        verbose_name=_("read by (market)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    TOPICS = ("market", "competitors", "needs", "credit", "other")

    class Meta:
        verbose_name = _("customer information feedback form")
        verbose_name_plural = _("customer information feedback forms")
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["department", "filed_on"], name="care_feedback_by_dept_month")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.filed_on}"

    def get_absolute_url(self) -> str:
        return reverse("care:feedback_detail", args=[self.pk])

    def clean(self):
        if not any(getattr(self, f).strip() for f in self.TOPICS):
            raise ValidationError(
                _("Write what changed or was learned: market, competitors, needs, credit or other."),
                code="empty_feedback",
            )
