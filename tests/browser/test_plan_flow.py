"""Plans in a real browser: the rep generates, drags, submits; the manager returns; the rep resubmits; approved (R-PLAN-2, R-PLAN-4)."""

from __future__ import annotations

import time_machine
from playwright.sync_api import expect

from baifang.plans.models import Plan
from tests.browser.conftest import login
from tests.plans.territory import NOW, make_territory


def test_generate_edit_submit_return_resubmit_approve(transactional_db, org, live_server, browser):
    with time_machine.travel(NOW, tick=True):
        make_territory(org)
        # Tall enough that source and target are both on screen: HTML5 drag does not survive scrolling.
        rep = browser.new_context(viewport={"width": 1366, "height": 2400}).new_page()
        login(rep, live_server, "rep")
        rep.goto(f"{live_server.url}/plans/")
        rep.get_by_role("link", name="下月").click()
        assert not Plan.objects.exists()  # opening the period (a GET) creates nothing
        rep.get_by_test_id("create-plan").click()
        rep.get_by_test_id("generate").click()
        expect(rep.locator(".month .plan-item").first).to_be_visible()
        plan = Plan.objects.get(owner=org.rep, kind="month")
        assert plan.items.count() > 0

        # Drag the first visit of the month to Tuesday 22 December.
        item = plan.items.filter(channel="visit").order_by("day", "sequence").first()
        rep.drag_and_drop(f'.plan-item[data-item="{item.pk}"]', '.day[data-day="2026-12-22"]')
        expect(rep.locator(".banner-success")).to_contain_text(item.customer.name)
        item.refresh_from_db()
        assert str(item.day) == "2026-12-22"
        rep.get_by_test_id("submit").click()
        expect(rep.locator("h1 .badge")).to_have_text("已提交")

        manager = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        login(manager, live_server, "manager")
        manager.goto(f"{live_server.url}/plans/approvals/")
        manager.locator(f'a[href="{plan.get_absolute_url()}#approve"]').click()
        manager.fill("textarea[name=comment]", "请把A类客户安排在上午")
        manager.get_by_test_id("return").click()
        expect(manager.locator("h1 .badge")).to_have_text("已退回")

        rep.reload()
        expect(rep.locator("main")).to_contain_text("请把A类客户安排在上午")
        rep.get_by_test_id("submit").click()
        expect(rep.locator("h1 .badge")).to_have_text("已提交")

        manager.goto(f"{live_server.url}/plans/approvals/")
        manager.locator(f'a[href="{plan.get_absolute_url()}#approve"]').click()
        expect(manager.locator(".diff")).to_contain_text("版本 1")
        manager.get_by_test_id("approve").click()
        expect(manager.locator("h1 .badge")).to_have_text("已批准")
        manager.screenshot(path="tests/browser/screenshots/plan-approved.png", full_page=True)

        phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
        login(phone, live_server, "rep")
        phone.goto(f"{live_server.url}{plan.get_absolute_url()}")
        expect(phone.locator("h1 .badge")).to_have_text("已批准")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 376
        phone.screenshot(path="tests/browser/screenshots/plan-month-phone.png", full_page=True)
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.version == 2
    assert list(plan.status_changes.values_list("new_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
