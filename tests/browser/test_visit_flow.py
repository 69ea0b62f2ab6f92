"""A visit on a phone with a faked position: check in, record with photo and signature, submit, supervisor
signs (R-VISIT-1, R-VISIT-3, R-VISIT-4, R-UX-1)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from baifang.rules.models import VisitRule
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from baifang.visits.models import Touch
from tests.browser.conftest import login
from tests.factories import CustomerFactory

WEST_LAKE = {"latitude": 30.2590, "longitude": 120.1490}


def _due_shop(org):
    shop = CustomerFactory(
        name="西湖烟酒店", owner=org.rep, latitude=30.2590, longitude=120.1490, coordinate_system="WGS84"
    )
    scheme = ClassificationScheme.objects.create(code="service", name="服务分类")
    tier = Tier.objects.create(scheme=scheme, code="core", name="核心客户", rank=1)
    CustomerTier.objects.create(
        customer=shop, scheme=scheme, tier=tier, source="manual", assigned_at=timezone.now()
    )
    VisitRule.objects.create(
        code="core-visit",
        name="核心客户每周拜访",
        scheme=scheme,
        tier=tier,
        channel="visit",
        period="week",
        min_count=1,
        valid_from=dt.date(2020, 1, 1),
    )
    return shop


def _photo(tmp_path):
    path = tmp_path / "shelf.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (30, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_visit_on_a_phone(transactional_db, org, live_server, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    shop = _due_shop(org)
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        has_touch=True,
        geolocation={**WEST_LAKE, "accuracy": 8},
        permissions=["geolocation"],
    )
    phone = context.new_page()
    login(phone, live_server, "rep")

    phone.goto(f"{live_server.url}/visits/")
    expect(phone.locator("main")).to_contain_text("西湖烟酒店")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    phone.click(f"a[href='/visits/customers/{shop.pk}/check-in/']")
    phone.wait_for_url("**/check-in/")
    phone.wait_for_load_state("load")  # visits.js attached: the button asks for the position
    phone.click("#check-in-button")
    phone.wait_for_url(f"{live_server.url}/visits/*/")
    touch = Touch.objects.get()
    assert touch.coordinate_system == "WGS84" and touch.distance_m < 5 and touch.accuracy_m == 8
    assert not touch.flags.exists()

    phone.click("form[action$='/check-out/'] button")
    phone.wait_for_url(f"{live_server.url}/visits/{touch.pk}/record/")
    phone.wait_for_load_state("load")
    phone.select_option("#id_purpose", "sell")
    phone.fill("#id_content", "介绍新品，检查陈列")
    phone.fill("#id_stock_observed", "利群 3 条")
    # The draft survives a reload (a dropped network loses nothing).
    phone.reload(wait_until="load")
    expect(phone.locator("#id_content")).to_have_value("介绍新品，检查陈列")
    pad = phone.locator("canvas.signature-pad").first
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + 30)
    phone.mouse.down()
    phone.mouse.move(box["x"] + 120, box["y"] + 80, steps=8)
    phone.mouse.move(box["x"] + 220, box["y"] + 40, steps=8)
    phone.mouse.up()
    phone.fill("#id_rep_signed_name", "张三")
    phone.set_input_files("#id_photo", _photo(tmp_path))
    phone.screenshot(path="tests/browser/screenshots/visit-record-phone.png", full_page=True)
    phone.click("button[name=action][value=submit]")
    phone.wait_for_url(f"{live_server.url}/visits/{touch.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    touch.refresh_from_db()
    record = touch.record
    assert record.status == "submitted" and touch.photos.count() == 1
    assert record.customer_signature_method == "drawn" and record.rep_signature_method == "typed"

    manager = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    login(manager, live_server, "manager")
    manager.goto(f"{live_server.url}/visits/review/")
    expect(manager.locator("main")).to_contain_text("西湖烟酒店")
    manager.click(f"a[href='/visits/{touch.pk}/#review']")
    manager.fill("#id_comment", "记录完整")
    manager.click("button[name=action][value=sign]")
    manager.wait_for_url(f"{live_server.url}/visits/review/")
    record.refresh_from_db()
    assert record.status == "signed" and record.reviewed_by == org.manager
    manager.screenshot(path="tests/browser/screenshots/visit-review-phone.png", full_page=True)
