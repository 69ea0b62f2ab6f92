"""The visit page on a phone shows the stock guidance and the purchase history (R-INV-1, R-UX-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from baifang.commerce.models import Product, ProductGroup
from baifang.visits import stock
from baifang.visits.models import VisitRecord
from tests.browser.conftest import SCREENSHOTS, login
from tests.commerce.test_pages_and_api import make_order
from tests.factories import CustomerFactory
from tests.rules.conftest import touch


def test_visit_page_shows_guidance_at_375px(transactional_db, org, live_server, browser):
    family = ProductGroup.objects.create(code="HHL", name="黄鹤楼", stock_factor=Decimal(2))
    products = {
        "hhl": Product.objects.create(code="P001", name="黄鹤楼(硬)", group=family, price=Decimal(250)),
        "zh": Product.objects.create(code="P002", name="中华(软)", price=Decimal(650)),
    }
    shop = CustomerFactory(name="西湖便利店", code="KH100", owner=org.rep)
    today = dt.date.today()
    for months in range(6, 0, -1):
        make_order(
            shop,
            f"DD{months}",
            today - dt.timedelta(days=30 * months),
            [("hhl", 10 * months), ("zh", 5)],
            products,
        )
    first = touch(shop, org.rep, "visit", dt.datetime.combine(today - dt.timedelta(days=14), dt.time(10)))
    stock.save_counts(
        org.rep, VisitRecord.objects.create(touch=first), {products["hhl"].pk: "20", products["zh"].pk: "8"}
    )
    make_order(shop, "DD-LAST", today - dt.timedelta(days=14), [("hhl", 50)], products)
    second = touch(shop, org.rep, "visit", dt.datetime.combine(today, dt.time(9)))
    stock.save_counts(
        org.rep, VisitRecord.objects.create(touch=second), {products["hhl"].pk: "15", products["zh"].pk: "10"}
    )

    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/visits/{second.pk}/")
    guidance = page.locator("#stock-guidance")
    expect(guidance).to_be_visible()
    expect(guidance).to_contain_text("黄鹤楼(硬)")
    expect(guidance).to_contain_text("95")  # (20 + 50 − 15) × 2 − 15
    expect(guidance).to_contain_text("库存无订货却增加")  # 中华: 8 + 0 − 10 < 0
    expect(page.locator("#purchases .purchase-chart svg")).to_be_visible()  # ECharts drew the chart
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out sideways
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "stock-guidance-375.png"), full_page=True)
    page.goto(f"{live_server.url}/visits/customers/{shop.pk}/check-in/")
    expect(page.locator("#stock-before")).to_contain_text("黄鹤楼(硬)")
    page.screenshot(path=str(SCREENSHOTS / "check-in-before-visit-375.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()
