"""Touches, visits (check-in/out), flags, visit records and their review (R-VISIT-1..5)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import AuditAction, CoordinateSystem
from baifang.core.models import StatusChange
from baifang.core.validators import validate_latitude, validate_longitude
from baifang.core.workflow import Transition, Workflow
from baifang.org.choices import UNIT_MANAGER_KINDS, PositionKind
from baifang.routing import CRS, Point
from baifang.visits import conf, counting, engine
from baifang.visits.choices import (
    Channel,
    CountState,
    FlagKind,
    IdempotentAction,
    Purpose,
    RecordStatus,
    ReviewDecision,
    SignatureMethod,
)
from baifang.visits.exceptions import InvalidTransition

USER = settings.AUTH_USER_MODEL

# What the check-in page sends when the phone gives no position (static/baifang/visits.js, from the
# browser's GeolocationPositionError code); stored as sent, shown in the user's language (R-UX-1).
LOCATION_ERRORS = {
    "permission denied": _("location permission refused on the phone"),
    "position unavailable": _("the phone could not find its position"),
    "timeout": _("the phone took too long to find its position"),
    "error": _("the phone reported a location error"),
    "unavailable: no geolocation in this browser": _("this browser cannot give a location"),
}


def _local(iso: str | None) -> str:
    """An ISO time kept in a flag's detail, as local "YYYY-MM-DD HH:MM" (or as kept when unreadable)."""
    try:
        return f"{timezone.localtime(dt.datetime.fromisoformat(iso)):%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        return iso or ""


def location_error_text(reported: str) -> str:
    """The reason a check-in has no location, for people: a known browser code translated, else as reported."""
    return str(LOCATION_ERRORS.get(reported, reported))


class TouchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Touches of customers the user may see, plus the user's own touches (R-ORG-4)."""
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(user=user)
        )

    def visits(self):
        return self.filter(channel=Channel.VISIT)

    def flagged(self):
        return self.filter(models.Exists(VisitFlag.objects.filter(touch=models.OuterRef("pk"))))

    def for_lists(self):
        """Everything a visit list shows, in a fixed number of queries."""
        return self.select_related("customer", "user", "record").prefetch_related("flags")

    def counted(self):
        """Touches that count toward obligations (R-VISIT-8)."""
        return self.filter(count_state=CountState.COUNTED)

    def recount_states(self) -> int:
        """Decide again whether each touch counts, set-based (after a settings change; nightly)."""
        return counting.recount(self, VisitFlag, conf.counting_policy())


