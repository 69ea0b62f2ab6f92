"""The route map in a real browser: Leaflet from local files, points by tier, numbered route (R-ROUTE-1, R-UX-1)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from baifang.presets import loader
from baifang.tiers import services
from baifang.tiers.models import Tier
from tests.browser.conftest import login
from tests.factories import CustomerFactory

POINTS = [
    (30.259, 120.130),
    (30.275, 120.162),
    (30.290, 120.140),
    (30.245, 120.170),
    (30.300, 120.120),
    (30.281, 120.101),
]


def test_route_map_on_a_phone(transactional_db, org, live_server, browser):
    loader.load("distribution")
    tiers = [Tier.objects.get(scheme__code="importance", code=code) for code in "AAB"]
    for i, (lat, lng) in enumerate(POINTS):
        c = CustomerFactory(
            owner=org.rep,
            name=f"地图客户{i}",
            latitude=lat,
            longitude=lng,
            opens_at=dt.time(9),
            closes_at=dt.time(18),
        )
        services.override_tier(c, tiers[i % 3], by=org.market, reason="测试")
    org.team1.latitude, org.team1.longitude = 30.27, 120.15
    org.team1.save()

    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/map/")
    expect(page.locator(".route-stops li")).to_have_count(6)
    assert page.locator("path.leaflet-interactive").count() >= 7  # six customer points + the route line
    expect(page.locator(".stop-icon")).to_have_count(6)
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    assert outside == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.screenshot(path="tests/browser/screenshots/map-phone.png", full_page=True)
