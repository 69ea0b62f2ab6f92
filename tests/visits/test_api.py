"""Visit API for mobile clients: idempotent check-in/out, record submit, photo upload; scope (R-SEC-1)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baifang.visits import services
from baifang.visits.models import IdempotencyKey, Touch, VisitPhoto
from tests.conftest import api_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE, image_upload

BASE = "/api/v1/visits/"


def _check_in(api, customer, key="k-1", **extra):
    body = {
        "customer": customer.pk,
        "latitude": WEST_LAKE[0],
        "longitude": WEST_LAKE[1],
        "coordinate_system": "WGS84",
    }
    return api.post(BASE + "check-in/", {**body, **extra}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_check_in_retry_returns_the_first_result(org, shop, clock):
    """A retried check-in (same Idempotency-Key) returns the first answer and creates no duplicate."""
    api = api_for(org.rep)
    first = _check_in(api, shop)
    clock.shift(dt.timedelta(seconds=30))
    second = _check_in(api, shop)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Touch.objects.count() == 1 and first.json()["distance_m"] == 0


def test_key_in_body_works_and_new_key_makes_a_new_visit(org, shop, clock):
    api = api_for(org.rep)
    api.post(BASE + "check-in/", {"customer": shop.pk, "idempotency_key": "body-key"}, format="json")
    api.post(BASE + "check-in/", {"customer": shop.pk, "idempotency_key": "body-key"}, format="json")
    assert Touch.objects.count() == 1
    services.check_out(org.rep, Touch.objects.get())
    _check_in(api, shop, key="another")
    assert Touch.objects.count() == 2


def test_keys_are_per_user_and_per_action(org, shop, clock):
    api = api_for(org.rep)
    touch_id = _check_in(api, shop, key="same").json()["id"]
    response = api.post(f"{BASE}{touch_id}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 422  # the key was used for a check-in
    assert IdempotencyKey.objects.count() == 1


def test_r_sec_1_a_key_reused_for_another_visit_is_refused_not_replayed(org, shop, clock):
    """R-SEC-1, R-UX-2: a check-out key sent again for a different visit gets 422, never the first answer."""
    api = api_for(org.rep)
    first = _check_in(api, shop, key="in-1").json()["id"]
    clock.shift(dt.timedelta(minutes=20))
    assert (
        api.post(f"{BASE}{first}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out").status_code
        == 200
    )
    other = CustomerFactory(owner=org.rep, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    second = _check_in(api, other, key="in-2").json()["id"]
    clock.shift(dt.timedelta(minutes=20))
    reused = api.post(f"{BASE}{second}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out")
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in reused
    assert Touch.objects.get(pk=second).ended_at is None
    fresh = api.post(f"{BASE}{second}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out-2")
    assert fresh.status_code == 200 and Touch.objects.get(pk=second).ended_at is not None


def test_r_sec_1_a_key_reused_with_another_body_is_refused(org, shop, clock):
    """R-UX-2: the same key with another customer (another body) is refused; an unchanged retry replays."""
    api = api_for(org.rep)
    other = CustomerFactory(owner=org.rep)
    assert _check_in(api, shop, key="k").status_code == 201
    assert _check_in(api, other, key="k").status_code == 422
    assert _check_in(api, shop, key="k")["Idempotent-Replayed"] == "true"
    assert Touch.objects.count() == 1 and IdempotencyKey.objects.get().fingerprint


def test_check_in_without_location_is_flagged(org, shop, clock):
    """Bad input: geolocation unavailable → check-in allowed, flagged "no location"."""
    response = api_for(org.rep).post(
        BASE + "check-in/", {"customer": shop.pk, "location_error": "position unavailable"}, format="json"
    )
    assert response.status_code == 201
    assert [f["kind"] for f in response.json()["flags"]] == ["no_location"]


def test_check_out_retry_and_too_short(org, shop, clock):
    api = api_for(org.rep)
    touch_id = _check_in(api, shop).json()["id"]
    clock.shift(dt.timedelta(minutes=5))
    first = api.post(f"{BASE}{touch_id}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out-1")
    clock.shift(dt.timedelta(minutes=5))
    second = api.post(f"{BASE}{touch_id}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out-1")
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert first.json()["duration_seconds"] == 300 and "too_short" in [
        f["kind"] for f in first.json()["flags"]
    ]
    again = api.post(f"{BASE}{touch_id}/check-out/", {}, format="json", HTTP_IDEMPOTENCY_KEY="out-2")
    assert again.status_code == 400


def test_record_submit_and_photo_upload_are_idempotent(org, shop, clock):
    """R-VISIT-3/4 over the API: upload a photo twice with one key → one photo; submit twice → one submission."""
    api = api_for(org.rep)
    touch_id = _check_in(api, shop).json()["id"]
    clock.shift(dt.timedelta(minutes=20))
    api.post(f"{BASE}{touch_id}/check-out/", {}, format="json")
    for _ in range(2):
        photo = api.post(
            f"{BASE}{touch_id}/photos/",
            {"image": image_upload(), "caption": "货架"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="p-1",
        )
        assert photo.status_code == 201
    assert VisitPhoto.objects.count() == 1 and photo.json()["width"] == 1600
    body = {
        "purpose": "sell",
        "content": "介绍新品",
        "stock_observed": "3 条",
        "rep_signed_name": "张三",
        "submit": True,
    }
    first = api.post(f"{BASE}{touch_id}/record/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    second = api.post(f"{BASE}{touch_id}/record/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 200 and first.json() == second.json()
    assert first.json()["status"] == "submitted" and first.json()["rep_signature_method"] == "typed"
    touch = Touch.objects.get(pk=touch_id)
    assert touch.record.status_changes.count() == 1
    assert api.get(f"{BASE}{touch_id}/record/").json()["content"] == "介绍新品"


def test_record_submit_refused_without_required_fields(org, shop, clock):
    api = api_for(org.rep)
    touch_id = _check_in(api, shop).json()["id"]
    api.post(f"{BASE}{touch_id}/check-out/", {}, format="json")
    response = api.post(
        f"{BASE}{touch_id}/record/",
        {"purpose": "sell", "submit": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="r",
    )
    assert response.status_code == 400 and "content" in str(response.json())
    assert not IdempotencyKey.objects.filter(key="r").exists()  # a corrected retry runs again


def test_bad_uploads_refused_with_clear_message(org, shop, clock):
    api = api_for(org.rep)
    touch_id = _check_in(api, shop).json()["id"]
    response = api.post(
        f"{BASE}{touch_id}/photos/", {"image": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}, format="multipart"
    )
    assert response.status_code == 400 and "JPEG" in str(response.json())
    assert VisitPhoto.objects.count() == 0


def test_outsider_gets_404(org, shop, clock):
    """R-SEC-1: another department's rep cannot check in at, read, or write to the rep's visits."""
    touch_id = _check_in(api_for(org.rep), shop).json()["id"]
    api = api_for(org.outsider)
    assert _check_in(api, shop, key="o").status_code == 404
    assert api.get(f"{BASE}{touch_id}/").status_code == 404
    assert api.post(f"{BASE}{touch_id}/check-out/", {}, format="json").status_code == 404
    assert api.post(f"{BASE}{touch_id}/record/", {"content": "x"}, format="json").status_code == 404
    assert (
        api.post(f"{BASE}{touch_id}/photos/", {"image": image_upload()}, format="multipart").status_code
        == 404
    )
    assert (
        api.post("/api/v1/touches/", {"customer": shop.pk, "channel": "phone"}, format="json").status_code
        == 404
    )
    assert api.get(BASE).json()["count"] == 0


def test_manager_reads_but_cannot_write_the_reps_visit(org, shop, clock):
    touch_id = _check_in(api_for(org.rep), shop).json()["id"]
    api = api_for(org.manager)
    assert api.get(f"{BASE}{touch_id}/").status_code == 200
    assert api.post(f"{BASE}{touch_id}/check-out/", {}, format="json").status_code == 403


def test_quick_touch_is_idempotent(org, shop, clock):
    """R-VISIT-5 over the API."""
    api = api_for(org.rep)
    for _ in range(3):
        response = api.post(
            "/api/v1/touches/",
            {"customer": shop.pk, "channel": "sms", "notes": "促销"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="t1",
        )
        assert response.status_code == 201
    assert Touch.objects.filter(channel="sms").count() == 1


def _list_queries(api) -> int:
    api.get(BASE)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(BASE).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(org, clock):
    """No N+1 on the visit list API."""
    api = api_for(org.manager)

    def make(n, offset):
        for i in range(n):
            customer = CustomerFactory(owner=org.rep)
            touch = services.check_in(
                org.rep, customer, location_error="x", at=NOW - dt.timedelta(hours=offset + i)
            )
            services.check_out(org.rep, touch)
            services.save_record(org.rep, touch, {"content": "c"})

    make(2, 0)
    few = _list_queries(api)
    make(10, 5)
    many = _list_queries(api)
    assert few == many