class Touch(models.Model):
    """A contact with a customer by one of our people, on some channel, at some time (R-VISIT-5).

    An on-site visit is a touch whose start is the check-in and whose end is the check-out (R-VISIT-1).
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="touches"
    )
    user = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="touches")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Stored so rule minimum durations are one portable comparison in SQL (R-FREQ-4).
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.WGS84
    )
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    location_error = models.CharField(
        _("why no location"), max_length=120, blank=True, help_text=_("As reported by the phone.")
    )
    distance_m = models.PositiveIntegerField(_("distance to customer (m)"), null=True, blank=True)
    # The strictest visit rule's minimum for this customer at check-in time (R-VISIT-1).
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum duration (min)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Why the rep checked in while another visit was still open; such a visit is flagged (R-VISIT-1).
    overlap_reason = models.CharField(_("reason for a second open visit"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Made offline and sent later (R-UX-2): the phone's clock at check-in and check-out, and how far
    # that clock was off the server's when it sent them (seconds, phone minus server).
    device_time = models.DateTimeField(_("phone time at check-in"), null=True, blank=True, editable=False)
    device_ended_at = models.DateTimeField(
        _("phone time at check-out"), null=True, blank=True, editable=False
    )
    clock_skew_seconds = models.IntegerField(
        _("phone clock off by (s)"), null=True, blank=True, editable=False
    )
    # What counts as done (R-VISIT-8): decided by ``decide_count_state`` alone, stored so every count
    # (live SQL, kept windows and their triggers, plans) is one comparison.
    count_state = models.CharField(
        _("counts toward obligations"),
        max_length=16,
        choices=CountState.choices,
        default=CountState.COUNTED,
        editable=False,
    )
    review_decision = models.CharField(
        _("review decision"), max_length=10, choices=ReviewDecision.choices, blank=True, editable=False
    )
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)

    objects = TouchQuerySet.as_manager()

    class Meta:
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        ordering = ["-started_at"]
        indexes = [
            # Compliance: touches of a window, aggregated per customer (R-OBL-2).
            models.Index(fields=["started_at", "channel"], name="visits_touch_window"),
            # A customer's touches, newest first (detail page, obligations tab).
            models.Index(fields=["customer", "started_at"], name="visits_touch_customer"),
            # A person's touches in a window (leaders' and managers' rules).
            models.Index(fields=["user", "started_at"], name="visits_touch_user"),
            # Reused-coordinates check: other check-ins at the same point (R-VISIT-2).
            models.Index(fields=["latitude", "longitude"], name="visits_touch_point"),
            # Visits waiting for their supervisor's review (R-VISIT-8): few rows, found at once.
            models.Index(
                fields=["user", "started_at"],
                condition=models.Q(count_state="pending_review"),
                name="visits_touch_pending_review",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A touch cannot end before it starts."),
            ),
            # One open on-site visit per rep, unless a second was opened on purpose with a reason:
            # two concurrent check-ins cannot both pass (R-VISIT-1).
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(channel=Channel.VISIT, ended_at__isnull=True, overlap_reason=""),
                name="%(app_label)s_%(class)s_one_open_visit_per_user",
                violation_error_message=_("You are still checked in at another customer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} {self.get_channel_display()} {self.customer}"

    def save(self, *args, **kwargs):
        if self.ended_at and self.started_at:
            self.duration_seconds = int((self.ended_at - self.started_at).total_seconds())
        self.count_state = self.decide_count_state()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "count_state"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("visits:detail", args=[self.pk])

    def get_location_error_display(self) -> str:
        """Why the check-in has no location, in the user's language."""
        return location_error_text(self.location_error)

    def decide_count_state(self, flag_kinds=None) -> str:
        """Whether this touch counts toward obligations now (R-VISIT-8; the rule: ``engine.count_state``)."""
        if flag_kinds is None:
            flag_kinds = self.flags.values_list("kind", flat=True) if self.pk else ()
        return engine.count_state(
            on_site=self.channel == Channel.VISIT,
            checked_out=self.ended_at is not None,
            flags=flag_kinds,
            decision=self.review_decision,
            policy=conf.counting_policy(),
        )

    def refresh_count_state(self) -> str:
        """Decide again and store the decision if it changed (after a flag, check-out or review)."""
        state = self.decide_count_state()
        if state != self.count_state:
            Touch.objects.filter(pk=self.pk).update(count_state=state)
            self.count_state = state
        return state

    def decide_review(self, decision: str, *, by, comment: str = "") -> None:
        """Record the supervisor's decision on a visit pending review; decided once (R-VISIT-8)."""
        if self.count_state != CountState.PENDING_REVIEW or self.review_decision:
            raise InvalidTransition(gettext("Only a visit pending review can be accepted or rejected."))
        self.review_decision = decision
        self.reviewed_by, self.reviewed_at, self.review_comment = by, timezone.now(), comment
        self.save(
            update_fields=["review_decision", "reviewed_by", "reviewed_at", "review_comment", "count_state"]
        )

    @property
    def serious_flags(self) -> list:
        """The flags that hold this visit for review under the company's settings (R-VISIT-8)."""
        serious = conf.counting_policy().serious_flags
        return [flag for flag in self.flags.all() if flag.kind in serious]

    @property
    def is_pending_review(self) -> bool:
        return self.count_state == CountState.PENDING_REVIEW

    @property
    def point(self) -> Point | None:
        if self.latitude is None or self.longitude is None:
            return None
        return Point(float(self.latitude), float(self.longitude), CRS(self.coordinate_system))

    @property
    def is_open_visit(self) -> bool:
        return self.channel == Channel.VISIT and self.ended_at is None

    @property
    def duration_minutes(self) -> float | None:
        return None if self.duration_seconds is None else round(self.duration_seconds / 60, 1)


