"""R-FU-4 on a phone: today's duty order with who is next, the register form at 375 px (no contact
details needed), the register line with its customer card, and the reports; screenshots to look at."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from baifang.followups import showroom as svc
from baifang.followups.models import Registration, Showroom
from tests.browser.conftest import SCREENSHOTS, login


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_r_fu_4_showroom_on_a_phone(transactional_db, org, live_server, browser):
    showroom = Showroom.objects.create(name="西湖4S店", unit=org.team1)
    now = timezone.now()
    svc.set_duty_order(org.manager, showroom, timezone.localdate(now), [org.rep, org.teammate])
    earlier = now - dt.timedelta(minutes=50)
    svc.register(
        org.rep,
        showroom,
        kind="walk_in",
        time_in=earlier,
        time_out=earlier + dt.timedelta(minutes=30),
        visitor_name="陈先生",
        phone="13900000001",
        intended_product="轩逸 1.6L",
        intent_level="A",
        note="试驾，关注油耗",
    )
    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
    login(phone, live_server, "teammate")
    phone.goto(f"{live_server.url}/visits/showrooms/{showroom.pk}/")
    expect(phone.locator("#duty-order [data-next]")).to_have_count(1)
    _fits(phone)
    _shot(phone, "showroom-today-phone")
    phone.goto(f"{live_server.url}/visits/showrooms/{showroom.pk}/register/")
    _fits(phone)
    _shot(phone, "showroom-register-phone")
    phone.fill("#id_visitor_name", "某女士")
    phone.click("form button.btn-primary")
    expect(phone.locator("body")).to_contain_text("某女士")
    _fits(phone)
    assert Registration.objects.filter(visitor_name="某女士", phone="").count() == 1
    first = Registration.objects.get(visitor_name="陈先生")
    phone.goto(f"{live_server.url}/visits/registrations/{first.pk}/")
    expect(phone.locator("#customer-card")).to_contain_text("张三")
    _fits(phone)
    _shot(phone, "showroom-registration-phone")
    phone.goto(f"{live_server.url}/visits/showrooms/{showroom.pk}/reports/")
    expect(phone.locator("#promotion")).to_contain_text("陈先生")
    _fits(phone)
    _shot(phone, "showroom-reports-phone")
