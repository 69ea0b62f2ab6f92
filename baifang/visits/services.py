"""Visit services: check-in/out with flags, quick touches, records, review (R-VISIT-1..5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction, CoordinateSystem
from baifang.core.models import Notification
from baifang.core.validators import validate_coordinates, validate_sane_date
from baifang.customers.access import check_can_work_on
from baifang.org.choices import UNIT_MANAGER_KINDS, PositionKind
from baifang.routing import CRS, Point, point_problem
from baifang.visits import conf, engine, extensions, locations
from baifang.visits.choices import (
    QUICK_CHANNELS,
    Channel,
    CountState,
    FlagKind,
    RecordStatus,
    ReviewDecision,
    SignatureMethod,
)
from baifang.visits.exceptions import OpenVisitExists
from baifang.visits.models import Touch, VisitChecklist, VisitFlag, VisitPhoto, VisitRecord
from baifang.visits.signals import checked_in

RECORD_FIELDS = (
    "place",
    "our_participants",
    "customer_participants",
    "purpose",
    "content",
    "feedback",
    "problems",
    "competitor_info",
    "stock_observed",
    "promises",
    "next_step",
    "follow_up_plan",
)
# Besides the text fields, a company may require these before a record is submitted.
EXTRA_REQUIREMENTS = ("photos", "customer_signature", "rep_signature")


# -- the phone's clock (R-UX-2) -------------------------------------------------------------------


def device_clock(device_time: dt.datetime | None = None, sent_at: dt.datetime | None = None):
    """When an act sent from a phone (perhaps queued offline) happened, and whether its clock is wrong.

    ``device_time`` is the phone's clock at the act, ``sent_at`` its clock when it sent the request;
    see :func:`engine.device_clock`. Refused when either is no sane date or the act lies further back
    than ``TOUCH_MAX_DAYS_BACK`` days.
    """
    for name, value in (("device_time", device_time), ("sent_at", sent_at)):
        try:
            validate_sane_date(value)
        except ValidationError as exc:
            raise ValidationError({name: exc.error_list}) from exc
    now = timezone.now()
    clock = engine.device_clock(device_time, sent_at, now, 60 * int(conf.setting("CLOCK_SKEW_MAX_MINUTES")))
    days_back = int(conf.setting("TOUCH_MAX_DAYS_BACK"))
    if clock.at < now - dt.timedelta(days=days_back):
        raise ValidationError(
            {
                "device_time": ValidationError(
                    _("What was done on the phone can be sent at most %(days)s days afterwards.")
                    % {"days": days_back},
                    code="too_old",
                )
            }
        )
    return clock


def _note_clock(touch: Touch, clock) -> None:
    """Keep the largest clock error measured for the visit; flag it when beyond the setting (R-UX-2)."""
    if clock is None or clock.skew_seconds is None:
        return
    if touch.clock_skew_seconds is None or abs(clock.skew_seconds) > abs(touch.clock_skew_seconds):
        touch.clock_skew_seconds = clock.skew_seconds
        Touch.objects.filter(pk=touch.pk).update(clock_skew_seconds=clock.skew_seconds)
        _add_flags(touch, [clock.flag])


# -- check-in / check-out -------------------------------------------------------------------------


def rule_minimum_minutes(customer, day: dt.date) -> int | None:
    """The strictest minimum duration of the visit rules in force for the customer's tiers (R-VISIT-1)."""
    from baifang.rules.choices import RULE_CHANNEL_TOUCHES
    from baifang.rules.models import VisitRule

    visit_channels = [code for code, touches in RULE_CHANNEL_TOUCHES.items() if Channel.VISIT in touches]
    return (
        VisitRule.objects.in_force_on(day)
        .filter(tier__customer_tiers__customer=customer, channel__in=visit_channels)
        .aggregate(m=models.Max("min_duration_minutes"))["m"]
    )


def _as_checkin(touch: Touch | None) -> engine.CheckIn | None:
    if touch is None:
        return None
    return engine.CheckIn(touch.pk, touch.customer_id, touch.started_at, touch.point)


def _add_flags(touch: Touch, flags) -> list[VisitFlag]:
    saved = []
    for flag in flags:
        if flag is not None:
            obj, _created = VisitFlag.objects.update_or_create(
                touch=touch, kind=flag.kind, defaults={"detail": flag.detail}
            )
            saved.append(obj)
    return saved


