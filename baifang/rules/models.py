"""Visit rules as data, seasons, and special-visit obligations (R-FREQ-1..8, R-OBL-3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from baifang.core.models import TimeStampedModel
from baifang.rules import engine
from baifang.rules.choices import (
    RULE_CHANNEL_TOUCHES,
    CountedBy,
    EventKind,
    Geography,
    OffsetUnit,
    Period,
    Responsible,
    RuleChannel,
    SpecialTrigger,
)

USER = settings.AUTH_USER_MODEL


class Season(models.Model):
    """A named set of yearly date ranges, e.g. the cement peak season (R-FREQ-5)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")

    def __str__(self) -> str:
        return self.name

    def engine_ranges(self) -> list[engine.SeasonRange]:
        return [r.as_engine() for r in self.ranges.all()]


class SeasonRange(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="ranges"
    )
    start_month = models.PositiveSmallIntegerField(
        _("from month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    start_day = models.PositiveSmallIntegerField(
        _("from day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("to month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_day = models.PositiveSmallIntegerField(
        _("to day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        verbose_name = _("season range")
        verbose_name_plural = _("season ranges")

    def __str__(self) -> str:
        return f"{self.start_month:02d}-{self.start_day:02d} – {self.end_month:02d}-{self.end_day:02d}"

    def as_engine(self) -> engine.SeasonRange:
        return engine.SeasonRange(self.start_month, self.start_day, self.end_month, self.end_day)


class VisitRuleQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> VisitRuleQuerySet:
        """Rule versions valid on ``day``: closed periods use the rules in force then."""
        return self.filter(is_active=True, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def visible_to(self, user):
        return self if user is not None and user.is_authenticated else self.none()


class VisitRule(TimeStampedModel):
    """For tier T of scheme S, the responsible person makes ≥ N touches of channel C per period (R-FREQ-1).

    Rules are versioned: changing a rule that has been in force closes it (valid_to) and starts a
    new version, so obligations of past periods keep the rules of their time.
    """

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    scheme = models.ForeignKey(
        "tiers.ClassificationScheme",
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="visit_rules",
    )
    tier = models.ForeignKey(
        "tiers.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="visit_rules"
    )
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=Responsible.choices, default=Responsible.OWNER
    )
    counted_by_anyone = models.BooleanField(
        _("anyone's touch counts"),
        default=False,
        help_text=_("Otherwise only the responsible person's touches count."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RuleChannel.choices)
    period = models.CharField(_("period"), max_length=12, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(_("at least"), validators=[MinValueValidator(1)])
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum duration (min)"), null=True, blank=True
    )
    appointment_lead_hours = models.PositiveSmallIntegerField(
        _("appointment lead time (h)"), null=True, blank=True
    )
    first_due_day = models.PositiveSmallIntegerField(
        _("first touch by day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("For monthly rules: the first touch of the month is due by this day (e.g. 10)."),
    )
    season = models.ForeignKey(
        Season,
        verbose_name=_("season"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    geography = models.CharField(
        _("geography"), max_length=16, choices=Geography.choices, default=Geography.ANY
    )
    valid_from = models.DateField(_("valid from"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_("The regulation this rule comes from.")
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = VisitRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["scheme", "tier__rank", "responsible", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                name="%(app_label)s_%(class)s_unique_code_version",
                violation_error_message=_("A rule version with this code already starts on this date."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_range",
                violation_error_message=_("A rule cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.tier_id and self.scheme_id and self.tier.scheme_id != self.scheme_id:
            raise ValidationError({"tier": _("The tier must belong to the rule's scheme.")})
        if self.first_due_day and self.period != Period.MONTH:
            raise ValidationError({"first_due_day": _("A first-touch day only applies to monthly rules.")})

    @property
    def touch_channels(self) -> tuple[str, ...]:
        return RULE_CHANNEL_TOUCHES[self.channel]

    def describe(self) -> str:
        """One line such as "A类 · 驻点营销员 · 每周至少 1 次走访"."""
        return _("%(tier)s · %(who)s · at least %(n)d × %(channel)s per %(period)s") % {
            "tier": self.tier.name,
            "who": self.get_responsible_display(),
            "n": self.min_count,
            "channel": self.get_channel_display(),
            "period": self.get_period_display(),
        }


class ReturnVisitRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user is not None and user.is_authenticated else self.none()


_SCHEDULE_PROBLEMS = {
    "unit": ("offset_unit", _("Unknown unit.")),
    "offset": ("offset", _("The offset cannot be negative.")),
    "repeat_pair": (
        "repeat_until_months",
        _("A repeat needs both its interval and how long it lasts (e.g. every 6 months for 24 months)."),
    ),
    "repeat_positive": (
        "repeat_every_months",
        _("A repeat interval and its length must be at least a month."),
    ),
    "repeat_never": (
        "repeat_until_months",
        _("The repeat would never happen: it ends before the first repeat is due."),
    ),
    "repeat_too_many": (
        "repeat_until_months",
        _("This repeat makes too many return visits (at most 60 per event)."),
    ),
}


class ReturnVisitRule(TimeStampedModel):
    """When event E happens to a customer, the responsible person owes N touches of channel C within an
    offset, optionally repeating every P months until Q months after the event (R-FREQ-9).

    Each return visit owed becomes a ``SpecialVisit`` (trigger ``return_visit``), an obligation "due
    now" like R-OBL-3's: it shows in the due list, the compliance page and plan generation.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    event = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=Responsible.choices, default=Responsible.OWNER
    )
    counted_by_anyone = models.BooleanField(
        _("anyone's touch counts"),
        default=False,
        help_text=_("Otherwise only the responsible person's touches count."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RuleChannel.choices)
    min_count = models.PositiveSmallIntegerField(
        _("at least"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    offset = models.PositiveSmallIntegerField(
        _("due within"),
        validators=[MaxValueValidator(366)],
        help_text=_("After the event, in the unit below."),
    )
    offset_unit = models.CharField(
        _("unit"), max_length=10, choices=OffsetUnit.choices, default=OffsetUnit.WORKDAYS
    )
    repeat_every_months = models.PositiveSmallIntegerField(
        _("then every (months)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    repeat_until_months = models.PositiveSmallIntegerField(
        _("until (months after the event)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    scheme = models.ForeignKey(
        "tiers.ClassificationScheme",
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visit_rules",
    )
    tier = models.ForeignKey(
        "tiers.Tier",
        verbose_name=_("only customers of tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visit_rules",
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_("The regulation this rule comes from.")
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ReturnVisitRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("return-visit rule")
        verbose_name_plural = _("return-visit rules")
        ordering = ["event", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        problem = engine.schedule_problem(
            self.offset or 0, self.offset_unit, self.repeat_every_months, self.repeat_until_months
        )
        if problem:
            field, message = _SCHEDULE_PROBLEMS[problem]
            raise ValidationError({field: ValidationError(message, code="impossible_window")})
        if self.tier_id and self.scheme_id and self.tier.scheme_id != self.scheme_id:
            raise ValidationError({"tier": _("The tier must belong to the rule's scheme.")})
        if self.tier_id and not self.scheme_id:
            self.scheme_id = self.tier.scheme_id

    @property
    def touch_channels(self) -> tuple[str, ...]:
        return RULE_CHANNEL_TOUCHES[self.channel]

    def describe(self) -> str:
        """One line such as "修理完成 · 10 个工作日内 · 电话 ≥1"."""
        text = _("%(event)s · within %(n)d %(unit)s · at least %(count)d × %(channel)s") % {
            "event": self.get_event_display(),
            "n": self.offset,
            "unit": self.get_offset_unit_display(),
            "count": self.min_count,
            "channel": self.get_channel_display(),
        }
        if self.repeat_every_months:
            text += _(" · then every %(every)d months until month %(until)d") % {
                "every": self.repeat_every_months,
                "until": self.repeat_until_months,
            }
        return text


class SpecialVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(responsible=user)
        )

    def open(self):
        return self.filter(fulfilled_at__isnull=True, cancelled=False)

    def opened_by(self, moment):
        """Those whose window is open at ``moment``: a later return visit is not owed yet, and one whose
        window closed (the next occurrence's opened) can no longer be met — it stays missed (R-FREQ-9)."""
        return self.filter(models.Q(opens_at__isnull=True) | models.Q(opens_at__lte=moment)).filter(
            models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=moment)
        )


class SpecialVisit(TimeStampedModel):
    """A visit owed now because something happened (R-OBL-3); fulfilled by the next visit."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="special_visits",
    )
    trigger = models.CharField(_("trigger"), max_length=24, choices=SpecialTrigger.choices)
    responsible = models.ForeignKey(
        USER, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="special_visits"
    )
    raised_by = models.ForeignKey(
        USER, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilled_by_touch = models.ForeignKey(
        "visits.Touch",
        verbose_name=_("fulfilled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # A retried request for the same trigger never raises twice (e.g. the complaint's id).
    dedup_key = models.CharField(_("source reference"), max_length=80, blank=True)
    # What fulfils it: ``required`` counted touches of ``channel`` (by the responsible person unless
    # ``anyone_counts``) between ``opens_at`` (default: when raised) and ``closes_at`` (exclusive).
    channel = models.CharField(
        _("channel"), max_length=10, choices=RuleChannel.choices, default=RuleChannel.VISIT
    )
    required = models.PositiveSmallIntegerField(_("at least"), default=1, validators=[MinValueValidator(1)])
    anyone_counts = models.BooleanField(_("anyone's touch counts"), default=False)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes before"), null=True, blank=True)
    # Event-driven return visits (R-FREQ-9): the rule, the event's day and which occurrence this is.
    return_rule = models.ForeignKey(
        ReturnVisitRule,
        verbose_name=_("return-visit rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="special_visits",
    )
    event_on = models.DateField(_("event date"), null=True, blank=True)
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=0)

    objects = SpecialVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("special visit")
        verbose_name_plural = _("special visits")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "trigger", "dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="%(app_label)s_%(class)s_unique_trigger_ref",
                violation_error_message=_("This special visit was already raised."),
            )
        ]
        indexes = [
            # The open special visits of one person (due list).
            models.Index(fields=["responsible", "fulfilled_at", "due_on"], name="visit_rules_special_open"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.label}"

    @property
    def label(self) -> str:
        """What is owed: the return-visit rule's name (with its occurrence), else the trigger."""
        if self.return_rule_id and self.return_rule is not None:
            if self.occurrence:
                return _("%(rule)s (no. %(n)d)") % {"rule": self.return_rule.name, "n": self.occurrence + 1}
            return self.return_rule.name
        return self.get_trigger_display()


class ComplianceWindow(models.Model):
    """One rule's period window whose per-customer touch counts are kept current (R-OBL-2, R-SCALE-1).

    The counting conditions are copied from the rule when the window is built, so database
    triggers keep the counts exact on every write to touches, owners and units, whatever the path
    (ORM, ``bulk_create``, raw SQL, ``COPY``). A window whose copy no longer matches its rule, or
    that a change of positions invalidated, is not used: compliance falls back to live SQL for it.
    """

    rule = models.ForeignKey(
        VisitRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="compliance_windows"
    )
    starts_on = models.DateField(pgettext_lazy("period", "from"))
    ends_on = models.DateField(pgettext_lazy("period", "to"))
    # Local midnights as stored datetimes, so the triggers compare touches without time-zone maths:
    # a touch counts when starts_at <= started_at < ends_at.
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends before"))
    # The rule's touch channels as ",phone,visit," (one LIKE in the triggers, on both databases).
    channels = models.CharField(_("channels"), max_length=100)
    min_duration_seconds = models.PositiveIntegerField(_("minimum duration (s)"), default=0)
    counted_by = models.CharField(_("counted by"), max_length=20, choices=CountedBy.choices)
    is_valid = models.BooleanField(_("valid"), default=True)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("kept compliance window")
        verbose_name_plural = _("kept compliance windows")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "starts_on"],
                name="%(app_label)s_%(class)s_unique_rule_start",
                violation_error_message=_("This rule's window is already kept."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.starts_on}–{self.ends_on}"

    @staticmethod
    def channel_key(channels) -> str:
        return "," + ",".join(sorted(channels)) + ","

    @staticmethod
    def counted_by_of(rule: VisitRule) -> str:
        return CountedBy.ANYONE if rule.counted_by_anyone else rule.responsible

    def matches(self, rule: VisitRule, win: engine.Window, starts_at, ends_at) -> bool:
        """True when this window counts exactly what ``rule`` counts in ``win`` today."""
        return (
            self.is_valid
            and self.rule_id == rule.pk
            and (self.starts_on, self.ends_on) == (win.start, win.end)
            and (self.starts_at, self.ends_at) == (starts_at, ends_at)
            and self.channels == self.channel_key(rule.touch_channels)
            and self.min_duration_seconds == (rule.min_duration_minutes or 0) * 60
            and self.counted_by == self.counted_by_of(rule)
        )


class ComplianceTally(models.Model):
    """How many touches of one customer count toward one kept window (maintained by triggers).

    No database foreign keys: triggers write these rows inside other tables' writes, and a
    customer's deletion must never fail on a counter. Rows of deleted customers or windows are
    harmless (reads join customers and windows) and go at the next rebuild.
    """

    pk = models.CompositePrimaryKey("window", "customer")
    window = models.ForeignKey(
        ComplianceWindow, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    done = models.IntegerField(_("touches"))
    # Touches waiting for their supervisor's review: they count only once accepted (R-VISIT-8).
    pending = models.IntegerField(_("touches pending review"), default=0)

    class Meta:
        verbose_name = _("compliance tally")
        verbose_name_plural = _("compliance tallies")

    def __str__(self) -> str:
        return f"{self.window_id}:{self.customer_id}={self.done}"
