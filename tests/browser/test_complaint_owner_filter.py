"""The complaint list's owner filter on a phone (375 px): customer service types part of a name, picks
the owner among the few found, and the list shows that owner's complaints; the search box is never
sent with the filters (R-COMP-1)."""

from __future__ import annotations

from playwright.sync_api import expect

from baifang.complaints import services
from baifang.complaints.defaults import ensure_default_categories
from baifang.complaints.models import ComplaintCategory
from tests.browser.conftest import SCREENSHOTS, login
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory


def _intake(customer, subject):
    return services.Intake(customer=customer, channel="phone", category=ComplaintCategory.objects.get(code="service"),
                           subject=subject, description="客户来电。")  # fmt: skip


def test_pick_an_owner_by_typing_on_a_phone(transactional_db, org, live_server, browser):
    ensure_default_categories()
    cs_unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    cs = UserFactory(username="cs", display_name="客服小赵", unit=cs_unit, position="cs_assistant")
    services.receive(_intake(CustomerFactory(name="西湖烟酒店", owner=org.rep), "客服登记的投诉"), by=cs)
    services.receive(_intake(CustomerFactory(name="湖滨便利店", owner=org.rep), "张三登记的投诉"), by=org.rep)

    page = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
    login(page, live_server, "cs")
    page.goto(f"{live_server.url}/complaints/")
    expect(page.locator("#results")).to_contain_text("客服登记的投诉")
    expect(page.locator("#id_owner option")).to_have_count(1)  # only 全部: no list of every person
    page.locator("summary", has_text="更多筛选").click()
    page.locator(".remote-select-find").fill("张")
    expect(page.locator("#id_owner option", has_text="张三")).to_have_count(1)
    expect(page.locator("#id_owner option", has_text="客服小赵")).to_have_count(0)
    page.select_option("#id_owner", label="张三")
    expect(page.locator("#results")).not_to_contain_text("客服登记的投诉")
    expect(page.locator("#results")).to_contain_text("张三登记的投诉")
    assert f"owner={org.rep.pk}" in page.url and "term=" not in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "complaint-owner-filter-phone.png"), full_page=True)