def _reused_candidates(touch: Touch, policy: engine.Policy) -> list[engine.CheckIn]:
    """Other customers' check-ins at (almost) the same stored point; the engine decides."""
    tolerance = Decimal(1) / Decimal(10**policy.coordinate_decimals)
    others = (
        Touch.objects.visits()
        .filter(
            latitude__range=(touch.latitude - tolerance, touch.latitude + tolerance),
            longitude__range=(touch.longitude - tolerance, touch.longitude + tolerance),
            coordinate_system=touch.coordinate_system,
        )
        .exclude(customer_id=touch.customer_id)
        .only("pk", "customer_id", "started_at", "latitude", "longitude", "coordinate_system")[:50]
    )
    return [_as_checkin(o) for o in others]


def open_visit_of(user, *, lock: bool = False) -> Touch | None:
    """The rep's on-site visit still waiting for its check-out, if any (R-VISIT-1)."""
    visits = Touch.objects.visits().filter(user=user, ended_at__isnull=True).select_related("customer")
    if lock:
        visits = visits.select_for_update(of=("self",))
    return visits.order_by("-started_at", "-pk").first()


def _open_visit_error(open_visit: Touch) -> OpenVisitExists:
    return OpenVisitExists(
        _(
            "You are still checked in at %(customer)s since %(since)s (%(url)s). Check out there first, "
            "or give a reason to check in here anyway; the visit will then be flagged."
        )
        % {
            "customer": open_visit.customer.name,
            "since": f"{timezone.localtime(open_visit.started_at):%Y-%m-%d %H:%M}",
            "url": open_visit.get_absolute_url(),
        },
        open_visit,
    )


def _checked_point(latitude, longitude, coordinate_system: str) -> Point | None:
    """The phone's position, refused with a field-level message when impossible (R-VISIT-1)."""
    if latitude is None and longitude is None:
        return None
    validate_coordinates(latitude, longitude)
    point = Point(float(latitude), float(longitude), CRS(coordinate_system))
    if point_problem(point) is not None:
        raise ValidationError({"latitude": _("These coordinates are not a real place.")})
    return point


@transaction.atomic
def check_in(
    user,
    customer,
    *,
    latitude=None,
    longitude=None,
    coordinate_system: str = CoordinateSystem.WGS84,
    accuracy_m: int | None = None,
    location_error: str = "",
    at: dt.datetime | None = None,
    override_reason: str = "",
    clock=None,
) -> Touch:
    """Start an on-site visit where the phone is; flag what looks wrong (R-VISIT-1, R-VISIT-2).

    A refused or unavailable location never blocks the check-in: it is flagged "no location";
    impossible coordinates (latitude 91, longitude 500, 0/0) are refused. One visit is open per rep:
    checking in while another is open is refused, unless ``override_reason`` says why, which flags
    the new visit. The customer's appointment of the day is fulfilled (R-VISIT-6); a customer
    without coordinates gets a proposed location from a precise reading. ``clock`` (from
    :func:`device_clock`) places a check-in made offline at the time it happened (R-UX-2).
    """
    check_can_work_on(user, customer)  # a read-only grant never checks in (R-ARCH-8)
    at = at or (clock.at if clock is not None else None) or timezone.now()
    policy = conf.policy()
    point = _checked_point(latitude, longitude, coordinate_system)
    override_reason = (override_reason or "").strip()[:200]
    already_open = open_visit_of(user, lock=True)
    if already_open is not None and not override_reason:
        raise _open_visit_error(already_open)
    customer_point = customer.point
    distance = engine.distance_m(point, customer_point)
    touch = Touch(
        customer=customer,
        user=user,
        channel=Channel.VISIT,
        started_at=at,
        latitude=None if point is None else Decimal(str(round(point.lat, 6))),
        longitude=None if point is None else Decimal(str(round(point.lng, 6))),
        coordinate_system=coordinate_system,
        accuracy_m=None if accuracy_m is None else max(0, int(accuracy_m)),
        location_error="" if point is not None else (location_error or "")[:120],
        distance_m=None if distance is None else round(distance),
        min_duration_minutes=rule_minimum_minutes(customer, timezone.localdate(at)),
        overlap_reason=override_reason if already_open is not None else "",
        device_time=None if clock is None else clock.device_time,
    )
    touch.full_clean(exclude=["customer", "user"], validate_constraints=False)
    try:
        with transaction.atomic():
            touch.save()
    except IntegrityError as exc:  # a concurrent check-in of the same rep won the race
        winner = open_visit_of(user)
        if winner is None:
            raise
        raise _open_visit_error(winner) from exc
    previous = (
        Touch.objects.visits()
        .filter(user=user, started_at__lte=at, latitude__isnull=False)
        .exclude(pk=touch.pk)
        .order_by("-started_at", "-pk")
        .first()
    )
    location_flag = engine.location_flag(touch.point, customer_point, policy)
    if location_flag is not None and location_flag.kind == engine.NO_LOCATION:
        location_flag = engine.Flag(engine.NO_LOCATION, {"why": touch.location_error})
    current = _as_checkin(touch)
    flags = _add_flags(
        touch,
        [
            location_flag,
            engine.outside_hours_flag(timezone.localtime(at).time(), customer.opens_at, customer.closes_at),
            engine.speed_flag(_as_checkin(previous), current, policy),
            engine.reused_flag(current, _reused_candidates(touch, policy), policy) if touch.point else None,
            _overlap_flag(touch, already_open),
        ],
    )
    _note_clock(touch, clock)
    checked_in.send(sender=Touch, touch=touch)
    locations.propose_from_check_in(touch, {flag.kind for flag in flags})
    touch.refresh_count_state()
    return touch


