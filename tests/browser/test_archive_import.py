"""The archive import in a real browser on a 375 px phone (R-ARCH-10): upload, preview, confirm."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from baifang.customers.models import Contact, Customer
from tests.browser.conftest import SCREENSHOTS, login

GOOD = "客户名称,客户类型,城市,联系人,联系人手机\n浏览器便利店,零售商,杭州市,王一,13900000001\n".encode()
BAD = "客户名称,客户类型,城市\n坏店,火星人,杭州市\n".encode()


@pytest.fixture
def phone_page(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = HUEY.immediate
    HUEY.immediate = True
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
    HUEY.immediate = before


def test_market_staff_import_with_preview_on_a_phone(transactional_db, org, live_server, phone_page):
    page = phone_page

    def screenshot(name: str) -> None:  # the phone page's, not the default page's
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    login(page, live_server, "market")
    page.goto(f"{live_server.url}/customers/import/")
    expect(page.locator("h1")).to_contain_text("导入客户")
    screenshot("archive-import-page")

    page.set_input_files("#id_upload", files=[{"name": "坏.csv", "mimeType": "text/csv", "buffer": BAD}])
    page.click("button.btn-primary")
    expect(page.locator("table")).to_contain_text("火星人")
    expect(page.get_by_text("下载错误报告")).to_be_visible()
    screenshot("archive-import-errors")
    assert Customer.objects.count() == 0

    page.goto(f"{live_server.url}/customers/import/")
    page.set_input_files("#id_upload", files=[{"name": "好.csv", "mimeType": "text/csv", "buffer": GOOD}])
    page.click("button.btn-primary")
    page.get_by_role("button", name="正式导入").click()
    expect(page.locator("body")).to_contain_text("已导入")
    screenshot("archive-import-done")
    assert Customer.objects.filter(name="浏览器便利店").count() == 1 and Contact.objects.count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
