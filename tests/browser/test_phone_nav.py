"""R-UX-1 on a 375 px phone: a bottom tab bar with the rep's daily places and "me" for the rest; the
calendar banner can be closed."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_phone_has_a_tab_bar_and_a_closable_banner(page, live_server, org, screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, live_server, org.rep.username)
    page.goto(f"{live_server.url}/visits/")
    expect(page.locator(".topbar .nav")).to_be_hidden()
    tabs = page.locator(".tabbar a")
    expect(tabs).to_have_count(4)
    expect(page.locator(".tabbar a.active")).to_contain_text("今日拜访")
    # the tab bar does not cover the page's last line
    box = page.locator(".tabbar").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800 and box["y"] > 700
    expect(page.locator(".banner-closable")).to_be_visible()
    screenshot("phone-today")
    page.click(".banner-close button")
    expect(page.locator(".banner-closable")).to_have_count(0)
    tabs.last.click()
    expect(page.locator("h1")).to_contain_text(org.rep.display_name)
    expect(page.locator(".menu-list")).to_contain_text("路线地图")
    screenshot("phone-me")
    # on a desktop the top entries are back and the tab bar is gone
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator(".topbar .nav")).to_be_visible()
    expect(page.locator(".tabbar")).to_be_hidden()
