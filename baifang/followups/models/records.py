"""Follow-up records, stage schemes moved by the follower and their history, touch reminders (R-FU-2, R-FU-3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baifang.followups.choices import FollowUpMethod

USER = settings.AUTH_USER_MODEL


class StageScheme(models.Model):
    """How a classification scheme is used as a stage (sales stage, close-time grade, intent, lifecycle)."""

    scheme = models.OneToOneField(
        "tiers.ClassificationScheme",
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="stage_settings",
    )
    moved_by_follower = models.BooleanField(
        _("moved by the follower"),
        default=True,
        help_text=_("The rep who follows the customer moves its stage, with a reason when going back."),
    )
    forward_is_lower = models.BooleanField(
        _("forward is the first tier"),
        default=True,
        help_text=_("On for sales stages (the first tier is closest to the deal); off for a lifecycle."),
    )
    is_lifecycle = models.BooleanField(
        _("lifecycle"),
        default=False,
        help_text=_("First order makes a customer 新签; a long-term contract 长期."),
    )

    class Meta:
        verbose_name = _("stage scheme")
        verbose_name_plural = _("stage schemes")

    def __str__(self) -> str:
        return str(self.scheme)


class StageHint(models.Model):
    """The suggested follow-up method for a stage (seed 002: 准客户 直接登门或电话 …), shown as a hint."""

    tier = models.OneToOneField(
        "tiers.Tier", verbose_name=_("stage"), on_delete=models.CASCADE, related_name="stage_hint"
    )
    methods = models.CharField(
        _("suggested methods"), max_length=120, help_text=_("Method codes separated by commas.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stage hint")
        verbose_name_plural = _("stage hints")

    def __str__(self) -> str:
        return f"{self.tier}: {self.methods}"

    def method_labels(self) -> list[str]:
        labels = dict(FollowUpMethod.choices)
        return [str(labels[m.strip()]) for m in self.methods.split(",") if m.strip() in labels]


class FollowUpRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))

    def for_lists(self):
        return self.select_related("customer", "follower", "stage", "touch")


class FollowUpRecord(models.Model):
    """One follow-up of a customer (seed 002 客户跟踪记录表, R-FU-2); it counts through its touch."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    follower = models.ForeignKey(USER, verbose_name=_("follower"), on_delete=models.PROTECT, related_name="+")
    touch = models.OneToOneField(
        "visits.Touch", verbose_name=_("touch"), on_delete=models.PROTECT, related_name="follow_up"
    )
    followed_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=16, choices=FollowUpMethod.choices)
    stage = models.ForeignKey(
        "tiers.Tier",
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=120)
    situation = models.TextField(_("situation"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_on = models.DateField(_("next date"), null=True, blank=True)
    # A double submit carries the same token and records one follow-up.
    client_token = models.CharField(_("submission token"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = FollowUpRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up record")
        verbose_name_plural = _("follow-up records")
        ordering = ["-followed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "client_token"],
                condition=~models.Q(client_token=""),
                name="followups_record_unique_token",
            )
        ]
        indexes = [models.Index(fields=["customer", "-followed_on"], name="followups_record_customer_day")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.followed_on:%Y-%m-%d} · {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("followups:record", args=[self.pk])


class StageMoveQuerySet(models.QuerySet):
    def visible_to(self, user):
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(customer__in=Customer.objects.visible_to(user).values("pk"))


class StageMove(models.Model):
    """Every stage move: who, when, from, to, why (R-FU-2); ``automatic`` when the data moved it."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="stage_moves"
    )
    scheme = models.ForeignKey(
        "tiers.ClassificationScheme", verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="+"
    )
    from_tier = models.ForeignKey(
        "tiers.Tier",
        verbose_name=_("from stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        "tiers.Tier", verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    backwards = models.BooleanField(_("backwards"), default=False)
    automatic = models.BooleanField(_("moved by the data"), default=False)
    moved_by = models.ForeignKey(
        USER, verbose_name=_("moved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)
    record = models.ForeignKey(
        FollowUpRecord,
        verbose_name=_("follow-up record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stage_moves",
    )

    objects = StageMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["-moved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer}: {self.from_tier or '—'} → {self.to_tier}"


class TouchReminderRule(models.Model):
    """Remind the owner when a customer of this tier was not touched for N days, or never (R-FU-3)."""

    tier = models.OneToOneField(
        "tiers.Tier", verbose_name=_("tier"), on_delete=models.CASCADE, related_name="touch_reminder"
    )
    days = models.PositiveSmallIntegerField(_("not touched for (days)"))

    class Meta:
        verbose_name = _("touch reminder rule")
        verbose_name_plural = _("touch reminder rules")

    def __str__(self) -> str:
        return f"{self.tier}: {self.days}"
