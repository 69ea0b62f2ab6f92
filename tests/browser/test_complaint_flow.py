"""A complaint on a phone (375 px), from the visit to closing: the rep registers it during a visit and
hands it on; customer service takes every step to the customer's satisfaction (R-COMP-1, R-COMP-2)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from baifang.complaints.defaults import ensure_default_categories
from baifang.complaints.models import Complaint
from baifang.rules.models import SpecialVisit
from baifang.visits.models import Touch
from tests.browser.conftest import SCREENSHOTS, login
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


def _phone(browser):
    return browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 376, page.url


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_complaint_from_visit_to_closing_on_a_phone(transactional_db, org, live_server, browser):
    ensure_default_categories()
    cs_unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    UserFactory(username="cs", display_name="客服小赵", unit=cs_unit, position="cs_assistant")
    shop = CustomerFactory(name="西湖烟酒店", owner=org.rep, phone="13800000009")
    now = timezone.now() - dt.timedelta(hours=1)
    touch = Touch.objects.create(customer=shop, user=org.rep, channel="visit", started_at=now,
                                 ended_at=now + dt.timedelta(minutes=25))  # fmt: skip

    rep = _phone(browser)
    login(rep, live_server, "rep")
    rep.goto(f"{live_server.url}/visits/{touch.pk}/")
    rep.get_by_role("link", name="登记投诉").click()
    expect(rep.locator("h1")).to_have_text("登记投诉")
    expect(rep.locator("#id_channel")).to_have_value("visit")
    rep.select_option("#id_category", label="服务质量")
    rep.fill("#id_subject", "询价回复太慢")
    rep.fill("#id_description", "客户说上月两次询价，隔天才回复。")
    rep.fill("#id_complainant", "王店长")
    _fits(rep)
    _shot(rep, "complaint-intake-phone")
    rep.get_by_role("button", name="登记").click()
    expect(rep.locator("main")).to_contain_text("已登记")
    complaint = Complaint.objects.get()
    assert complaint.owner == org.rep and complaint.touch == touch
    assert SpecialVisit.objects.filter(customer=shop, trigger="complaint").count() == 1

    # 首问负责制: the rep hands it on to customer service
    rep.select_option("#id_hand_on-to_user", label="客服小赵 · 客户服务部")
    rep.fill("#id_hand_on-note", "涉及客服热线，请客服部跟进")
    rep.get_by_role("button", name="移交").click()
    expect(rep.locator("main")).to_contain_text("已移交给 客服小赵")
    expect(rep.locator("main")).to_contain_text("客服小赵 负责这条投诉")
    _fits(rep)

    cs = _phone(browser)
    login(cs, live_server, "cs")
    cs.goto(f"{live_server.url}/complaints/")
    expect(cs.locator(".complaint-list")).to_contain_text("询价回复太慢")
    _fits(cs)
    _shot(cs, "complaint-list-phone")
    cs.get_by_role("link", name="询价回复太慢").click()

    def step(button, fill):
        for selector, value in fill.items():
            if selector.startswith("select:"):
                cs.select_option(selector[7:], value)
            elif selector.startswith("check:"):
                cs.check(selector[6:])
            else:
                cs.fill(selector, value)
        cs.get_by_role("button", name=button).click()
        expect(cs.locator("main")).to_contain_text("已保存")
        _fits(cs)

    step("记录调查结果", {"#id_investigate-findings": "核查询价记录，两次回复间隔均超过 24 小时。"})
    cs.select_option("#id_find_valid-responsible_unit", label="营销一部")
    _shot(cs, "complaint-valid-form-phone")
    step("投诉属实", {"#id_find_valid-customer_told": "已电话致歉并说明改进措施。"})
    step("记录整改", {"#id_rectify-rectification": "询价当天答复，超时由主管跟进。"})
    step("记录复查", {"#id_recheck-record": "两周内 12 次询价均当天答复。"})
    step("记录客户满意度", {"select:#id_ask_satisfaction-satisfaction": "satisfied"})
    step("关闭投诉", {})
    expect(cs.locator("h1 + .badge")).to_have_text("已关闭")
    _shot(cs, "complaint-closed-phone")
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.satisfaction == "satisfied"
    assert list(complaint.status_changes.values_list("transition", flat=True)) == [
        "investigate", "find_valid", "rectify", "recheck", "ask_satisfaction", "close"]  # fmt: skip

    cs.goto(f"{live_server.url}/complaints/report/")
    expect(cs.locator("main")).to_contain_text("营销一部")
    _fits(cs)
    _shot(cs, "complaint-report-phone")
