"""Check-in/out, flags, quick touches, records and their review (R-VISIT-1..5, R-FU-1 left out)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baifang.core.models import AuditLog, Notification
from baifang.visits import services
from baifang.visits.exceptions import InvalidTransition
from baifang.visits.models import RecordStatusChange, Touch, VisitChecklist
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE, image_upload, png_data_url


def kinds(touch) -> set[str]:
    return set(touch.flags.values_list("kind", flat=True))


def test_check_in_near_the_customer_is_clean(org, shop, clock):
    """R-VISIT-1: time, location, coordinate system and distance are recorded; nothing flagged."""
    touch = services.check_in(org.rep, shop, latitude=30.2591, longitude=120.1491, accuracy_m=12)
    assert touch.started_at == NOW and touch.channel == "visit" and touch.coordinate_system == "WGS84"
    assert 0 < touch.distance_m < 30 and touch.min_duration_minutes == 15
    assert kinds(touch) == set()


def test_check_in_beyond_radius_is_flagged_far(org, shop, clock):
    """R-VISIT-1: farther than 500 m from the customer is flagged, with the distance explained."""
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0] + 0.01, longitude=WEST_LAKE[1])
    flag = touch.flags.get()
    assert flag.kind == "far" and touch.distance_m > 1000
    assert "1112" in flag.explanation() or str(touch.distance_m) in flag.explanation()


def test_radius_is_configurable(org, shop, clock, settings):
    """R-VISIT-1: the radius is a company setting."""
    settings.BAIFANG = {**settings.BAIFANG, "VISIT_RADIUS_M": 2000}
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0] + 0.01, longitude=WEST_LAKE[1])
    assert kinds(touch) == set()


def test_gcj02_reading_of_the_same_place_is_not_far(org, shop, clock):
    """Coordinates are compared in WGS-84 whatever system the phone reports."""
    from baifang.routing.geo import Point

    gcj = Point(*WEST_LAKE).to_crs("GCJ02")
    touch = services.check_in(org.rep, shop, latitude=gcj.lat, longitude=gcj.lng, coordinate_system="GCJ02")
    assert touch.distance_m < 5 and kinds(touch) == set()


def test_refused_geolocation_still_checks_in_flagged_no_location(org, shop, clock):
    """Bad input: geolocation refused → check-in allowed and flagged "no location"."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    assert touch.latitude is None and touch.distance_m is None
    flag = touch.flags.get()
    assert flag.kind == "no_location" and "手机拒绝了定位权限" in flag.explanation()  # R-UX-1


def test_check_in_outside_business_hours_is_flagged(org, shop, clock):
    """R-VISIT-2: the customer opens at 08:00."""
    early = NOW.replace(hour=6, minute=30)
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1], at=early)
    assert kinds(touch) == {"outside_hours"}
    assert "06:30" in touch.flags.get().explanation()


def test_impossible_speed_between_consecutive_check_ins(org, shop, clock):
    """R-VISIT-2: 110 km in 20 minutes."""
    far_shop = CustomerFactory(owner=org.rep, latitude=31.2304, longitude=121.4737)
    first = services.check_in(
        org.rep, far_shop, latitude=31.2304, longitude=121.4737, at=NOW - dt.timedelta(minutes=20)
    )
    services.check_out(org.rep, first, at=NOW - dt.timedelta(minutes=19))
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    assert kinds(touch) == {"speed"}
    assert "499" in touch.flags.get().explanation()  # the speed, in any language


def test_same_coordinates_at_two_customers_are_flagged(org, shop, clock):
    """R-VISIT-2: identical coordinates reused across customers."""
    other = CustomerFactory(owner=org.rep)
    first = services.check_in(org.rep, other, latitude=30.1, longitude=120.1, at=NOW - dt.timedelta(hours=3))
    services.check_out(org.rep, first)
    touch = services.check_in(org.rep, shop, latitude=30.1, longitude=120.1)
    assert "reused" in kinds(touch)


