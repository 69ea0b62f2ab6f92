"""Script never runs from data (R-SEC-2, R-UX-1): a customer named like an attack shows as text on every
map and plan page, every page sends a Content-Security-Policy without inline script, and no page (ours,
Swagger UI, the admin) breaks that policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from baifang.plans import services as plans
from baifang.plans.choices import PlanKind
from baifang.presets import loader
from baifang.tiers import services as tiers
from baifang.tiers.models import Tier
from tests.browser.conftest import login
from tests.factories import CustomerFactory
from tests.plans.territory import NOW

PAYLOADS = ["<img src=x onerror=window.__xss=1>", "<script>window.__xss=2</script>"]
MONDAY = dt.date(2026, 11, 23)

# Collects every CSP violation the page reports, before any page script runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def _payload_customers(org):
    loader.load("distribution")
    important = Tier.objects.get(scheme__code="importance", code="A")
    customers = []
    for i, name in enumerate([*PAYLOADS, "西湖便利店"]):
        customer = CustomerFactory(
            owner=org.rep,
            name=name,
            latitude=Decimal("30.259") + Decimal(i) / 100,
            longitude=Decimal("120.130") + Decimal(i) / 100,
            opens_at=dt.time(8),
            closes_at=dt.time(20),
        )
        tiers.override_tier(customer, important, by=org.market, reason="测试")
        customers.append(customer)
    org.team1.latitude, org.team1.longitude = 30.27, 120.15
    org.team1.save()
    return customers


def _plans(org, customers) -> dict[str, object]:
    made = {}
    for kind in (PlanKind.MONTH, PlanKind.WEEK, PlanKind.DAY):
        plan = plans.get_or_create_plan(org.rep, kind, MONDAY)
        for customer in customers:
            plan.refresh_from_db()
            plans.add_item(plan, by=org.rep, lock_version=plan.lock_version, customer=customer, day=MONDAY)
        made[kind] = plan
    return made


def _open(page, url: str):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    assert script_src.split() == ["script-src", "'self'"], (url, policy)
    return response


def _assert_safe(page, url: str, *, names: bool = True) -> None:
    """No payload ran, every payload reads as text, and the page broke no CSP rule."""
    assert page.evaluate("window.__xss") is None, url
    if names:
        for payload in PAYLOADS:
            expect(page.get_by_text(payload).first).to_be_visible()
    assert page.evaluate("window.__csp") == [], url


def _assert_tooltips_are_text(page, url: str) -> None:
    """Opens each Leaflet tooltip in turn (its content is built when it opens) and reads it."""
    texts = []
    for selector in (".leaflet-marker-icon", "path.leaflet-interactive"):
        for marker in page.locator(selector).all():
            marker.dispatch_event("mouseover")
            texts += page.locator(".leaflet-tooltip").all_text_contents()
            assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0, url
            marker.dispatch_event("mouseout")
    for payload in PAYLOADS:
        assert any(payload in t for t in texts), (url, texts)


@pytest.fixture
def watched_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, errors
    context.close()


def test_r_sec_2_payload_names_are_text_on_every_map_and_plan_page(
    transactional_db, org, live_server, watched_page
):
    page, errors = watched_page
    with time_machine.travel(NOW, tick=True):
        customers = _payload_customers(org)
        made = _plans(org, customers)
        login(page, live_server, "rep")

        url = f"{live_server.url}/map/?date={MONDAY.isoformat()}"
        _open(page, url)
        expect(page.locator(".route-stops li")).to_have_count(3)
        _assert_safe(page, url)
        _assert_tooltips_are_text(page, url)
        _assert_safe(page, url)

        for kind in (PlanKind.MONTH, PlanKind.WEEK, PlanKind.DAY):
            url = f"{live_server.url}{made[kind].get_absolute_url()}"
            _open(page, url)
            _assert_safe(page, url)
            if kind == PlanKind.DAY:
                expect(page.locator("#plan-map .stop-icon")).to_have_count(3)
                _assert_tooltips_are_text(page, url)
                _assert_safe(page, url)

        url = f"{live_server.url}/plans/report/?month={MONDAY:%Y-%m}&kind=day"
        _open(page, url)
        _assert_safe(page, url, names=False)  # plan vs. actual lists plans, not customer names

        for customer in customers[:2]:
            url = f"{live_server.url}{customer.get_absolute_url()}"
            _open(page, url)
            _assert_safe(page, url, names=False)
            expect(page.locator("h1")).to_contain_text(customer.name)
    assert errors == []


def test_r_sec_2_swagger_ui_and_admin_work_under_the_policy(transactional_db, org, live_server, watched_page):
    page, errors = watched_page
    login(page, live_server, "admin")

    _open(page, f"{live_server.url}/api/docs/")
    # Building the schema takes a while on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Baifang API", timeout=180_000)
    expect(page.locator(".opblock").first).to_be_visible()
    _assert_safe(page, "/api/docs/", names=False)

    for path in (
        "/admin/",
        "/admin/org/user/",
        f"/admin/org/user/{org.rep.pk}/change/",
        "/admin/axes/accessattempt/",
    ):
        _open(page, f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
        _assert_safe(page, path, names=False)
    assert errors == []


def test_r_sec_2_lockout_shows_on_the_login_page(transactional_db, org, live_server, watched_page, settings):
    settings.AXES_FAILURE_LIMIT = 2
    page, errors = watched_page
    page.goto(f"{live_server.url}/accounts/login/")
    for password in ("wrong-1", "wrong-2", "pw-123456"):
        page.fill("#id_username", "rep")
        page.fill("#id_password", password)
        page.click("form button.btn-primary")
    expect(page.get_by_test_id("lockout")).to_contain_text("15")
    expect(page.locator("#id_password")).to_be_visible()
    assert page.url.endswith("/accounts/login/")
    assert page.evaluate("window.__csp") == []
    assert errors == []
