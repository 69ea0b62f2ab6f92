"""Field work offline (R-UX-2): acts queued on the phone arrive late with their device time, exactly
once; a wrong phone clock is told apart from a late upload and flagged; the service worker, the
manifest and the day's pages are served (also with hashed static names)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from baifang.visits import engine
from baifang.visits.models import Touch, VisitRecord
from tests.conftest import api_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE

BASE = "/api/v1/visits/"
MAX = 300  # CLOCK_SKEW_MAX_MINUTES default, in seconds

# -- the engine ---------------------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)
offsets = st.integers(min_value=-3 * 86400, max_value=3 * 86400)


@given(received=moments, delay=st.integers(0, 7 * 86400), error=offsets)
def test_r_ux_2_a_wrong_clock_cancels_out_and_an_act_never_follows_its_arrival(received, delay, error):
    """R-UX-2: the act is placed at the same moment whatever the phone's clock error; never after it arrived."""
    happened = received - dt.timedelta(seconds=delay)
    shift = dt.timedelta(seconds=error)
    clock = engine.device_clock(happened + shift, received + shift, received, MAX)
    assert clock.at == happened and clock.at <= received
    assert clock.skew_seconds == error
    assert (clock.flag is not None) == (abs(error) > MAX)


@given(received=moments, delay=st.integers(0, 30 * 86400))
def test_r_ux_2_a_late_upload_with_a_right_clock_is_not_flagged(received, delay):
    happened = received - dt.timedelta(seconds=delay)
    for sent_at in (received, None):  # with or without the send time
        clock = engine.device_clock(happened, sent_at, received, MAX)
        assert clock.at == happened and clock.flag is None


@given(received=moments, ahead=st.integers(1, 86400))
def test_r_ux_2_without_send_time_only_a_clock_ahead_is_known_wrong(received, ahead):
    clock = engine.device_clock(received + dt.timedelta(seconds=ahead), None, received, MAX)
    assert clock.at == received and clock.skew_seconds == ahead
    assert (clock.flag is not None) == (ahead > MAX)


def test_r_ux_2_no_device_time_is_the_server_clock():
    clock = engine.device_clock(None, None, NOW, MAX)
    assert clock.at == NOW and clock.flag is None and clock.device_time is None


# -- the API: late, exactly once ---------------------------------------------------------------------