def test_check_out_computes_duration_and_flags_too_short(org, shop, clock):
    """R-VISIT-1: duration = check-out − check-in, compared with the rule's 15 minutes."""
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    clock.shift(dt.timedelta(minutes=8))
    services.check_out(org.rep, touch)
    touch.refresh_from_db()
    assert touch.duration_seconds == 480 and kinds(touch) == {"too_short"}
    with pytest.raises(ValidationError):
        services.check_out(org.rep, touch)


def test_long_enough_visit_is_not_flagged(org, shop, clock):
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    clock.shift(dt.timedelta(minutes=16))
    services.check_out(org.rep, touch)
    assert kinds(touch) == set()


def test_only_the_rep_checks_out(org, shop, clock):
    touch = services.check_in(org.rep, shop)
    with pytest.raises(PermissionDenied):
        services.check_out(org.manager, touch)


def test_quick_touch_counts_with_few_fields(org, shop, clock):
    """R-VISIT-5: a phone call in four fields; visits must use check-in."""
    touch = services.log_touch(org.rep, shop, channel="phone", minutes=5, notes="确认订货")
    assert touch.channel == "phone" and touch.duration_seconds == 300
    with pytest.raises(ValidationError):
        services.log_touch(org.rep, shop, channel="visit")
    with pytest.raises(ValidationError):
        services.log_touch(org.rep, shop, channel="sms", started_at=NOW + dt.timedelta(days=1))


def _visited(org, shop, clock, minutes=20) -> Touch:
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    clock.shift(dt.timedelta(minutes=minutes))
    services.check_out(org.rep, touch)
    return touch


FULL = {"purpose": "sell", "content": "介绍新品", "stock_observed": "利群 3 条", "next_step": "周五送货"}


def test_record_keeps_all_fields_photo_and_signatures(org, shop, clock):
    """R-VISIT-3: fields of 客户拜访记录表, a resized photo, a drawn and a typed signature, a checklist."""
    VisitChecklist.objects.filter(code="channel-actions").update(is_active=True)
    touch = _visited(org, shop, clock)
    record = services.save_record(
        org.rep,
        touch,
        {**FULL, "customer_signed_name": "王老板", "rep_signed_name": "张三"},
        checklist={"channel-actions": ["0", "2", "99"], "unknown": ["1"]},
        customer_signature=None,
        rep_signature=None,
    )
    from baifang.visits.images import signature_from_data_url

    record = services.save_record(
        org.rep, touch, {}, customer_signature=signature_from_data_url(png_data_url())
    )
    photo = services.add_photo(org.rep, touch, image_upload(size=(4000, 3000)))
    assert max(photo.width, photo.height) == 1600  # resized by Pillow
    assert record.checklist == {"channel-actions": [0, 2]}
    assert record.customer_signature_method == "drawn" and record.customer_signature.name.endswith(".png")
    assert record.rep_signature_method == "typed" and record.stock_observed == "利群 3 条"


