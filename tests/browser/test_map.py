"""The route map in a real browser (R-ROUTE-1, R-UX-1, docs/maps.md): Leaflet and its plug-ins from local
files, the bundled province boundaries when no tiles are set, clustered customers, numbered stops that do
not cover each other or a cluster, the legend — at 375 px and on a desktop, with nothing fetched from
another host (every other host is routed to an abort, and none may even be tried)."""

from __future__ import annotations

import datetime as dt
import math
import os
import random

import pytest
from django.utils import translation
from playwright.sync_api import expect

from baifang.presets import loader
from baifang.tiers import services
from baifang.tiers.models import Tier
from tests.browser.conftest import login
from tests.factories import CustomerFactory

LEGEND = (
    "Legend",
    "No tier",
    "Customers close together (tap to open)",
    "Suggested route",
    "Stop, in visiting order",
    "Start and end point",
    "Province boundaries (no map tiles configured)",
)
SCREENSHOTS = os.environ.get("BAIFANG_SCREENSHOTS", "/tmp/baifang-screenshots")


@pytest.fixture
def territory(org):
    """The rep's 90 customers: most in a tight block of 杭州 (they cluster), a few in other cities."""
    loader.load("distribution")
    tiers = [Tier.objects.get(scheme__code="importance", code=code) for code in "ABC"]
    rng = random.Random(7)
    spots = [(30.27 + rng.uniform(-0.04, 0.04), 120.15 + rng.uniform(-0.05, 0.05)) for _ in range(80)]
    spots += [(29.87, 121.55), (30.75, 120.76), (28.0, 120.67), (30.0, 120.58), (29.1, 119.65)] * 2
    for i, (lat, lng) in enumerate(spots):
        c = CustomerFactory(
            owner=org.rep,
            name=f"地图客户{i}",
            latitude=round(lat, 6),
            longitude=round(lng, 6),
            coordinate_system="WGS84",
            opens_at=dt.time(9),
            closes_at=dt.time(18),
        )
        services.override_tier(c, tiers[i % 3], by=org.market, reason="测试")
    org.team1.latitude, org.team1.longitude = 30.27, 120.15
    org.team1.save()


def _overlaps(boxes) -> list[tuple[int, int]]:
    """Pairs of round icons (screen boxes x, y, w, h of circles) that cover each other."""
    pairs = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            dx = (a["x"] + a["width"] / 2) - (b["x"] + b["width"] / 2)
            dy = (a["y"] + a["height"] / 2) - (b["y"] + b["height"] / 2)
            if math.hypot(dx, dy) < (a["width"] + b["width"]) / 2:
                pairs.append((i, j))
    return pairs


@pytest.mark.parametrize("viewport", [(375, 812), (1280, 900)], ids=["phone", "desktop"])
def test_route_map_boundaries_clusters_legend_offline(
    transactional_db, org, territory, live_server, browser, viewport
):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    tried = []

    def only_local(route):
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            route.continue_()
        else:
            tried.append(url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/map/")

    # Boundaries: the bundled provinces were fetched from our own static files and drawn.
    expect(page.locator("#map[data-boundaries='34']")).to_have_count(1)
    assert page.locator(".leaflet-boundaries-pane path").count() == 34
    # Clusters: 90 customers, fewer icons than customers; the route's stops are numbered 1..n.
    expect(page.locator(".cluster-icon").first).to_be_visible()
    clusters = page.locator(".cluster-icon").count()
    dots = page.locator(".customer-dot").count()
    stops = page.locator(".stop-icon")
    n = page.locator(".route-stops li").count()
    assert 5 <= n <= 15 and stops.count() == n
    assert clusters >= 1 and dots + clusters < 90
    page.wait_for_timeout(700)  # the placement pass after the first clustering

    # No stop covers another stop or a cluster icon (screen boxes of what is on the map).
    stop_boxes = [stops.nth(i).bounding_box() for i in range(n)]
    cluster_boxes = [page.locator(".cluster-icon span").nth(i).bounding_box() for i in range(clusters)]
    stop_boxes.append(page.locator(".base-icon").bounding_box())  # the start point takes part too
    assert _overlaps(stop_boxes) == []
    assert [p for p in _overlaps(stop_boxes + cluster_boxes) if p[0] <= n < p[1]] == []
    assert sorted(int(stops.nth(i).inner_text()) for i in range(n)) == list(range(1, n + 1))

    # The legend on every map, in the page's language (zh-hans: the catalog's words, from the template):
    # tiers, clusters, route, stops, base, boundaries.
    with translation.override("zh-hans"):
        words = [translation.gettext(w) for w in LEGEND]
    legend = page.locator(".map-legend")
    expect(legend).to_be_visible()
    expect(legend.locator("summary")).to_have_text(words[0])
    if width <= 640:
        legend.locator("summary").click()  # closed on a phone, one tap opens it
    for word in words[1:]:
        expect(legend).to_contain_text(word)
    assert legend.locator(".legend-tier").count() >= 4  # A, B, C … and "no tier"

    # Zooming in opens clusters; the stops are placed again and still do not overlap.
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(900)
    n_boxes = [stops.nth(i).bounding_box() for i in range(n)]
    assert _overlaps([b for b in n_boxes if b]) == []

    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.locator(".leaflet-control-zoom-out").click()
    page.wait_for_timeout(900)
    page.screenshot(path=f"{SCREENSHOTS}/map-{width}.png", full_page=True)
    assert tried == []  # nothing even tried to leave 127.0.0.1
    assert errors == []
    context.close()


def test_location_picker_has_the_boundaries_and_a_legend_offline(transactional_db, org, live_server, browser):
    """The customer form's map (R-ARCH-1 location) has the same base and a legend, and fetches nothing else."""
    customer = CustomerFactory(owner=org.rep, latitude=30.27, longitude=120.15, coordinate_system="WGS84")
    context = browser.new_context(viewport={"width": 375, "height": 812})
    tried = []

    def only_local(route):
        if route.request.url.startswith((live_server.url, "data:")):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    expect(page.locator("#location-map[data-boundaries='34']")).to_have_count(1)
    legend = page.locator("#location-map .map-legend")
    expect(legend).to_be_visible()
    legend.locator("summary").click()
    with translation.override("zh-hans"):
        expect(legend).to_contain_text(translation.gettext("Location"))
    assert tried == []
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.locator("#location-map").screenshot(path=f"{SCREENSHOTS}/picker-375.png")
    context.close()


def test_an_empty_map_still_has_its_base_and_legend(transactional_db, org, live_server, browser):
    """A rep with no located customer and no route: the boundaries, the legend, no script error."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(live_server.url) else r.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, org.teammate.username)
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#map[data-boundaries='34']")).to_have_count(1)
    expect(page.locator(".map-legend")).to_be_visible()
    assert page.locator(".stop-icon, .cluster-icon, .customer-dot").count() == 0 and errors == []
    context.close()
