"""Follow-ups on a phone (R-VISIT-6, R-VISIT-7, R-FU-1) and the approval queue's channel-width column
(R-ROUTE-4) on a desktop: the pages fit 375 px, and screenshots to look at."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from baifang.followups import appointments
from baifang.followups import services as followup
from baifang.visits import services
from tests.browser.conftest import SCREENSHOTS, login
from tests.browser.test_visit_flow import _due_shop


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_follow_ups_on_a_phone(transactional_db, org, live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    shop = _due_shop(org)
    touch = services.check_in(org.rep, shop, latitude=30.2590, longitude=120.1490)
    services.check_out(org.rep, touch)
    record = services.record_for(touch)
    question = followup.record_question(org.rep, touch, text="下月是否有新品陈列支持？", asked_by_name="店长")
    promise = followup.add_commitment(org.rep, record, text="周五前送样品", due_on=timezone.localdate())
    followup.answer_question(org.manager, question, text="有，下月起每店两个端架")
    appointments.make_appointment(
        org.rep, shop, starts_at=timezone.now() + dt.timedelta(days=2), purpose="sell", place="门店"
    )
    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2).new_page()
    login(phone, live_server, "rep")
    phone.goto(f"{live_server.url}/visits/")
    expect(phone.locator("#appointments")).to_contain_text(shop.name)
    expect(phone.locator("#commitments")).to_contain_text("周五前送样品")
    _fits(phone)
    _shot(phone, "followups-today-phone")
    phone.goto(f"{live_server.url}/visits/{touch.pk}/")
    expect(phone.locator("body")).to_contain_text("下月是否有新品陈列支持")
    _fits(phone)
    _shot(phone, "followups-visit-phone")
    phone.goto(f"{live_server.url}/visits/questions/{question.pk}/")
    expect(phone.locator("#history")).to_contain_text("有，下月起每店两个端架")
    _fits(phone)
    _shot(phone, "followups-question-phone")
    phone.goto(f"{live_server.url}/visits/questions/?status=answered")
    expect(phone.locator("body")).to_contain_text("下月是否有新品陈列支持")
    _fits(phone)
    _shot(phone, "followups-questions-phone")
    phone.goto(f"{live_server.url}/visits/commitments/{promise.pk}/")
    phone.fill("textarea[name=note]", "已送到店长手上")
    phone.click("button[value=done]")
    phone.goto(f"{live_server.url}/visits/commitments/{promise.pk}/")
    expect(phone.locator("#history")).to_contain_text("已送到店长手上")
    _fits(phone)
    _shot(phone, "followups-commitment-phone")


def test_the_approval_queue_shows_the_channel_width(transactional_db, org, live_server, browser):
    from baifang.plans import services as plans
    from baifang.plans.choices import PlanKind, PlanStatus
    from baifang.plans.models import Plan, PlanPolicy

    shop = _due_shop(org)
    PlanPolicy.objects.create(unit=org.rep.unit, max_visits_per_day=1, reserve_percent=99)
    plan = plans.get_or_create_plan(org.rep, PlanKind.MONTH, timezone.localdate())
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.SUBMITTED, version=1, submitted_at=timezone.now()
    )
    assert shop.pk
    desktop = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login(desktop, live_server, "manager")
    desktop.goto(f"{live_server.url}/plans/approvals/")
    expect(desktop.locator(".channel-width")).to_have_count(1)
    _shot(desktop, "plans-approvals-desktop")