def test_non_image_and_oversized_uploads_are_refused(org, shop, clock, settings):
    """Bad input: clear messages for a text file and a too-large photo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    touch = _visited(org, shop, clock)
    with pytest.raises(ValidationError, match="Only photos|照片"):
        services.add_photo(org.rep, touch, SimpleUploadedFile("notes.txt", b"hello"))
    with pytest.raises(ValidationError, match="not a readable image|图片"):
        services.add_photo(org.rep, touch, SimpleUploadedFile("fake.jpg", b"not really a jpeg"))
    settings.BAIFANG = {**settings.BAIFANG, "VISIT_PHOTO_MAX_BYTES": 1000}
    with pytest.raises(ValidationError, match="larger than|超过"):
        services.add_photo(org.rep, touch, image_upload())
    assert not touch.photos.exists()


def test_required_fields_block_submission(org, shop, clock, settings):
    """Bad input: a record cannot be submitted without the fields the company marks required."""
    settings.BAIFANG = {
        **settings.BAIFANG,
        "VISIT_RECORD_REQUIRED": ("purpose", "content", "photos", "customer_signature"),
    }
    touch = _visited(org, shop, clock)
    record = services.save_record(org.rep, touch, {"purpose": "sell"})
    with pytest.raises(ValidationError) as exc:
        services.submit_record(org.rep, record)
    assert set(exc.value.message_dict) == {"content", "photos", "customer_signature"}
    assert record.status == "draft"


def test_cannot_submit_an_open_visit(org, shop, clock):
    touch = services.check_in(org.rep, shop)
    record = services.save_record(org.rep, touch, FULL)
    with pytest.raises(ValidationError, match="Check out|签退"):
        services.submit_record(org.rep, record)


def test_submit_sign_with_history_audit_and_notification(org, shop, clock):
    """R-VISIT-4: submitted on time, signed by the supervisor; every step is a history row."""
    touch = _visited(org, shop, clock)
    record = services.submit_record(org.rep, services.save_record(org.rep, touch, FULL))
    assert record.status == "submitted" and not record.is_late
    assert Notification.objects.filter(user=org.manager, kind="visit_record").exists()
    assert list(services.review_queue(org.manager)) == [record]
    assert list(services.review_queue(org.teammate)) == [] and list(services.review_queue(org.manager2)) == []
    services.sign_record(org.manager, record, comment="好")
    record.refresh_from_db()
    assert record.status == "signed" and record.reviewed_by == org.manager
    steps = list(RecordStatusChange.objects.filter(record=record).values_list("old_status", "new_status"))
    assert steps == [("draft", "submitted"), ("submitted", "signed")]
    assert AuditLog.objects.filter(action="approve", object_id=str(record.pk)).exists()
    with pytest.raises(ValidationError):
        services.save_record(org.rep, touch, {"content": "改"})


def test_return_with_comments_then_resubmit(org, shop, clock):
    """R-VISIT-4: the supervisor returns a record; the rep edits and submits again."""
    touch = _visited(org, shop, clock)
    record = services.submit_record(org.rep, services.save_record(org.rep, touch, FULL))
    with pytest.raises(InvalidTransition):
        services.return_record(org.manager, record, reason="  ")
    services.return_record(org.manager, record, reason="补充库存")
    assert record.status == "returned"
    assert Notification.objects.filter(user=org.rep, kind="visit_record_returned").exists()
    services.save_record(org.rep, touch, {"stock_observed": "利群 5 条"})
    services.submit_record(org.rep, record)
    assert record.status_changes.count() == 3


def test_transition_table_refuses_bad_moves(org, shop, clock):
    """R-VISIT-4: a draft cannot be signed; a signed record cannot be returned."""
    touch = _visited(org, shop, clock)
    record = services.save_record(org.rep, touch, FULL)
    with pytest.raises(InvalidTransition):
        record.sign(by=org.manager)
    services.submit_record(org.rep, record)
    record.sign(by=org.manager)
    with pytest.raises(InvalidTransition):
        record.return_(by=org.manager, reason="x")


def test_reps_and_outsiders_cannot_review(org, shop, clock):
    touch = _visited(org, shop, clock)
    record = services.submit_record(org.rep, services.save_record(org.rep, touch, FULL))
    for user in (org.rep, org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            services.sign_record(user, record)


def test_late_submission_is_flagged(org, shop, clock):
    """R-VISIT-4 / R-VISIT-2: submitted three days after the visit → late, flagged and explained."""
    touch = _visited(org, shop, clock)
    record = services.save_record(org.rep, touch, FULL)
    clock.shift(dt.timedelta(days=3))
    services.submit_record(org.rep, record)
    assert record.is_late and "late_record" in kinds(touch)
    assert "3" in touch.flags.get(kind="late_record").explanation()


def test_flagged_visits_are_scoped(org, shop, clock):
    """R-VISIT-2 / R-ORG-4: the manager sees the rep's flagged visit; the other department does not."""
    services.check_in(org.rep, shop)
    since = NOW.date() - dt.timedelta(days=1)
    assert services.flagged_visits(org.manager, since=since).count() == 1
    assert services.flagged_visits(org.manager2, since=since).count() == 0
    assert services.flagged_visits(org.outsider, since=since).count() == 0
