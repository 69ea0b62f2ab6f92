"""The customer form on a phone: province → city → district selects from the vendored division data and
the map picker (R-ARCH-1 region and location, R-UX-1), and the same form without JavaScript."""

from __future__ import annotations

from playwright.sync_api import expect

from baifang.customers.models import Customer
from tests.browser.conftest import SCREENSHOTS, login
from tests.factories import CustomerFactory


def _outside(page, live_server) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if not r.url.startswith((live_server.url, "data:")) else None,
    )
    return seen


def test_r_arch_1_cascading_selects_and_map_picker_at_375px(transactional_db, org, live_server, browser):
    customer = CustomerFactory(owner=org.rep, name="文三路老店", province="", city="杭州", district="江干区")
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    page = context.new_page()
    outside = _outside(page, live_server)
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")

    province = page.locator("select[data-region-level=province]")
    city = page.locator("select[data-region-level=city]")
    district = page.locator("select[data-region-level=district]")
    expect(province).to_be_visible()
    expect(province).to_be_enabled()
    expect(page.locator("#id_district")).to_be_hidden()  # the text fields give way to the selects
    expect(page.locator("[data-region-note]")).to_contain_text("江干区")  # old free text is shown, kept

    province.select_option(label="浙江省")
    city.select_option(label="杭州市")
    expect(district.locator("option", has_text="滨江区")).to_have_count(1)
    district.select_option(label="滨江区")
    assert page.locator("#id_city").input_value() == "杭州市"

    picker = page.locator("#location-map")
    picker.scroll_into_view_if_needed()
    expect(picker).to_be_visible()
    picker.click(position={"x": 120, "y": 100})
    assert page.locator("#id_latitude").input_value() != ""
    assert page.locator("#id_coordinate_system").input_value() == "WGS84"  # no tiles: the map is WGS-84
    expect(page.locator("[data-location-status]")).to_contain_text("位置已设为")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("fieldset", has=picker).screenshot(path=str(SCREENSHOTS / "customer-form-region-phone.png"))

    page.locator("form[data-customer-form] button.btn-primary[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    customer.refresh_from_db()
    assert (customer.province, customer.city, customer.district) == ("浙江省", "杭州市", "滨江区")
    assert (customer.province_code, customer.city_code, customer.district_code) == ("33", "3301", "330108")
    assert customer.latitude is not None and customer.coordinate_system == "WGS84"
    assert outside == []
    context.close()


def test_r_ux_1_form_without_javascript_keeps_the_text_fields(transactional_db, org, live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/new/")
    expect(page.locator("select[data-region-level=province]")).to_be_hidden()
    expect(page.locator("#location-map")).to_be_hidden()
    page.fill("#id_name", "无脚本便利店")
    page.select_option("#id_customer_type", "retailer")
    page.fill("#id_city", "杭州")
    page.fill("#id_district", "萧山")
    page.locator("form[data-customer-form] button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    customer = Customer.objects.get(name="无脚本便利店")
    assert (customer.province, customer.city, customer.district) == ("浙江省", "杭州市", "萧山区")
    assert customer.district_code == "330109"
    context.close()