def _overlap_flag(touch: Touch, already_open: Touch | None) -> engine.Flag | None:
    if already_open is None or not touch.overlap_reason:
        return None
    return engine.Flag(
        FlagKind.OVERLAP,
        {
            "open_visit": already_open.pk,
            "customer": already_open.customer.name,
            "reason": touch.overlap_reason,
        },
    )


@transaction.atomic
def check_out(user, touch: Touch, *, at: dt.datetime | None = None, clock=None) -> Touch:
    """End one's own open visit; a visit shorter than the rule's minimum is flagged (R-VISIT-1).

    ``clock`` places a check-out made offline at the time it happened (R-UX-2)."""
    if touch.user_id != user.pk:
        raise PermissionDenied
    # Lock the visit row: two check-outs at once (different keys) must not both succeed.
    touch.ended_at = (
        Touch.objects.select_for_update().filter(pk=touch.pk).values_list("ended_at", flat=True).get()
    )
    if not touch.is_open_visit:
        raise ValidationError(_("This visit is already checked out."))
    at = at or (clock.at if clock is not None else None) or timezone.now()
    touch.ended_at = max(at, touch.started_at)
    if clock is not None:
        touch.device_ended_at = clock.device_time
    touch.save()
    _note_clock(touch, clock)
    _add_flags(touch, [engine.too_short_flag(touch.duration_seconds, touch.min_duration_minutes)])
    touch.refresh_count_state()  # counted, or held for review by a serious flag (R-VISIT-8)
    return touch


# -- quick touches --------------------------------------------------------------------------------


def check_touch_time(started_at: dt.datetime, *, now: dt.datetime | None = None) -> None:
    """A touch is recorded within ``TOUCH_MAX_DAYS_BACK`` days and not ahead of the clock (R-VISIT-5)."""
    now = now or timezone.now()
    try:
        validate_sane_date(started_at)
    except ValidationError as exc:
        raise ValidationError({"started_at": exc.messages}) from exc
    skew = dt.timedelta(minutes=int(conf.setting("TOUCH_CLOCK_SKEW_MINUTES")))
    if started_at > now + skew:
        raise ValidationError(
            {"started_at": ValidationError(_("A touch cannot be in the future."), code="future")}
        )
    days_back = int(conf.setting("TOUCH_MAX_DAYS_BACK"))
    if started_at < now - dt.timedelta(days=days_back):
        raise ValidationError(
            {
                "started_at": ValidationError(
                    _("A touch can be recorded at most %(days)s days afterwards.") % {"days": days_back},
                    code="too_old",
                )
            }
        )


def log_touch(
    user,
    customer,
    *,
    channel: str,
    started_at: dt.datetime | None = None,
    minutes: int | None = None,
    notes: str = "",
    clock=None,
) -> Touch:
    """Record a phone, online, SMS or email touch with few fields (R-VISIT-5).

    Sent from a phone's offline queue, ``clock`` dates it when no time was typed (R-UX-2)."""
    check_can_work_on(user, customer)  # a read-only grant never records touches (R-ARCH-8)
    if channel not in QUICK_CHANNELS:
        raise ValidationError({"channel": _("Use check-in for on-site visits.")})
    started_at = started_at or (clock.at if clock is not None else None) or timezone.now()
    check_touch_time(started_at)
    touch = Touch(customer=customer, user=user, channel=channel, started_at=started_at, notes=notes)
    if minutes:
        touch.ended_at = started_at + dt.timedelta(minutes=minutes)
    if clock is not None:
        touch.device_time = clock.device_time
    touch.save()
    _note_clock(touch, clock)
    return touch


# -- visit records --------------------------------------------------------------------------------