class VisitFlag(models.Model):
    """One reason a visit looks doubtful, with the numbers that explain it (R-VISIT-2)."""

    touch = models.ForeignKey(Touch, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=16, choices=FlagKind.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit flag")
        verbose_name_plural = _("visit flags")
        ordering = ["touch", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["touch", "kind"],
                name="%(app_label)s_%(class)s_unique_touch_kind",
                violation_error_message=_("This visit already has this flag."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.touch_id} {self.get_kind_display()}"

    def explanation(self) -> str:
        """The flag in one sentence, with its numbers."""
        d = self.detail or {}
        texts = {
            FlagKind.NO_LOCATION: lambda: (
                gettext("The phone gave no location at check-in (%(why)s).")
                % {"why": location_error_text(d.get("why") or "") or gettext("refused or unavailable")}
            ),
            FlagKind.FAR: lambda: (
                gettext("Checked in %(distance)s m from the customer; the limit is %(radius)s m.")
                % {"distance": d.get("distance_m"), "radius": d.get("radius_m")}
            ),
            FlagKind.TOO_SHORT: lambda: (
                gettext("Lasted %(minutes)s min; the rule asks for at least %(minimum)s min.")
                % {"minutes": d.get("minutes"), "minimum": d.get("minimum")}
            ),
            FlagKind.SPEED: lambda: (
                gettext(
                    "%(km)s km from the previous check-in in %(minutes)s min (%(kmh)s km/h; more than %(max)s km/h)."
                )
                % {
                    "km": d.get("km"),
                    "minutes": d.get("minutes"),
                    "kmh": d.get("kmh") or "∞",
                    "max": d.get("max_kmh"),
                }
            ),
            FlagKind.REUSED: lambda: (
                gettext("The same coordinates were used at check-ins for %(n)s other customer(s).")
                % {"n": d.get("customers")}
            ),
            FlagKind.OUTSIDE_HOURS: lambda: (
                gettext("Checked in at %(at)s; the customer is open %(opens)s–%(closes)s.")
                % {"at": d.get("at"), "opens": d.get("opens"), "closes": d.get("closes")}
            ),
            FlagKind.OVERLAP: lambda: (
                gettext("Checked in while the visit at %(customer)s was still open: %(reason)s")
                % {"customer": d.get("customer"), "reason": d.get("reason")}
            ),
            FlagKind.CLOCK: lambda: (
                gettext(
                    "The phone's clock was %(minutes)s min off the server's (allowed: %(max)s min); "
                    "the time was corrected to %(at)s."
                )
                % {"minutes": d.get("skew_minutes"), "max": d.get("max_minutes"), "at": _local(d.get("at"))}
            ),
            FlagKind.LATE_RECORD: lambda: (
                gettext("Record submitted %(days)s days after the visit; allowed: %(allowed)s days.")
                % {"days": d.get("days"), "allowed": d.get("allowed")}
            ),
        }
        return texts[self.kind]() if self.kind in texts else self.get_kind_display()


@receiver([post_save, post_delete], sender=VisitFlag, dispatch_uid="visits_flag_count_state")
def _flag_changed(sender, instance: VisitFlag, **kwargs) -> None:
    """A flag added or removed, on any path: the visit's count state is decided again (R-VISIT-8)."""
    touch = Touch.objects.filter(pk=instance.touch_id).first()
    if touch is not None:
        touch.refresh_count_state()


class VisitChecklist(models.Model):
    """An industry checklist attached to every visit record while active (R-VISIT-3).

    Shipped inactive: the eight channel actions (seed 000) and the seven tobacco visit contents
    (seed 003); an administrator or a preset turns on the ones the company uses.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    items = models.JSONField(_("items"), default=list, help_text=_("A list of item texts."))
    is_active = models.BooleanField(_("active"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("visit checklist")
        verbose_name_plural = _("visit checklists")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class VisitRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Records of visits the user may see (R-ORG-4)."""
        return self.filter(touch__in=Touch.objects.visible_to(user).values("pk"))

    def reviewed_by(self, user):
        """Records ``user`` reviews, in any status: a manager's unit subtree, or reps they supervise
        (R-VISIT-4); never one's own. Reviewing decides on the rep's work: not through a read-only
        archive grant (R-ARCH-8)."""
        from baifang.customers.models import Customer

        if user is None or not user.is_authenticated:
            return self.none()
        condition = models.Q(touch__user__supervisor_override=user)
        if user.has_position(*UNIT_MANAGER_KINDS, PositionKind.ADMIN):
            condition |= models.Q(touch__customer__in=Customer.objects.editable_by(user).values("pk"))
        return self.filter(condition).exclude(touch__user=user)


def _is_the_rep(record: VisitRecord, user) -> bool:
    return record.touch.user_id == user.pk


def _reviews(record: VisitRecord, user) -> bool:
    return VisitRecord.objects.reviewed_by(user).filter(pk=record.pk).exists()


# The states in which the rep writes the record.
REP_WRITES = (RecordStatus.DRAFT, RecordStatus.RETURNED)


class VisitRecord(models.Model):
    """The 客户拜访记录表 of one visit, submitted by the rep and signed by the supervisor (R-VISIT-3/4)."""

    # R-VISIT-4: the rep submits a draft (or a returned record); the reviewer signs it off or returns it.
    workflow = Workflow(
        Transition("submit", source=REP_WRITES, targets=[RecordStatus.SUBMITTED], may=_is_the_rep),
        Transition(
            "sign",
            source=[RecordStatus.SUBMITTED],
            targets=[RecordStatus.SIGNED],
            may=_reviews,
            audit_action=AuditAction.APPROVE,
        ),
        Transition(
            "return",
            source=[RecordStatus.SUBMITTED],
            targets=[RecordStatus.RETURNED],
            may=_reviews,
            audit_action=AuditAction.REJECT,
        ),
        history=lambda record: record.status_changes,
        wrong_state=_("A record that is %(old)s cannot become %(new)s."),
    )

    touch = models.OneToOneField(
        Touch, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="record"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    our_participants = models.CharField(_("our participants"), max_length=200, blank=True)
    customer_participants = models.CharField(_("customer's participants"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, blank=True)
    content = models.TextField(_("content"), blank=True)
    feedback = models.TextField(_("customer feedback and needs"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    competitor_info = models.TextField(_("competitor information"), blank=True)
    stock_observed = models.TextField(_("stock observed"), blank=True)
    promises = models.TextField(_("promises made"), blank=True)
    next_step = models.TextField(_("agreed next step"), blank=True)
    follow_up_plan = models.TextField(_("follow-up plan"), blank=True)
    checklist = models.JSONField(
        _("checklist"), default=dict, blank=True, help_text=_("Checked items per checklist.")
    )
    customer_signature_method = models.CharField(
        _("customer's signature"), max_length=8, choices=SignatureMethod.choices, blank=True
    )
    customer_signed_name = models.CharField(_("customer's name as signed"), max_length=60, blank=True)
    customer_signature = models.ImageField(
        _("customer's signature image"), upload_to="visits/signatures/%Y/%m/", blank=True
    )
    rep_signature_method = models.CharField(
        _("rep's signature"), max_length=8, choices=SignatureMethod.choices, blank=True
    )
    rep_signed_name = models.CharField(_("rep's name as signed"), max_length=60, blank=True)
    rep_signature = models.ImageField(
        _("rep's signature image"), upload_to="visits/signatures/%Y/%m/", blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("submitted late"), default=False)
    # Saved on the phone offline and sent later (R-UX-2): the phone's clock when the rep saved it.
    device_time = models.DateTimeField(_("phone time when saved"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VisitRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-touch__started_at"]
        indexes = [
            # The review queue: submitted records, oldest first.
            models.Index(fields=["status", "submitted_at"], name="visits_record_queue"),
        ]

    def __str__(self) -> str:
        return gettext("Record of %(visit)s") % {"visit": self.touch}

    @property
    def is_editable(self) -> bool:
        return self.status in REP_WRITES

    @property
    def is_returned(self) -> bool:
        """Sent back by the reviewer: the form shows their comment."""
        return self.status == RecordStatus.RETURNED

    @property
    def status_tone(self) -> str:
        """The badge colour of the status: signed is good, returned bad, submitted waiting."""
        tones = {RecordStatus.SIGNED: "ok", RecordStatus.RETURNED: "bad", RecordStatus.SUBMITTED: "warn"}
        return tones.get(self.status, "")

    def submit(self, *, by, late: bool = False) -> None:
        """The rep hands the record to the supervisor (R-VISIT-4)."""
        self.workflow.run(self, "submit", by=by, changes={"submitted_at": timezone.now(), "is_late": late})

    def sign(self, *, by, comment: str = "") -> None:
        """The supervisor signs the record off (R-VISIT-4)."""
        self.workflow.run(self, "sign", by=by, comment=comment, changes=self._review(by, comment))

    def return_(self, *, by, reason: str) -> None:
        """The supervisor sends the record back to the rep with comments (R-VISIT-4)."""
        self.workflow.check(self, "return", by=by)
        if not reason.strip():
            raise InvalidTransition(gettext("Say what should be changed when returning a record."))
        self.workflow.run(self, "return", by=by, comment=reason, changes=self._review(by, reason))

    @staticmethod
    def _review(by, comment: str) -> dict:
        return {"reviewed_by": by, "reviewed_at": timezone.now(), "review_comment": comment}


class RecordStatusChange(StatusChange):
    """One step of a record's history: who moved it from which status to which, and why (core.workflow)."""

    record = models.ForeignKey(
        VisitRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(
        pgettext_lazy("status", "from"), max_length=12, choices=RecordStatus.choices
    )
    new_status = models.CharField(pgettext_lazy("status", "to"), max_length=12, choices=RecordStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("record status change")
        verbose_name_plural = _("record status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.old_status} → {self.new_status}"


class VisitPhoto(models.Model):
    """A photo taken at a visit, resized before it is stored (R-VISIT-3)."""

    touch = models.ForeignKey(Touch, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to="visits/photos/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name


class IdempotencyKey(models.Model):
    """The first answer to a request made with an idempotency key: a retry gets it back unchanged."""

    user = models.ForeignKey(USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=80)
    action = models.CharField(_("action"), max_length=12, choices=IdempotentAction.choices)
    # SHA-256 of (method, path, body): the key replays only the very request it was made for.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(_("status code"))
    body = models.JSONField(_("response"), encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="%(app_label)s_%(class)s_unique_user_key",
                violation_error_message=_("This request was already made."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
