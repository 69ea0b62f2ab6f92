"""Real-browser flow of the archive (R-ARCH-1, R-SEC-1, R-UX-1) in Debian's chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from baifang.customers.models import Customer
from tests.browser.conftest import login


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests_seen = requests
    yield page
    context.close()


def test_rep_creates_finds_and_outsider_is_refused(transactional_db, org, live_server, phone_page, browser):
    """A rep logs in on a phone, registers a customer, finds it in the list; an outsider cannot open it."""
    page = phone_page
    login(page, live_server, "rep")
    expect(page.locator("h1")).to_contain_text("张三")

    page.goto(f"{live_server.url}/customers/new/")
    page.fill("#id_name", "西湖区文三路便利店")
    page.select_option("#id_customer_type", "retailer")
    page.fill("#id_phone", "13600001234")
    page.select_option("select[data-region-level=province]", label="浙江省")  # the division selects
    page.select_option("select[data-region-level=city]", label="杭州市")
    page.select_option("select[data-region-level=district]", label="西湖区")
    page.fill("#id_latitude", "30.2741")
    page.fill("#id_longitude", "120.1551")
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_contain_text("西湖区文三路便利店")
    customer = Customer.objects.get(name="西湖区文三路便利店")
    assert customer.owner.username == "rep"
    assert (customer.city, customer.district, customer.district_code) == ("杭州市", "西湖区", "330106")

    page.goto(f"{live_server.url}/customers/")
    page.fill("#id_q", "文三路")
    expect(page.locator("#results")).to_contain_text("西湖区文三路便利店")
    expect(page.locator("#results")).to_contain_text("1")

    # Nothing on any page came from outside this server (R-UX-1).
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in page.requests_seen)

    # Phone layout: nothing wider than the 375 px screen on the list page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1

    outsider = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login(outsider, live_server, "outsider")
    response = outsider.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert response.status == 404
    outsider.goto(f"{live_server.url}/customers/")
    expect(outsider.locator("#results")).not_to_contain_text("文三路")


def test_screenshots_of_key_pages(transactional_db, org, live_server, phone_page, browser):
    """Screenshots of the key pages at phone and desktop width, for a human to look at."""
    from tests.factories import ContactFactory, CustomerFactory

    customer = CustomerFactory(
        name="杭州华联超市",
        owner=org.rep,
        phone="13800000001",
        is_key=True,
        latitude="30.27",
        longitude="120.15",
        annual_value=2350000,
    )
    ContactFactory(customer=customer, name="王建国", mobile="13900000002")
    for i in range(12):
        CustomerFactory(name=f"拱墅区便利店{i:02d}", owner=org.rep)
    page = phone_page
    login(page, live_server, "rep")
    page.screenshot(path="tests/browser/screenshots/home-phone.png", full_page=True)
    page.goto(f"{live_server.url}/customers/")
    page.screenshot(path="tests/browser/screenshots/list-phone.png", full_page=True)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator(".banner-warn").first).to_be_visible()  # one knower for a key customer (R-ARCH-6)
    page.screenshot(path="tests/browser/screenshots/detail-phone.png", full_page=True)
    desktop = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(desktop, live_server, "rep")
    desktop.goto(f"{live_server.url}/customers/")
    desktop.screenshot(path="tests/browser/screenshots/list-desktop.png", full_page=True)
    desktop.goto(f"{live_server.url}/customers/new/")
    desktop.screenshot(path="tests/browser/screenshots/form-desktop.png", full_page=True)
    assert re.search(r"\d", desktop.title()) is None or desktop.title()
