"""Visit pages: today, check-in, record form, review queue, flags, quick touch; scope and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baifang.visits import services
from baifang.visits.models import Touch
from tests.conftest import client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE, image_upload, png_data_url


def test_today_lists_due_customers_and_my_touches(org, shop, clock):
    """The rep's day: the due list (R-OBL-2) with a check-in button, and today's visits."""
    client = client_for(org.rep)
    html = client.get(reverse("visits:today")).content.decode()
    assert shop.name in html and reverse("visits:check_in", args=[shop.pk]) in html
    services.check_in(org.rep, shop)
    html = client.get(reverse("visits:today")).content.decode()
    assert reverse("visits:check_out", args=[Touch.objects.get().pk]) in html


def test_check_in_page_posts_browser_location_once(org, shop, clock):
    """R-VISIT-1: the page posts WGS-84 coordinates; a double submit with the same key makes one visit."""
    client = client_for(org.rep)
    page = client.get(reverse("visits:check_in", args=[shop.pk])).content.decode()
    assert "data-geolocate" in page and "visits.js" in page
    data = {
        "latitude": "30.2590100",
        "longitude": "120.1490100",
        "accuracy_m": "9",
        "coordinate_system": "WGS84",
        "idempotency_key": "form-key-1",
    }
    first = client.post(reverse("visits:check_in", args=[shop.pk]), data)
    second = client.post(reverse("visits:check_in", args=[shop.pk]), data)
    touch = Touch.objects.get()
    assert first["Location"] == second["Location"] == reverse("visits:detail", args=[touch.pk])
    assert touch.accuracy_m == 9 and touch.distance_m < 5


def test_r_sec_1_check_in_page_refuses_a_key_reused_for_another_customer(org, shop, clock):
    """R-SEC-1, R-UX-2: the form's key sent for another customer is refused with a message, not replayed."""
    client = client_for(org.rep)
    data = {"coordinate_system": "WGS84", "idempotency_key": "form-key-1"}
    client.post(reverse("visits:check_in", args=[shop.pk]), data)
    other = CustomerFactory(owner=org.rep)
    response = client.post(reverse("visits:check_in", args=[other.pk]), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert list(Touch.objects.values_list("customer_id", flat=True)) == [shop.pk]


def test_check_in_without_location_is_allowed_and_flagged(org, shop, clock):
    client = client_for(org.rep)
    client.post(
        reverse("visits:check_in", args=[shop.pk]),
        {"location_error": "permission denied", "coordinate_system": "WGS84"},
    )
    touch = Touch.objects.get()
    html = client.get(reverse("visits:detail", args=[touch.pk])).content.decode()
    assert (
        touch.flags.get().kind == "no_location" and "手机拒绝了定位权限" in html
    )  # R-UX-1: not the browser's English


def test_record_form_saves_draft_submits_with_photo_and_signature(org, shop, clock):
    """R-VISIT-3/4: the form keeps a browser draft key, saves, uploads a photo and submits."""
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    clock.shift(dt.timedelta(minutes=20))
    client = client_for(org.rep)
    client.post(reverse("visits:check_out", args=[touch.pk]))
    url = reverse("visits:record", args=[touch.pk])
    page = client.get(url).content.decode()
    assert f"baifang:visit-record:{touch.pk}" in page and "signature-pad" in page
    response = client.post(
        url,
        {
            "action": "submit",
            "purpose": "sell",
            "content": "介绍新品",
            "customer_signature_data": png_data_url(),
            "rep_signed_name": "张三",
            "photo": image_upload(),
        },
    )
    assert response.status_code == 302
    touch.refresh_from_db()
    assert touch.record.status == "submitted" and touch.photos.count() == 1
    assert touch.record.customer_signature_method == "drawn"


def test_record_form_shows_missing_required_fields(org, shop, clock):
    """Bad input: submit without the required content is refused with the field named."""
    touch = services.check_in(org.rep, shop)
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    response = client_for(org.rep).post(
        reverse("visits:record", args=[touch.pk]), {"action": "submit", "purpose": "sell"}
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert touch.record.status == "draft"


def test_record_form_refuses_a_text_file_clearly(org, shop, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    touch = services.check_in(org.rep, shop)
    response = client_for(org.rep).post(
        reverse("visits:record", args=[touch.pk]),
        {"action": "save", "photo": SimpleUploadedFile("list.txt", b"abc")},
    )
    assert response.status_code == 200 and touch.photos.count() == 0
    assert "JPEG" in response.content.decode()


def _submitted(org, shop, clock):
    touch = services.check_in(org.rep, shop)
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    return services.submit_record(
        org.rep, services.save_record(org.rep, touch, {"purpose": "sell", "content": "x"})
    )


def test_supervisor_signs_from_the_queue(org, shop, clock):
    """R-VISIT-4: the review queue lists the record; sign and return buttons work."""
    record = _submitted(org, shop, clock)
    client = client_for(org.manager)
    assert shop.name in client.get(reverse("visits:review_queue")).content.decode()
    client.post(reverse("visits:review", args=[record.touch_id]), {"action": "sign", "comment": "好"})
    record.refresh_from_db()
    assert record.status == "signed"
    html = client.get(reverse("visits:detail", args=[record.touch_id])).content.decode()
    assert "好" in html


def test_supervisor_returns_with_comment(org, shop, clock):
    record = _submitted(org, shop, clock)
    client_for(org.manager).post(
        reverse("visits:review", args=[record.touch_id]), {"action": "return", "comment": "补充"}
    )
    record.refresh_from_db()
    assert record.status == "returned"
    assert (
        "补充" in client_for(org.rep).get(reverse("visits:record", args=[record.touch_id])).content.decode()
    )


def test_rep_cannot_sign_own_record(org, shop, clock):
    record = _submitted(org, shop, clock)
    assert (
        client_for(org.rep)
        .post(reverse("visits:review", args=[record.touch_id]), {"action": "sign"})
        .status_code
        == 403
    )


def test_outsider_gets_404_everywhere(org, shop, clock):
    """R-SEC-1: nothing of another department's visit is reachable by URL."""
    record = _submitted(org, shop, clock)
    client = client_for(org.outsider)
    pk = record.touch_id
    for url in (
        reverse("visits:detail", args=[pk]),
        reverse("visits:record", args=[pk]),
        reverse("visits:check_in", args=[shop.pk]),
        reverse("visits:log_touch", args=[shop.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("visits:review", args=[pk]), {"action": "sign"}).status_code == 404
    assert client.post(reverse("visits:check_out", args=[pk])).status_code == 404
    assert shop.name not in client.get(reverse("visits:review_queue")).content.decode()


def test_teammate_cannot_edit_the_reps_record(org, shop, clock):
    touch = services.check_in(org.rep, shop)
    assert client_for(org.manager).get(reverse("visits:record", args=[touch.pk])).status_code == 404


def test_flags_page_groups_by_rep_with_explanations(org, shop, clock):
    """R-VISIT-2: the manager sees each rep's flagged visits and why."""
    services.check_in(org.rep, shop, location_error="timeout")
    other = CustomerFactory(owner=org.teammate, latitude=30.3, longitude=120.2)
    services.check_in(org.teammate, other, latitude=30.4, longitude=120.2)
    html = client_for(org.manager).get(reverse("visits:flags")).content.decode()
    assert str(org.rep) in html and str(org.teammate) in html and "手机定位超时" in html
    assert str(org.teammate) not in client_for(org.rep).get(reverse("visits:flags")).content.decode()


def test_quick_touch_form(org, shop, clock):
    """R-VISIT-5: a call logged in a few fields."""
    response = client_for(org.rep).post(
        reverse("visits:log_touch", args=[shop.pk]),
        {
            "channel": "phone",
            "started_at": "2026-03-10T09:30",
            "minutes": "4",
            "notes": "订货",
            "idempotency_key": "k",
        },
    )
    assert response.status_code == 302
    touch = Touch.objects.get()
    assert touch.channel == "phone" and touch.duration_seconds == 240


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _make_flagged_visits(org, n, start):
    for i in range(n):
        customer = CustomerFactory(owner=org.rep if i % 2 else org.teammate)
        user = customer.owner
        touch = services.check_in(
            user, customer, location_error="x", at=NOW - dt.timedelta(minutes=7 * (start + i))
        )
        services.check_out(user, touch, at=touch.started_at + dt.timedelta(minutes=3))
        services.save_record(user, touch, {"purpose": "sell", "content": "c"})
        services.submit_record(user, touch.record)


@pytest.mark.parametrize(
    "url_name,user",
    [("visits:flags", "manager"), ("visits:review_queue", "manager"), ("visits:today", "rep")],
)
def test_list_pages_query_count_does_not_grow(org, clock, url_name, user):
    """No N+1 on the visit list pages."""
    client = client_for(getattr(org, user))
    url = reverse(url_name)
    _make_flagged_visits(org, 2, 1)
    few = _queries(client, url)
    _make_flagged_visits(org, 8, 10)
    many = _queries(client, url)
    assert few == many


def test_photos_and_signatures_are_served_only_to_readers(org, customer, settings, tmp_path):
    """R-SEC-1: visit images come through scoped views, never public /media/ URLs."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from baifang.visits import services as visit_services
    from baifang.visits.models import VisitPhoto

    settings.MEDIA_ROOT = tmp_path
    touch = visit_services.check_in(org.rep, customer)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = VisitPhoto.objects.create(
        touch=touch,
        image=SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"),
        uploaded_by=org.rep,
    )
    url = reverse("visits:photo", args=[touch.pk, photo.pk])
    assert client_for(org.rep).get(url).status_code == 200
    assert client_for(org.manager).get(url).status_code == 200
    assert client_for(org.outsider).get(url).status_code == 404
    assert client_for(org.rep).get(reverse("visits:signature", args=[touch.pk, "rep"])).status_code == 404
