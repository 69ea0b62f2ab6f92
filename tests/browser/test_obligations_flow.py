"""Obligations in a real browser: the rep's due list on a phone, the manager's matrix (R-OBL-2, R-UX-1)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from baifang.presets import loader
from baifang.tiers import services
from baifang.tiers.models import Tier
from tests.browser.conftest import login
from tests.factories import CustomerFactory
from tests.rules.conftest import touch


def test_due_list_and_matrix(transactional_db, org, live_server, browser):
    loader.load("distribution")
    a, b, c = (Tier.objects.get(scheme__code="importance", code=code) for code in "ABC")
    for i, tier in enumerate([a, a, b, b, c, c, c]):
        customer = CustomerFactory(
            owner=org.rep if i % 2 == 0 else org.teammate, name=f"西湖客户{i}", phone="13800000000"
        )
        services.override_tier(customer, tier, by=org.market, reason="初评")
        if i == 0:
            touch(customer, org.rep, "visit", dt.datetime.now())

    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
    login(phone, live_server, "rep")
    phone.goto(f"{live_server.url}/obligations/")
    expect(phone.locator("main")).to_contain_text("西湖客户2")
    expect(phone.locator("main")).not_to_contain_text("西湖客户1")  # the teammate's customer
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    phone.screenshot(path="tests/browser/screenshots/due-phone.png", full_page=True)

    desktop = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(desktop, live_server, "manager")
    desktop.goto(f"{live_server.url}/obligations/matrix/")
    expect(desktop.locator("table.matrix")).to_contain_text("张三")
    expect(desktop.locator("table.matrix")).to_contain_text("1/2")  # rep's weekly A visits: 1 of 2 met
    desktop.screenshot(path="tests/browser/screenshots/matrix-desktop.png", full_page=True)
    desktop.goto(f"{live_server.url}/tiers/")
    desktop.screenshot(path="tests/browser/screenshots/tiers-desktop.png", full_page=True)