def active_checklists() -> list[VisitChecklist]:
    return list(VisitChecklist.objects.filter(is_active=True))


def record_for(touch: Touch) -> VisitRecord:
    """The visit's record, created as a draft on first use."""
    if touch.channel != Channel.VISIT:
        raise ValidationError(_("Only on-site visits have a visit record."))
    record, _created = VisitRecord.objects.get_or_create(touch=touch)
    return record


def clean_checklist(raw: dict, checklists: list[VisitChecklist]) -> dict:
    """Keep only known checklists and item positions."""
    cleaned = {}
    for checklist in checklists:
        items = raw.get(checklist.code) or []
        cleaned[checklist.code] = sorted(
            {int(i) for i in items if str(i).isdigit() and int(i) < len(checklist.items)}
        )
    return cleaned


@transaction.atomic
def save_record(
    user,
    touch: Touch,
    data: dict,
    *,
    checklist: dict | None = None,
    customer_signature=None,
    rep_signature=None,
    clock=None,
) -> VisitRecord:
    """Save the rep's record fields; only the rep of the visit, only while draft or returned (R-VISIT-3).

    ``clock``: saved offline on the phone and sent later, when and with which clock (R-UX-2)."""
    if touch.user_id != user.pk:
        raise PermissionDenied
    record = record_for(touch)
    if not record.is_editable:
        raise ValidationError(_("This record was submitted and can no longer be changed."))
    for name in (*RECORD_FIELDS, "customer_signed_name", "rep_signed_name"):
        if name in data:
            setattr(record, name, (data[name] or "").strip())
    if checklist is not None:
        record.checklist = clean_checklist(checklist, active_checklists())
    for who, image in (("customer", customer_signature), ("rep", rep_signature)):
        if image is not None:
            getattr(record, f"{who}_signature").save(image.name, image, save=False)
            setattr(record, f"{who}_signature_method", SignatureMethod.DRAWN)
        elif getattr(record, f"{who}_signed_name") and not getattr(record, f"{who}_signature"):
            setattr(record, f"{who}_signature_method", SignatureMethod.TYPED)
        elif not getattr(record, f"{who}_signature"):
            setattr(record, f"{who}_signature_method", SignatureMethod.NONE)
    if clock is not None and clock.device_time is not None:
        record.device_time = clock.device_time
    record.full_clean(exclude=["touch"])
    record.save()
    _note_clock(touch, clock)
    return record


@transaction.atomic
def add_photo(user, touch: Touch, upload, *, caption: str = "") -> VisitPhoto:
    """Attach a resized photo to one's own visit (R-VISIT-3)."""
    from baifang.visits.images import prepare_photo

    if touch.user_id != user.pk:
        raise PermissionDenied
    if touch.channel != Channel.VISIT:
        raise ValidationError(_("Only on-site visits have photos."))
    photo = VisitPhoto(touch=touch, uploaded_by=user, caption=caption[:120])
    content = prepare_photo(upload)
    photo.image.save(content.name, content, save=False)
    photo.save()
    return photo


def missing_for_submit(record: VisitRecord) -> dict[str, str]:
    """Fields the company requires that the record lacks, with a message each (R-VISIT-3)."""
    required = conf.setting("VISIT_RECORD_REQUIRED")
    missing: dict[str, str] = {}
    for name in required:
        if name == "photos":
            if not record.touch.photos.exists():
                missing[name] = _("Add at least one photo before submitting.")
        elif name in ("customer_signature", "rep_signature"):
            who = name.split("_")[0]
            if not getattr(record, f"{who}_signature") and not getattr(record, f"{who}_signed_name"):
                missing[name] = _("A signature is required before submitting.")
        elif not getattr(record, name, ""):
            missing[name] = _("This field is required before submitting.")
    for part in extensions.record_parts:  # e.g. followups: every promise has its commitment (R-FU-1)
        missing.update(part.missing_for_submit(record))
    return missing


@transaction.atomic
def submit_record(user, record: VisitRecord, *, at: dt.datetime | None = None) -> VisitRecord:
    """Hand the record to the supervisor; late after the allowed days is flagged (R-VISIT-4).

    ``at``: when the rep submitted it on the phone, for a record queued offline (R-UX-2): the days
    it waited for a network do not make it late."""
    touch = record.touch
    if touch.user_id != user.pk:
        raise PermissionDenied
    if touch.is_open_visit:
        raise ValidationError(_("Check out before submitting the record."))
    missing = missing_for_submit(record)
    if missing:
        raise ValidationError(missing)
    policy = conf.policy()
    late = engine.late_record_flag(
        timezone.localdate(touch.started_at), timezone.localdate(at or timezone.now()), policy
    )
    record.submit(by=user, late=late is not None)
    _add_flags(touch, [late])
    change = record.status_changes.order_by("-pk").first()
    Notification.objects.send(
        user.supervisor,
        "visit_record",
        touch,
        text=_("%(rep)s submitted the record of a visit to %(customer)s")
        % {"rep": user, "customer": touch.customer},
        dedup_key=f"visit-record:{change.pk}",
    )
    return record


