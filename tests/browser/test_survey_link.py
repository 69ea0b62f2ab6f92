"""A household answers the owner survey through its link on a 375 px phone, without logging in (R-SURV-2)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from baifang.surveys import services
from baifang.surveys.models import SurveyCampaign, SurveyResponse, SurveyTemplate
from baifang.surveys.presets import load_templates
from tests.browser.conftest import SCREENSHOTS
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


def shot(page, name: str) -> None:
    """Save this page (not the fixture's blank one) under tests/browser/screenshots/ to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_answer_through_the_link_on_a_phone(transactional_db, org, live_server, browser):
    load_templates()
    unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    cs = UserFactory(username="cs", unit=unit, position="cs_assistant")
    home = CustomerFactory(name="永辉楼1201室", customer_type="household", owner=org.rep)
    today = timezone.localdate()
    campaign = SurveyCampaign.objects.create(
        template=SurveyTemplate.objects.get(code="property-owner"),
        title="下半年业主意见调查",
        owner=cs,
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
    )
    services.add_recipients(campaign, [home], by=cs)
    campaign.start(by=cs)
    recipient = campaign.recipients.get()

    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN").new_page()
    phone.goto(f"{live_server.url}{recipient.link_path()}")
    expect(phone.get_by_role("heading", name="下半年业主意见调查")).to_be_visible()
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("group", name="1. 安防管理").get_by_label("满意", exact=True).check()
    phone.get_by_role("group", name="2. 供电管理").get_by_label("基本满意").check()
    phone.get_by_role("group", name="6. 绿化管理").get_by_label("不满意").check()
    phone.get_by_label("您对物业管理的意见和建议").fill("小区绿化太少，希望增加。")
    shot(phone, "survey-link-375")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_text("您的答卷已收到")).to_be_visible()
    shot(phone, "survey-link-thanks-375")

    response = SurveyResponse.objects.get()
    assert {a.item.code: a.value for a in response.answers.select_related("item")} == {
        "security": "satisfied",
        "power": "basic",
        "greening": "dissatisfied",
    }
    assert response.opinion == "小区绿化太少，希望增加。"

    # The same link a second time: refused in Chinese, nothing recorded.
    phone.goto(f"{live_server.url}{recipient.link_path()}")
    expect(phone.get_by_text("该调查表已经填写过了")).to_be_visible()
    shot(phone, "survey-link-used-375")
    assert SurveyResponse.objects.count() == 1


def test_staff_see_statistics_and_the_letter(transactional_db, org, live_server, browser):
    """R-SURV-3: the statistics page and the printable reply letter, with the definitions printed."""
    from tests.browser.conftest import login

    load_templates()
    unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    cs = UserFactory(username="cs", unit=unit, position="cs_assistant")
    homes = [
        CustomerFactory(name=f"永辉楼{n}室", customer_type="household", owner=org.rep)
        for n in range(101, 106)
    ]
    today = timezone.localdate()
    campaign = SurveyCampaign.objects.create(
        template=SurveyTemplate.objects.get(code="property-building"),
        title="大厦客户意见调查",
        owner=cs,
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        greeting="为了征询对大厦物业管理的宝贵意见，我们散发了一份《客户意见调查表》。",
    )
    services.add_recipients(campaign, homes, by=cs)
    campaign.start(by=cs)
    for n, recipient in enumerate(campaign.recipients.order_by("pk")[:4]):
        answers = {
            item.code: ("dissatisfied" if n == 0 and item.code == "elevators" else "satisfied")
            for item in campaign.template.items.all()
        }
        services.submit_response(
            recipient, answers, opinion="电梯太慢" if n < 2 else "", source="paper", by=cs
        )

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server, "cs")
    page.goto(f"{live_server.url}/surveys/{campaign.pk}/")
    expect(page.get_by_text("已回收（目标 ≥ 80%）")).to_be_visible()
    shot(page, "survey-campaign")
    page.goto(f"{live_server.url}/surveys/{campaign.pk}/statistics/")
    expect(page.get_by_text("统计口径")).to_be_visible()
    shot(page, "survey-statistics")
    page.goto(f"{live_server.url}/surveys/{campaign.pk}/letter/")
    expect(page.get_by_role("heading", name="客户意见调查回复函")).to_be_visible()
    expect(page.get_by_text("已回收 4 份调查表")).to_be_visible()
    shot(page, "survey-letter")
