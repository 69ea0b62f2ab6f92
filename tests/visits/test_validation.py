"""Check-ins and touches refuse impossible input (R-VISIT-1, R-VISIT-5): coordinates in range on every
path, one open visit per rep unless a reason is given (then flagged), touches within the configured
window. Follow-up due dates: tests/followups/test_validation.py."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from baifang.visits import services
from baifang.visits.exceptions import OpenVisitExists
from baifang.visits.models import Touch
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE

CHECK_IN = "/api/v1/visits/check-in/"


def _attrs(response) -> dict[str, str]:
    return {e["attr"]: e["code"] for e in response.json()["errors"]}


# --- coordinates (R-VISIT-1) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("91", "120", "latitude"),
        ("30", "500", "longitude"),
        ("-90.5", "120", "latitude"),
        ("0", "0", "latitude"),
    ],
)
def test_api_check_in_refuses_impossible_coordinates(org, shop, clock, latitude, longitude, field):
    """R-VISIT-1: 400 on the field, like the customer edit; no visit is created."""
    response = api_for(org.rep).post(
        CHECK_IN, {"customer": shop.pk, "latitude": latitude, "longitude": longitude}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in _attrs(response)
    assert not Touch.objects.exists()


def test_service_check_in_refuses_impossible_coordinates(org, shop, clock):
    with pytest.raises(ValidationError) as caught:
        services.check_in(org.rep, shop, latitude=91, longitude=500)
    assert set(caught.value.message_dict) == {"latitude", "longitude"}
    assert not Touch.objects.exists()


def test_check_in_page_refuses_impossible_coordinates(org, shop, clock):
    response = client_for(org.rep).post(
        reverse("visits:check_in", args=[shop.pk]),
        {"latitude": "91", "longitude": "120", "coordinate_system": "WGS84"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Touch.objects.exists()


def test_no_location_is_still_allowed_and_flagged(org, shop, clock):
    touch = services.check_in(org.rep, shop, location_error="denied")
    assert set(touch.flags.values_list("kind", flat=True)) == {"no_location"}


# --- one open visit per rep (R-VISIT-1) ---------------------------------------------------------


def test_second_check_in_while_one_is_open_is_refused_with_a_link(org, shop, clock):
    """R-VISIT-1: three simultaneous open check-ins by one rep were accepted."""
    api = api_for(org.rep)
    first = api.post(
        CHECK_IN, {"customer": shop.pk, "latitude": WEST_LAKE[0], "longitude": WEST_LAKE[1]}, format="json"
    )
    assert first.status_code == 201
    other = CustomerFactory(owner=org.rep)
    second = api.post(CHECK_IN, {"customer": other.pk}, format="json")
    assert second.status_code == 400
    assert _attrs(second) == {"open_visit": "open_visit"}
    assert f"/visits/{first.json()['id']}/" in second.json()["errors"][0]["detail"]
    assert Touch.objects.count() == 1


def test_override_with_a_reason_is_recorded_and_flagged(org, shop, clock):
    first = services.check_in(org.rep, shop)
    other = CustomerFactory(owner=org.rep)
    response = api_for(org.rep).post(
        CHECK_IN, {"customer": other.pk, "override_reason": "忘记签退，人已到新客户"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["overlap_reason"] == "忘记签退，人已到新客户"
    overlap = next(f for f in body["flags"] if f["kind"] == "overlap")
    assert overlap["detail"]["open_visit"] == first.pk


def test_after_check_out_a_new_check_in_needs_no_reason(org, shop, clock):
    services.check_out(org.rep, services.check_in(org.rep, shop))
    touch = services.check_in(org.rep, CustomerFactory(owner=org.rep))
    assert not touch.flags.filter(kind="overlap").exists()


def test_other_reps_open_visits_do_not_block(org, shop, clock):
    services.check_in(org.teammate, CustomerFactory(owner=org.teammate))
    services.check_in(org.rep, shop)


def test_check_in_page_shows_the_open_visit_and_asks_for_a_reason(org, shop, clock):
    first = services.check_in(org.rep, shop)
    other = CustomerFactory(owner=org.rep)
    client = client_for(org.rep)
    url = reverse("visits:check_in", args=[other.pk])
    response = client.post(url, {"coordinate_system": "WGS84", "location_error": "x"})
    page = response.content.decode()
    assert response.status_code == 200 and f'href="{first.get_absolute_url()}"' in page
    assert '<textarea name="override_reason"' in page
    response = client.post(
        url, {"coordinate_system": "WGS84", "location_error": "x", "override_reason": "路上"}
    )
    assert response.status_code == 302
    assert Touch.objects.filter(customer=other, overlap_reason="路上").exists()


def test_database_allows_one_plain_open_visit_per_rep(org, shop, clock):
    """R-VISIT-1: the partial unique constraint stops two concurrent check-ins that both passed the check."""
    services.check_in(org.rep, shop)
    with pytest.raises(IntegrityError), transaction.atomic():
        Touch.objects.create(customer=shop, user=org.rep, channel="visit", started_at=NOW)
    Touch.objects.create(customer=shop, user=org.rep, channel="visit", started_at=NOW, overlap_reason="x")
    Touch.objects.create(customer=shop, user=org.rep, channel="phone", started_at=NOW)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_lost_race_is_a_clear_refusal(org, shop):
    """R-VISIT-1: a check-in whose check ran before another transaction's open visit committed
    waits on the unique index and is refused with the same message, never a 500 or a second visit."""
    ready, winner = threading.Event(), {}

    def other_check_in():
        with transaction.atomic():
            winner["touch"] = Touch.objects.create(
                customer=shop, user=org.rep, channel="visit", started_at=NOW
            )
            ready.set()
            time.sleep(1)  # the main thread's check sees nothing; its insert waits for this commit
        connection.close()

    thread = threading.Thread(target=other_check_in)
    thread.start()
    assert ready.wait(10)
    try:
        with pytest.raises(OpenVisitExists) as caught:
            services.check_in(org.rep, CustomerFactory(owner=org.rep))
    finally:
        thread.join()
    assert caught.value.open_visit == winner["touch"]
    assert Touch.objects.filter(user=org.rep).count() == 1


# --- touch window (R-VISIT-5) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "started_at",
    [
        "1990-01-01T10:00:00+08:00",
        "2026-02-01T10:00:00+08:00",
        "2026-03-10T11:00:00+08:00",
        "9999-12-31T10:00:00+08:00",
    ],
)
def test_api_touch_outside_the_window_is_refused(org, shop, clock, started_at):
    """R-VISIT-5: at most 30 days back, not in the future beyond a small clock skew."""
    response = api_for(org.rep).post(
        "/api/v1/touches/", {"customer": shop.pk, "channel": "phone", "started_at": started_at}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "started_at" in _attrs(response)
    assert not Touch.objects.exists()


def test_touch_window_edges_and_setting(org, shop, clock, settings):
    services.log_touch(org.rep, shop, channel="phone", started_at=NOW - dt.timedelta(days=29))
    services.log_touch(org.rep, shop, channel="phone", started_at=NOW + dt.timedelta(minutes=4))
    settings.BAIFANG = {**settings.BAIFANG, "TOUCH_MAX_DAYS_BACK": 60}
    services.log_touch(org.rep, shop, channel="phone", started_at=NOW - dt.timedelta(days=45))
    assert Touch.objects.count() == 3


def test_touch_page_refuses_an_old_touch(org, shop, clock):
    response = client_for(org.rep).post(
        reverse("visits:log_touch", args=[shop.pk]), {"channel": "phone", "started_at": "1990-01-01T10:00"}
    )
    assert response.status_code == 200 and "started_at" in response.context["form"].errors
    assert not Touch.objects.exists()