def review_queue(user):
    """Submitted records the user reviews: a manager's unit subtree, or reps they supervise (R-VISIT-4)."""
    return (
        VisitRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .reviewed_by(user)
        .select_related("touch__customer", "touch__user")
        .prefetch_related("touch__flags")
        .order_by("submitted_at", "pk")
    )


def may_review(user, record: VisitRecord) -> bool:
    return review_queue(user).filter(pk=record.pk).exists()


@transaction.atomic
def sign_record(user, record: VisitRecord, *, comment: str = "") -> VisitRecord:
    """The supervisor signs a submitted record (R-VISIT-4); audited."""
    if not may_review(user, record):
        raise PermissionDenied
    record.sign(by=user, comment=comment.strip())  # audited by the workflow
    return record


@transaction.atomic
def return_record(user, record: VisitRecord, *, reason: str) -> VisitRecord:
    """The supervisor returns a record with comments; the rep is told (R-VISIT-4); audited."""
    if not may_review(user, record):
        raise PermissionDenied
    record.return_(by=user, reason=reason.strip())  # audited by the workflow
    change = record.status_changes.order_by("-pk").first()
    Notification.objects.send(
        record.touch.user,
        "visit_record_returned",
        record.touch,
        text=_("Your record of the visit to %(customer)s was returned: %(reason)s")
        % {"customer": record.touch.customer, "reason": reason},
        dedup_key=f"visit-record-returned:{change.pk}",
    )
    return record


# -- review of flagged visits (R-VISIT-8) ---------------------------------------------------------


def _supervised_by(user) -> models.Q:
    """Touches whose reviewer ``user`` is: a manager's unit subtree, or reps they supervise (R-VISIT-4)."""
    condition = models.Q(user__supervisor_override=user)
    if user.has_position(*UNIT_MANAGER_KINDS, PositionKind.ADMIN):
        condition |= models.Q(pk__in=Touch.objects.visible_to(user).values("pk"))
    return condition


def visits_to_review(user):
    """Visits held by a serious flag that ``user`` decides on, oldest first (R-VISIT-8)."""
    return (
        Touch.objects.filter(count_state=CountState.PENDING_REVIEW)
        .exclude(user=user)
        .filter(_supervised_by(user))
        .for_lists()
        .order_by("started_at", "pk")
    )


def may_review_visit(user, touch: Touch) -> bool:
    return visits_to_review(user).filter(pk=touch.pk).exists()


@transaction.atomic
def decide_visit(user, touch: Touch, *, accept: bool, comment: str = "") -> Touch:
    """The supervisor accepts a flagged visit (it counts) or rejects it (it never counts); audited.

    Only a visit pending review can be decided, once: a rejected visit never counts (R-VISIT-8).
    """
    touch = Touch.objects.select_for_update().get(pk=touch.pk)
    if not may_review_visit(user, touch):
        raise PermissionDenied
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say why the visit is rejected.")})
    touch.decide_review(
        ReviewDecision.ACCEPTED if accept else ReviewDecision.REJECTED, by=user, comment=comment
    )
    audit.record(AuditAction.APPROVE if accept else AuditAction.REJECT, touch, user=user, message=comment)
    if not accept:
        Notification.objects.send(
            touch.user,
            "visit_rejected",
            touch,
            text=_("Your visit to %(customer)s was rejected on review and does not count: %(reason)s")
            % {"customer": touch.customer, "reason": comment},
            dedup_key=f"visit-rejected:{touch.pk}",
        )
    return touch


# -- lists ----------------------------------------------------------------------------------------


def flagged_visits(user, *, since: dt.date, rep=None):
    """Flagged visits the user may see since a day, grouped-ready by rep (R-VISIT-2)."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    qs = Touch.objects.visible_to(user).visits().flagged().filter(started_at__gte=start)
    if rep is not None:
        qs = qs.filter(user=rep)
    return qs.for_lists().order_by("user__username", "user_id", "-started_at")


def todays_touches(user, day: dt.date):
    """The user's own touches of one day, for the today page."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        Touch.objects.visible_to(user)
        .filter(user=user, started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))
        .for_lists()
        .order_by("started_at")
    )
