"""Route map and day-route adapters (R-ROUTE-1, R-ROUTE-2 display, R-SEC-1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from baifang.core.tiles import resolve_tiles
from baifang.maps.adapters import business_window, display_point, rep_base, suggested_day
from baifang.presets import loader
from baifang.routing import OSRM_FALLBACK_NOTE, Point
from baifang.tiers import services
from baifang.tiers.models import Tier
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.routing.test_routing_osrm import osrm  # noqa: F401 (the stub road server)

DAY = dt.date(2026, 11, 18)
HANGZHOU = [(30.259, 120.130), (30.275, 120.162), (30.290, 120.140), (30.245, 120.170), (30.300, 120.120)]


@pytest.fixture
def territory(org):
    loader.load("distribution")
    tier_a = Tier.objects.get(scheme__code="importance", code="A")
    customers = []
    for i, (lat, lng) in enumerate(HANGZHOU):
        c = CustomerFactory(
            owner=org.rep,
            name=f"路线客户{i}",
            latitude=lat,
            longitude=lng,
            coordinate_system="GCJ02",
            opens_at=dt.time(9, 0),
            closes_at=dt.time(18, 0),
        )
        services.override_tier(c, tier_a, by=org.market, reason="测试")
        customers.append(c)
    no_location = CustomerFactory(owner=org.rep, name="无坐标客户")
    services.override_tier(no_location, tier_a, by=org.market, reason="测试")
    org.team1.latitude, org.team1.longitude = 30.27, 120.15
    org.team1.save()
    return customers, no_location


def test_business_hours_become_a_service_window():
    """R-ROUTE-1: service starts within opening hours (and at least a quarter hour before closing)."""
    c = CustomerFactory.build(opens_at=dt.time(9, 0), closes_at=dt.time(17, 30))
    (window,) = business_window(c)
    assert (window.earliest, window.latest) == (9 * 3600, 17 * 3600 + 15 * 60)
    assert business_window(CustomerFactory.build(opens_at=None, closes_at=None)) == ()


def test_base_is_the_units_office_else_the_customers_centre(org, territory):
    base, label = rep_base(org.rep)
    assert (round(base.lat, 2), round(base.lng, 2)) == (30.27, 120.15) and "西湖一组" in label
    org.team1.latitude = org.team1.longitude = None
    org.team1.save()
    org.rep.unit.refresh_from_db()
    base, _label = rep_base(org.rep, territory[0])
    assert 30.2 < base.lat < 30.35


def test_suggested_day_routes_due_customers_and_explains_the_rest(org, territory):
    """R-ROUTE-1: every due customer is routed or explained (no location) — never silently dropped."""
    customers, no_location = territory
    plan = suggested_day(org.rep, DAY, time_limit=0.3)
    routed = set(plan.route.stop_ids)
    unassigned = {u.stop_id: str(u.reason) for u in plan.route.unassigned}
    assert routed == {str(c.pk) for c in customers}
    assert unassigned == {str(no_location.pk): "no_location"}
    starts = [v.start for v in plan.route.visits]
    assert starts == sorted(starts) and all(9 * 3600 <= s <= 17 * 3600 + 45 * 60 for s in starts)


def test_display_point_without_tiles_is_wgs84(settings):
    """Without tiles the map draws WGS-84; GCJ-02 points are shifted back (a few hundred metres in Hangzhou)."""
    settings.BAIFANG = {**settings.BAIFANG, "MAP_TILES": resolve_tiles("")}
    lat, lng = display_point(Point(30.27, 120.15, "GCJ02"))
    assert lat != 30.27 and abs(lat - 30.27) < 0.01 and abs(lng - 120.15) < 0.01
    settings.BAIFANG = {
        **settings.BAIFANG,
        "MAP_TILES": resolve_tiles("http://tiles.intranet/{z}/{x}/{y}.png", crs="GCJ02"),
    }
    assert display_point(Point(30.27, 120.15, "GCJ02")) == (30.27, 120.15)


def test_map_page_and_json(org, territory):
    client = client_for(org.rep)
    html = client.get(reverse("maps:map"), {"date": DAY.isoformat()}).content.decode()
    assert "vendor/leaflet/leaflet.js" in html and "路线客户0" in html
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html)  # nothing from another host
    data = client.get(reverse("maps:map"), {"date": DAY.isoformat(), "format": "json"}).json()
    assert len(data["customers"]) == 5 and len(data["route"]["visits"]) == 5
    assert data["route"]["unassigned"][0]["code"] == "no_location"
    assert {c["colour"] for c in data["customers"]} == {"#c8372d"}  # the A tier's colour


def test_manager_sees_a_reps_map_outsider_does_not(org, territory):
    assert (
        client_for(org.manager)
        .get(reverse("maps:map"), {"rep": org.rep.pk, "format": "json"})
        .json()["rep"]["id"]
        == org.rep.pk
    )
    assert client_for(org.outsider).get(reverse("maps:map"), {"rep": org.rep.pk}).status_code == 404
    assert client_for(org.teammate).get(reverse("maps:map"), {"rep": org.rep.pk}).status_code == 404


def test_day_route_api(org, territory):
    data = api_for(org.rep).get("/api/v1/routes/day/", {"date": DAY.isoformat()}).json()
    assert [v["seq"] for v in data["route"]["visits"]] == [1, 2, 3, 4, 5]
    assert api_for(org.outsider).get("/api/v1/routes/day/", {"rep": org.rep.pk}).status_code == 404


def test_rep_without_anything_gets_an_explanation(org):
    data = client_for(org.teammate).get(reverse("maps:map"), {"format": "json"}).json()
    assert data["route"] is None and data["message"]


def test_road_times_come_from_the_osrm_server_of_the_settings(org, territory, osrm, settings):  # noqa: F811
    """R-ROUTE-1 / issue 16: with ROUTING_OSRM_URL set, the suggested day is routed on the server's road
    times (slower than the straight line here); unset, nothing is called; a server that fails falls back
    to the estimate and the map says so."""
    url, handler = osrm
    straight = suggested_day(org.rep, DAY, time_limit=0.3).route
    assert handler.seen == [] and not straight.travel_note

    settings.BAIFANG = {**settings.BAIFANG, "ROUTING_OSRM_URL": url}
    road = suggested_day(org.rep, DAY, time_limit=0.3).route
    assert len(handler.seen) == 1 and handler.seen[0].startswith("/table/v1/driving/")
    assert not road.travel_note and set(road.stop_ids) == set(straight.stop_ids)
    assert road.travel_s > straight.travel_s  # the stub's roads are 1.5× the line at 10 m/s or less

    handler.mode = "error"
    settings.BAIFANG = {**settings.BAIFANG, "ROUTING_OSRM_URL": url + "/"}  # another configuration: no cache
    client = client_for(org.rep)
    data = client.get(reverse("maps:map"), {"date": DAY.isoformat(), "format": "json"}).json()
    assert data["route"]["travel_note"] == OSRM_FALLBACK_NOTE and len(data["route"]["visits"]) == 5
    assert OSRM_FALLBACK_NOTE in client.get(reverse("maps:map"), {"date": DAY.isoformat()}).content.decode()
