"""A rep with no signal checks in and records the visit; back online it reaches the server exactly once
(R-UX-2, R-VISIT-1, R-VISIT-3). Offline is Playwright's context.set_offline: the page and its service
worker lose the network, navigator.onLine turns false."""

from __future__ import annotations

from playwright.sync_api import expect

from baifang.visits.models import Touch, VisitRecord
from tests.browser.conftest import SCREENSHOTS, login
from tests.browser.test_visit_flow import WEST_LAKE, _due_shop


def _phone(browser):
    return browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        has_touch=True,
        geolocation={**WEST_LAKE, "accuracy": 8},
        permissions=["geolocation"],
        locale="zh-CN",
    )


def _ready_for_the_day(phone, live_server):
    """Online, the today page registers the service worker and keeps the day's pages."""
    login(phone, live_server, "rep")
    phone.goto(f"{live_server.url}/visits/")
    phone.wait_for_selector("html[data-offline-ready]", state="attached", timeout=20000)


def _check_in_offline(context, phone, live_server, shop):
    context.set_offline(True)
    phone.goto(f"{live_server.url}/visits/")  # from the phone's cache
    expect(phone.locator("main")).to_contain_text("西湖烟酒店")
    phone.click(f"a[href='/visits/customers/{shop.pk}/check-in/']")
    phone.wait_for_url("**/check-in/")
    phone.wait_for_load_state("load")
    phone.click("#check-in-button")
    expect(phone.locator("#offline-visit")).to_be_visible()
    expect(phone.locator("#offline-queue")).to_contain_text("1 条待上传")


def _record_offline(phone):
    phone.select_option("#offline_purpose", "sell")
    phone.fill("#offline_content", "离线记录：检查陈列")
    phone.click("#offline-record button[value=save]")
    expect(phone.locator("#offline-queue")).to_contain_text("2 条待上传")


def _back_online(context, phone):
    context.set_offline(False)
    phone.wait_for_selector("#offline-queue[data-settled]", state="attached", timeout=20000)
    expect(phone.locator("#offline-queue")).to_contain_text("0 条待上传")
    expect(phone.locator("#offline-queue .offline-item[data-state=accepted]")).to_have_count(2)


def _exactly_once(shop, org):
    touch = Touch.objects.get()
    assert touch.customer == shop and touch.user == org.rep and touch.channel == "visit"
    assert touch.device_time is not None and touch.distance_m is not None and touch.distance_m < 5
    record = VisitRecord.objects.get()
    assert record.touch == touch and record.content == "离线记录：检查陈列" and record.purpose == "sell"
    assert record.device_time is not None


def test_offline_check_in_and_record_reach_the_server_once_R_UX_2(
    transactional_db, org, live_server, browser
):
    shop = _due_shop(org)
    context = _phone(browser)
    phone = context.new_page()
    _ready_for_the_day(phone, live_server)
    _check_in_offline(context, phone, live_server, shop)
    _record_offline(phone)
    assert not Touch.objects.exists()  # nothing reached the server while offline

    phone.goto(f"{live_server.url}/visits/")  # still offline: the kept today page shows the queue
    expect(phone.locator("#offline-queue")).to_contain_text("2 条待上传")
    phone.click("#offline-queue summary")
    expect(phone.locator("#offline-queue")).to_contain_text("签到 · 西湖烟酒店")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "offline-queue-today-375.png"), full_page=True)

    _back_online(context, phone)
    _exactly_once(shop, org)
    # Replaying again (another page load, the timer) sends nothing twice.
    phone.reload(wait_until="load")
    # online again, the page keeps the day's pages anew: wait until the worker is done (a request
    # still running when the test ends would hold the test database's tables)
    phone.wait_for_selector("html[data-offline-ready]", state="attached", timeout=20000)
    phone.evaluate("window.BaifangOffline.replay()")
    assert Touch.objects.count() == 1 and VisitRecord.objects.count() == 1
    context.close()


def test_offline_visit_survives_a_reload_while_offline_R_UX_2(transactional_db, org, live_server, browser):
    shop = _due_shop(org)
    context = _phone(browser)
    phone = context.new_page()
    _ready_for_the_day(phone, live_server)
    _check_in_offline(context, phone, live_server, shop)

    phone.reload(wait_until="load")  # offline: the page comes from the service worker's cache
    expect(phone.locator("#offline-visit")).to_be_visible()
    expect(phone.locator("#check-in-form")).to_be_hidden()
    expect(phone.locator("#offline-queue")).to_contain_text("1 条待上传")
    _record_offline(phone)
    phone.reload(wait_until="load")
    expect(phone.locator("#offline-queue")).to_contain_text("2 条待上传")
    assert not Touch.objects.exists()

    _back_online(context, phone)
    _exactly_once(shop, org)
    context.close()