def _check_in(api, customer, key, **extra):
    body = {"customer": customer.pk, "latitude": WEST_LAKE[0], "longitude": WEST_LAKE[1], **extra}
    return api.post(BASE + "check-in/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_r_ux_2_a_check_in_sent_hours_later_is_dated_when_it_happened(org, shop, clock):
    api = api_for(org.rep)
    three_hours_ago = NOW - dt.timedelta(hours=3)
    response = _check_in(api, shop, "q-1", device_time=three_hours_ago.isoformat(), sent_at=NOW.isoformat())
    assert response.status_code == 201, response.json()
    touch = Touch.objects.get()
    assert touch.started_at == three_hours_ago and touch.device_time == three_hours_ago
    assert touch.created_at == NOW and touch.clock_skew_seconds == 0
    assert not touch.flags.filter(kind="clock").exists()
    assert response.json()["device_time"] is not None


def test_r_ux_2_a_phone_clock_two_hours_ahead_is_corrected_and_flagged(org, shop, clock):
    api = api_for(org.rep)
    ahead = dt.timedelta(hours=2)
    happened = NOW - dt.timedelta(minutes=30)
    _check_in(api, shop, "q-1", device_time=(happened + ahead).isoformat(), sent_at=(NOW + ahead).isoformat())
    touch = Touch.objects.get()
    assert touch.started_at == happened and touch.clock_skew_seconds == 7200
    flag = touch.flags.get(kind="clock")
    assert flag.detail["skew_minutes"] == 120.0
    assert "120.0" in flag.explanation() and "2026-03-10 09:30" in flag.explanation()


def test_r_ux_2_a_clock_ahead_without_send_time_is_flagged_and_dated_now(org, shop, clock):
    api = api_for(org.rep)
    _check_in(api, shop, "q-1", device_time=(NOW + dt.timedelta(hours=1)).isoformat())
    touch = Touch.objects.get()
    assert touch.started_at == NOW and touch.flags.filter(kind="clock").exists()


def test_r_ux_2_retries_with_new_send_times_make_one_visit(org, shop, clock):
    """Each retry of a queued act sends its own sent_at; the key still replays the first answer."""
    api = api_for(org.rep)
    happened = NOW - dt.timedelta(hours=1)
    answers = []
    for minutes in (0, 1, 7):
        clock.shift(dt.timedelta(minutes=minutes))
        sent = dt.datetime.now(dt.UTC).isoformat()
        answers.append(_check_in(api, shop, "q-1", device_time=happened.isoformat(), sent_at=sent))
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[1]["Idempotent-Replayed"] == answers[2]["Idempotent-Replayed"] == "true"
    assert Touch.objects.count() == 1 and answers[0].json() == answers[2].json()


def test_r_ux_2_a_whole_offline_visit_replayed_days_later_is_on_time(org, shop, clock):
    """Check-in, check-out and a submitted record made on the day and uploaded three days later:
    dated on the day, the record not late (R-VISIT-4), exactly one visit and one record."""
    api = api_for(org.rep)
    day = NOW - dt.timedelta(days=3)
    clock.move_to(NOW)
    for _attempt in range(2):  # the phone sends the whole queue twice (a lost answer)
        touch_id = _check_in(api, shop, "c-1", device_time=day.isoformat(), sent_at=NOW.isoformat()).json()[
            "id"
        ]
        out = api.post(
            f"{BASE}{touch_id}/check-out/",
            {"device_time": (day + dt.timedelta(minutes=20)).isoformat(), "sent_at": NOW.isoformat()},
            format="json",
            HTTP_IDEMPOTENCY_KEY="o-1",
        )
        assert out.status_code == 200, out.json()
        record = api.post(
            f"{BASE}{touch_id}/record/",
            {
                "purpose": "sell",
                "content": "离线记录",
                "submit": True,
                "device_time": (day + dt.timedelta(minutes=25)).isoformat(),
                "sent_at": NOW.isoformat(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="r-1",
        )
        assert record.status_code == 200, record.json()
    touch = Touch.objects.get()
    assert touch.started_at == day and touch.ended_at == day + dt.timedelta(minutes=20)
    assert touch.device_ended_at == day + dt.timedelta(minutes=20)
    saved = VisitRecord.objects.get()
    assert saved.status == "submitted" and not saved.is_late
    assert saved.device_time == day + dt.timedelta(minutes=25)
    assert not touch.flags.filter(kind__in=["late_record", "clock"]).exists()


def test_r_ux_2_a_record_submitted_late_on_the_phone_is_still_late(org, shop, clock):
    api = api_for(org.rep)
    day = NOW - dt.timedelta(days=6)
    touch_id = _check_in(api, shop, "c-1", device_time=day.isoformat(), sent_at=NOW.isoformat()).json()["id"]
    api.post(
        f"{BASE}{touch_id}/check-out/",
        {"device_time": (day + dt.timedelta(minutes=20)).isoformat()},
        format="json",
    )
    later = day + dt.timedelta(days=5)
    api.post(
        f"{BASE}{touch_id}/record/",
        {"purpose": "sell", "content": "补记", "submit": True, "device_time": later.isoformat()},
        format="json",
    )
    assert VisitRecord.objects.get().is_late


@pytest.mark.parametrize(
    ("device_time", "code"),
    [
        (NOW - dt.timedelta(days=40), "too_old"),
        (dt.datetime(2150, 1, 1, tzinfo=dt.UTC), "date_out_of_range"),
        (dt.datetime(1, 1, 2, tzinfo=dt.UTC), "date_out_of_range"),
    ],
)
def test_r_ux_2_an_act_too_old_or_insane_is_refused_with_its_reason(org, shop, clock, device_time, code):
    response = _check_in(api_for(org.rep), shop, "q-1", device_time=device_time.isoformat())
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "device_time" and error["code"] == code
    assert not Touch.objects.exists()


def test_r_ux_2_an_insane_send_time_is_a_400_not_a_500(org, shop, clock):
    response = _check_in(
        api_for(org.rep), shop, "q-1", device_time=NOW.isoformat(), sent_at="9999-12-31T23:59:59+00:00"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "sent_at"


def test_r_ux_2_a_quick_touch_from_the_queue_is_dated_by_the_phone(org, shop, clock):
    happened = NOW - dt.timedelta(hours=2)
    response = api_for(org.rep).post(
        "/api/v1/touches/",
        {
            "customer": shop.pk,
            "channel": "phone",
            "device_time": happened.isoformat(),
            "sent_at": NOW.isoformat(),
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="t-1",
    )
    assert response.status_code == 201
    touch = Touch.objects.get()
    assert touch.started_at == happened and touch.device_time == happened


def test_r_ux_2_a_queued_check_in_for_a_customer_no_longer_yours_is_refused(org, shop, clock):
    """Bad input: the customer was handed to someone else while the phone was offline."""
    shop.owner = org.teammate
    shop.save()
    response = _check_in(api_for(org.rep), shop, "q-1", device_time=NOW.isoformat())
    assert response.status_code in (403, 404)
    assert not Touch.objects.exists()


# -- the pages: service worker, manifest, the day's pages ---------------------------------------------


def test_r_ux_2_service_worker_and_manifest_are_served_at_the_root(client):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == "/" and "no-cache" in sw["Cache-Control"]
    body = sw.content.decode()
    assert "/static/baifang/offline.js" in body and "/visits/offline/" in body
    assert re.search(r'VERSION = "[0-9a-f]{12}"', body)
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["start_url"] == "/visits/"
    assert client.get("/visits/offline/").status_code == 200


def test_r_ux_2_service_worker_names_the_hashed_static_files(client, settings, tmp_path):
    """With DEBUG off the static files are collected under hashed names: the shell the worker keeps
    names exactly those files, so its install (cache.addAll) finds every one."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    body = client.get("/sw.js").content.decode()
    shell = re.search(r"SHELL_URLS = (\[.*?\]);", body).group(1)
    statics = re.findall(r'"/static/([^"]+)"', shell)
    assert len(statics) >= 8
    for name in statics:
        assert re.search(r"\.[0-9a-f]{12}\.", name), name
        assert (settings.STATIC_ROOT / name).exists(), name
    for icon in client.get("/manifest.webmanifest").json()["icons"]:
        assert (settings.STATIC_ROOT / icon["src"].removeprefix("/static/")).exists()


def test_r_ux_2_the_day_pages_are_the_reps_own(org, shop, client, clock):
    client.force_login(org.rep)
    pages = client.get("/visits/offline/day/").json()["pages"]
    assert "/visits/" in pages and f"/visits/customers/{shop.pk}/check-in/" in pages
    for url in pages:  # every page the phone keeps opens for the rep
        assert client.get(url).status_code == 200, url
    client.force_login(org.outsider)
    assert f"/visits/customers/{shop.pk}/check-in/" not in client.get("/visits/offline/day/").json()["pages"]


def test_r_ux_2_the_days_plans_are_kept_too(org, shop, client, clock):
    """The apps above add their pages of the day (extensions.offline_pages): plans adds the rep's plans."""
    from baifang.plans import services as plan_services

    plan = plan_services.get_or_create_plan(org.rep, "month", NOW.date())
    client.force_login(org.rep)
    pages = client.get("/visits/offline/day/").json()["pages"]
    assert f"/plans/{plan.pk}/" in pages and "/plans/" in pages
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    client.force_login(org.teammate)
    assert f"/plans/{plan.pk}/" not in client.get("/visits/offline/day/").json()["pages"]


def test_r_ux_2_the_day_pages_need_a_sign_in(client):
    response = client.get("/visits/offline/day/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_r_ux_2_field_pages_carry_the_queue_and_the_offline_forms(org, shop, client, clock):
    client.force_login(org.rep)
    today = client.get("/visits/").content.decode()
    assert 'id="offline-queue"' in today and "条待上传" in today and 'rel="manifest"' in today
    page = client.get(f"/visits/customers/{shop.pk}/check-in/").content.decode()
    assert 'data-offline-kind="check_in"' in page and 'id="offline-visit"' in page
    assert 'id="offline_content"' in page
    other = CustomerFactory(owner=org.rep)
    assert (
        client.get(f"/visits/customers/{other.pk}/touch/").content.decode().count('data-offline-kind="touch"')
        == 1
    )
