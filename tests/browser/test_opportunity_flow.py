"""An opportunity lost with its report on a phone, then seen in the month's analysis (R-FU-5, R-FU-6):
the pages fit 375 px, the chart is drawn, and screenshots at 375 px and desktop width to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from baifang.followups import opportunities as svc
from baifang.followups.models import LostOrder, LostReason
from tests.browser.conftest import SCREENSHOTS, login
from tests.factories import CustomerFactory


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_r_fu_5_lose_an_opportunity_and_see_it_in_the_analysis(transactional_db, org, live_server, browser):
    svc.ensure_default_reasons()  # an earlier live-server test's flush removed the migration's rows
    customer = CustomerFactory(name="杭州华联超市", owner=org.rep)
    opportunity = svc.create(
        org.rep,
        customer,
        title="年度饮料供货合同",
        expected_amount=Decimal("86000"),
        expected_close_on=timezone.localdate() + dt.timedelta(days=20),
    )
    svc.record_lost_order(
        org.rep, customer, lost_on=timezone.localdate(), reason=LostReason.objects.get(code="delivery"),
        competitor="怡宝", amount=Decimal("6400"), lessons="交期太长",
    )  # fmt: skip
    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
    login(phone, live_server, "rep")
    phone.goto(f"{live_server.url}{opportunity.get_absolute_url()}")
    _fits(phone)
    phone.get_by_role("link", name="丢单（填报告）").click()
    expect(phone.locator("h1")).to_contain_text("丢单报告")
    phone.select_option("#id_reason", label="价格")
    phone.fill("#id_competitor", "农夫山泉")
    phone.fill("#id_lessons", "对手报价低 8%，下次提前备好价格方案。")
    _fits(phone)
    _shot(phone, "opportunity-lose-phone")
    phone.get_by_role("button", name="标为丢单并保存报告").click()
    expect(phone.locator("#lost-order")).to_contain_text("农夫山泉")
    expect(phone.locator("h1")).to_contain_text("丢单")
    assert LostOrder.objects.filter(opportunity=opportunity, amount=Decimal("86000")).exists()

    phone.goto(f"{live_server.url}/visits/lost-orders/")
    expect(phone.locator("[data-bar-chart] svg")).to_be_visible()
    expect(phone.locator("body")).to_contain_text("对手报价低")
    expect(phone.locator(".stat").first).to_have_text("2")
    _fits(phone)
    _shot(phone, "lost-orders-analysis-phone")

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desktop, live_server, "rep")
    desktop.goto(f"{live_server.url}/visits/lost-orders/")
    expect(desktop.locator("[data-bar-chart] svg")).to_be_visible()
    _shot(desktop, "lost-orders-analysis-desktop")
