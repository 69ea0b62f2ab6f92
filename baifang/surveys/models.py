"""Survey templates, campaigns, recipients, responses and what follows from them (R-SURV-1..4)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import AuditAction
from baifang.core.models import StatusChange, TimeStampedModel
from baifang.core.workflow import Transition, Workflow
from baifang.surveys.choices import (
    DEFAULT_SATISFIED,
    SCALE_VALUES,
    CampaignStatus,
    Channel,
    ResponseSource,
    ScaleKind,
    TemplatePurpose,
    ThreeLevel,
)

USER = settings.AUTH_USER_MODEL
LINK_SALT = "baifang.surveys.link"


class SurveyTemplate(TimeStampedModel):
    """A questionnaire: ordered items, one rating scale, and room for free-text opinions (R-SURV-1)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=TemplatePurpose.choices, default=TemplatePurpose.PERIODIC
    )
    scale = models.CharField(
        _("scale"), max_length=20, choices=ScaleKind.choices, default=ScaleKind.THREE_LEVEL
    )
    # The answers that count as satisfied (R-SURV-3); empty: the scale's default (满意 + 基本满意, or 4–5).
    satisfied_levels = models.JSONField(_("answers counted as satisfied"), default=list, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    opinion_prompt = models.CharField(
        _("opinion question"), max_length=200, blank=True, help_text=_("Empty: no free-text question.")
    )
    # A sample needs at least this many recipients to start (seed 004 汽修: not fewer than 10).
    min_recipients = models.PositiveIntegerField(_("at least this many recipients"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:template", args=[self.pk])

    @property
    def scale_values(self) -> tuple[str, ...]:
        return tuple(SCALE_VALUES[self.scale])

    @property
    def satisfied_set(self) -> frozenset[str]:
        return frozenset(self.satisfied_levels or DEFAULT_SATISFIED[self.scale])

    def scale_choices(self) -> list[tuple[str, str]]:
        if self.scale == ScaleKind.THREE_LEVEL:
            return [(v, str(ThreeLevel(v).label)) for v in self.scale_values]
        return [(v, v) for v in self.scale_values]

    def answer_label(self, value: str) -> str:
        return dict(self.scale_choices()).get(value, value)

    def clean(self):
        unknown = set(self.satisfied_levels or ()) - set(self.scale_values)
        if unknown:
            raise ValidationError(
                {
                    "satisfied_levels": gettext("Not on this scale: %(values)s")
                    % {"values": "、".join(sorted(unknown))}
                },
                code="not_on_scale",
            )


class SurveyItem(models.Model):
    """One rated item of a template (供电, 供水 …), in order."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("item"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("Each item code appears once in a template."),
            )
        ]

    def __str__(self) -> str:
        return self.label


class SurveySettings(models.Model):
    """The company's survey settings (one row): how often, the targets, how long a link lives (R-SURV-2)."""

    interval_months = models.PositiveSmallIntegerField(
        _("survey at least every (months)"), default=6, help_text=_("Seed 004: at least every half year.")
    )
    distribution_target = models.PositiveSmallIntegerField(_("distribution target (%)"), default=100)
    return_target = models.PositiveSmallIntegerField(_("return target (%)"), default=80)
    link_valid_days = models.PositiveSmallIntegerField(_("a link stays valid for (days)"), default=30)
    remind = models.ManyToManyField(
        USER, verbose_name=_("remind when a survey is overdue"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return str(_("Survey settings"))

    @classmethod
    def current(cls) -> SurveySettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


def _owner_or_staff(campaign: SurveyCampaign, user) -> bool:
    from baifang.surveys.access import is_survey_staff

    return campaign.owner_id == user.pk or is_survey_staff(user)


class SurveyCampaign(TimeStampedModel):
    """A template sent to a set of customers or households, with distribution and return tracked (R-SURV-2)."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=120)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("Links stop working after this day."))
    # Which customers are targeted: the filters used to add recipients, kept to show what was meant.
    target_rule = models.JSONField(_("target set"), default=dict, blank=True)
    # The published reply letter (R-SURV-3): greeting and what will be done, in the company's words.
    greeting = models.TextField(_("letter greeting"), blank=True)
    closing = models.TextField(_("letter closing"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    workflow = Workflow(
        Transition(
            "start",
            source=[CampaignStatus.DRAFT],
            targets=[CampaignStatus.RUNNING],
            may=_owner_or_staff,
            refusal=_("Only the campaign's owner or survey staff can do this."),
        ),
        Transition(
            "close",
            source=[CampaignStatus.RUNNING],
            targets=[CampaignStatus.CLOSED],
            may=_owner_or_staff,
            refusal=_("Only the campaign's owner or survey staff can do this."),
        ),
        Transition(
            "reopen",
            source=[CampaignStatus.CLOSED],
            targets=[CampaignStatus.RUNNING],
            may=_owner_or_staff,
            refusal=_("Only the campaign's owner or survey staff can do this."),
        ),
        Transition(
            "publish",
            source=[CampaignStatus.CLOSED],
            targets=[CampaignStatus.PUBLISHED],
            may=_owner_or_staff,
            audit_action=AuditAction.APPROVE,
            refusal=_("Only the campaign's owner or survey staff can do this."),
        ),
        Transition(
            "cancel",
            source=[CampaignStatus.DRAFT, CampaignStatus.RUNNING],
            targets=[CampaignStatus.CANCELLED],
            may=_owner_or_staff,
            refusal=_("Only the campaign's owner or survey staff can do this."),
        ),
        history=lambda campaign: campaign.status_changes,
        wrong_state=_("A campaign that is %(old)s cannot become %(new)s."),
    )

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("The campaign cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:campaign", args=[self.pk])

    def may_edit(self, user) -> bool:
        """Recipients, distribution and the letter change while the campaign is not over."""
        return _owner_or_staff(self, user) and self.status in (CampaignStatus.DRAFT, CampaignStatus.RUNNING)

    def may_edit_letter(self, user) -> bool:
        return _owner_or_staff(self, user) and self.status != CampaignStatus.CANCELLED

    @property
    def accepts_answers(self) -> bool:
        return self.status == CampaignStatus.RUNNING

    def link_expires_at(self):
        """Links work until the end of ``ends_on`` (local time)."""
        import datetime as dt

        end = dt.datetime.combine(self.ends_on, dt.time.max)
        return timezone.make_aware(end) if settings.USE_TZ else end

    def start(self, *, by) -> None:
        self.workflow.check(self, "start", by=by)
        count = self.recipients.count()
        if not count:
            raise ValidationError(
                gettext("Add recipients before starting the campaign."), code="no_recipients"
            )
        if count < self.template.min_recipients:
            raise ValidationError(
                gettext("This survey needs at least %(min)s recipients; it has %(count)s.")
                % {"min": self.template.min_recipients, "count": count},
                code="too_few_recipients",
            )
        self.workflow.run(self, "start", by=by)

    def close(self, *, by) -> None:
        self.workflow.run(self, "close", by=by)

    def reopen(self, *, by) -> None:
        self.workflow.check(self, "reopen", by=by)
        if self.ends_on < timezone.localdate():
            raise ValidationError(
                gettext("The campaign's end date has passed: move it later before reopening."),
                code="campaign_ended",
            )
        self.workflow.run(self, "reopen", by=by)

    def publish(self, *, by) -> None:
        self.workflow.check(self, "publish", by=by)
        self.workflow.run(self, "publish", by=by, changes={"published_at": timezone.now()})

    def cancel(self, *, by, reason: str) -> None:
        self.workflow.check(self, "cancel", by=by)
        if not reason.strip():
            raise ValidationError(
                {"reason": gettext("Give a reason for cancelling the campaign.")}, code="required"
            )
        self.workflow.run(self, "cancel", by=by, comment=reason)


class CampaignStatusChange(StatusChange):
    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("campaign status change")
        verbose_name_plural = _("campaign status changes")

    @property
    def new_status_label(self) -> str:
        return (
            str(CampaignStatus(self.new_status).label)
            if self.new_status in CampaignStatus.values
            else self.new_status
        )


def _new_link_key() -> str:
    return secrets.token_urlsafe(18)


class Recipient(models.Model):
    """One customer or household of a campaign: how the questionnaire reached them, whether it came back."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_recipients",
    )
    channel = models.CharField(_("distributed by"), max_length=10, choices=Channel.choices, blank=True)
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    distributed_by = models.ForeignKey(
        USER,
        verbose_name=_("distributed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The secret behind the recipient's link (never shown as such: the link carries it signed).
    link_key = models.CharField(
        _("link key"), max_length=32, unique=True, default=_new_link_key, editable=False
    )
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["campaign", "customer__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                name="%(app_label)s_%(class)s_unique_customer",
                violation_error_message=_("This customer is already a recipient of the campaign."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"

    @property
    def token(self) -> str:
        return signing.Signer(salt=LINK_SALT).sign(self.link_key)

    def link_path(self) -> str:
        return reverse("surveys:answer", args=[self.token])

    @property
    def is_distributed(self) -> bool:
        return self.distributed_at is not None


class SurveyResponse(TimeStampedModel):
    """One returned questionnaire: for a campaign's recipient, or a check after a visit, repair or complaint."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="responses"
    )
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
    )
    recipient = models.OneToOneField(
        Recipient,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    touch = models.ForeignKey(
        "visits.Touch",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("how it came back"), max_length=10, choices=ResponseSource.choices)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(_("answered on"))
    respondent = models.CharField(_("respondent"), max_length=60, blank=True)
    opinion = models.TextField(_("opinions and suggestions"), blank=True)
    opinion_group = models.ForeignKey(
        "OpinionGroup",
        verbose_name=_("opinion group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_on", "-pk"]
        indexes = [models.Index(fields=["template", "answered_on"], name="surveys_response_template_day")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.answered_on}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response", args=[self.pk])


class Answer(models.Model):
    """One item's answer; a blank item has no row (blanks never count, R-SURV-3)."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        SurveyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.CharField(_("answer"), max_length=20)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"],
                name="%(app_label)s_%(class)s_unique_item",
                violation_error_message=_("Each item is answered once."),
            )
        ]
        indexes = [models.Index(fields=["item", "value"], name="surveys_answer_item_value")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class OpinionGroup(models.Model):
    """A common opinion (共性意见): free-text answers grouped under one editable heading (R-SURV-3)."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="opinion_groups"
    )
    name = models.CharField(_("common opinion"), max_length=120)
    item = models.ForeignKey(
        SurveyItem, verbose_name=_("item"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("opinion group")
        verbose_name_plural = _("opinion groups")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This campaign already has a group of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rectification(TimeStampedModel):
    """What will be done about an item, by whom and by when (R-SURV-3; the letter's 改进措施)."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="rectifications"
    )
    item = models.ForeignKey(SurveyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    action = models.TextField(_("what will be done"))
    owner = models.ForeignKey(USER, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["campaign", "item__order", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.action[:30]}"
